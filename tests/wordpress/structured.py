"""Posts that use every kind of structure the reading copy must keep (issue 17), as WordPress stores it.

The generated posts of ``content.py`` have headings, lists, quotes, code and one image now and then;
these few add the rest, written by hand in the markup WordPress 6.1 (Debian 12) saves: an ordered
list with a start and nested lists, a quote with a citation and a quote inside it, a pull quote,
image blocks and a gallery (WordPress adds ``srcset`` when it renders them), a classic
``[caption]``, links to another post of the blog and out of it, tables with and without a head,
emphasis, inline code, code and preformatted blocks, an embed and a video. Footnotes are written
as the footnotes block of WordPress 6.3 renders them (``sup.fn`` references, an
``ol.wp-block-footnotes`` list): Debian's 6.1 has no such block, the markup is the point.

Placeholders filled in by ``wp.php``: ``{{id:KEY}}`` and ``{{url:KEY}}`` of an uploaded image,
``{{permalink:KEY}}`` of a post inserted before this one.
"""

from __future__ import annotations

from typing import Any

Item = str | tuple[str, list[Any]]  # a list item's HTML, or its HTML and a nested list's items


def para(inner: str) -> str:
    return f"<!-- wp:paragraph -->\n<p>{inner}</p>\n<!-- /wp:paragraph -->"


def heading(level: int, inner: str) -> str:
    attrs = "" if level == 2 else f' {{"level":{level}}}'
    return f"<!-- wp:heading{attrs} -->\n<h{level}>{inner}</h{level}>\n<!-- /wp:heading -->"


def list_block(items: list[Item], ordered: bool = False, start: int | None = None) -> str:
    """A list block of list-item blocks, as the 6.1 editor saves it, nested lists included."""
    attrs = {**({"ordered": True} if ordered else {}), **({"start": start} if start else {})}
    json_attrs = (" {" + ",".join(f'"{k}":{str(v).lower()}' for k, v in attrs.items()) + "}") if attrs else ""
    tag = "ol" if ordered else "ul"
    start_attr = f' start="{start}"' if start else ""
    lis = []
    for item in items:
        inner, children = (item, []) if isinstance(item, str) else item
        nested = list_block(children) if children else ""
        lis.append(f"<!-- wp:list-item -->\n<li>{inner}{nested}</li>\n<!-- /wp:list-item -->")
    return f"<!-- wp:list{json_attrs} -->\n<{tag}{start_attr}>{''.join(lis)}</{tag}>\n<!-- /wp:list -->"


def quote(paragraphs: list[str], cite: str | None = None, inner: str = "") -> str:
    body = "".join(para(p) for p in paragraphs) + inner + (f"<cite>{cite}</cite>" if cite else "")
    return f'<!-- wp:quote -->\n<blockquote class="wp-block-quote">{body}</blockquote>\n<!-- /wp:quote -->'


def image(key: str, alt: str, caption: str | None, link: bool = False) -> str:
    img = f'<img src="{{{{url:{key}}}}}" alt="{alt}" class="wp-image-{{{{id:{key}}}}}"/>'
    if link:
        img = f'<a href="{{{{url:{key}}}}}">{img}</a>'
    figcaption = f'<figcaption class="wp-element-caption">{caption}</figcaption>' if caption else ""
    attrs = f'{{"id":{{{{id:{key}}}}},"sizeSlug":"large","linkDestination":"{"media" if link else "none"}"}}'
    return (f"<!-- wp:image {attrs} -->\n<figure class=\"wp-block-image size-large\">{img}{figcaption}"
            "</figure>\n<!-- /wp:image -->")


def table(rows: list[list[str]], head: list[str] | None = None, caption: str | None = None) -> str:
    thead = "<thead><tr>" + "".join(f"<th>{c}</th>" for c in head) + "</tr></thead>" if head else ""
    tbody = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    figcaption = f'<figcaption class="wp-element-caption">{caption}</figcaption>' if caption else ""
    return (f'<!-- wp:table -->\n<figure class="wp-block-table"><table>{thead}<tbody>{tbody}</tbody>'
            f"</table>{figcaption}</figure>\n<!-- /wp:table -->")


def code(text: str) -> str:
    return f'<!-- wp:code -->\n<pre class="wp-block-code"><code>{text}</code></pre>\n<!-- /wp:code -->'


def note_ref(uid: str, number: int) -> str:
    return f'<sup data-fn="{uid}" class="fn"><a href="#{uid}" id="{uid}-link">{number}</a></sup>'


def footnotes(notes: list[tuple[str, str]]) -> str:
    """The list the 6.3 footnotes block renders, in an HTML block (kses keeps ids and classes)."""
    lis = "".join(f'<li id="{uid}">{text} <a href="#{uid}-link" aria-label="Jump to footnote '
                  f'reference {n}">\u21a9\ufe0e</a></li>' for n, (uid, text) in enumerate(notes, 1))
    return f'<!-- wp:html -->\n<ol class="wp-block-footnotes">{lis}</ol>\n<!-- /wp:html -->'


NOTE_A, NOTE_B = "5d1b0c2e-8f9a-4c3d-9e21-7a6b5c4d3e2f", "a3c9e7d1-2b4f-4e6a-8c0d-1f2e3d4c5b6a"
WIKI = "https://en.wikipedia.org/wiki/Markdown"
PAREN = "https://en.wikipedia.org/wiki/Mark_(disambiguation)"
SEARCH = "https://example.org/search?q=tomato&amp;page=2"
VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def field_guide() -> str:
    """Block editor: every kind once, in the order a long how-to post would use them."""
    return "\n\n".join([
        para("This guide has <strong>strong words</strong>, <em>gentle emphasis</em>, a "
             "<code>--dry-run</code> flag and a link to <a href=\"{{permalink:seed}}\">our first "
             f"post on the talks</a>, plus one to <a href=\"{WIKI}\">the Markdown article</a>."
             f"{note_ref(NOTE_A, 1)} The rest is structure."),
        heading(2, "Steps, numbered from three"),
        list_block(["Sharpen the pencil before the meeting", ("Read the agenda twice", [
            "Once for the <em>order</em> of things", "Once for what is missing"]),
            "Write the minutes the same day"], ordered=True, start=3),
        heading(3, "A quote inside a quote"),
        quote(["The report said the budget plan would wait another year.",
               "Nobody in the room believed that, least of all the minister."],
              cite="Anna Kowalski, <em>Notes from Brussels</em>",
              inner=quote(["We will not wait another year, said the minister."])),
        image("rich-photo-1", "Tomatoes on a wooden table, ripe *and* green",
              "Late tomatoes, photographed in October"),
        heading(2, "Numbers in a table"),
        table([["Tomatoes", "12", "<em>early</em>"], ["Beans", "7", "late"],
               ["Garlic | leeks", "3", "<code>n/a</code>"]],
              head=["Crop", "Plants", "Season"], caption="What grew where in 2023"),
        heading(2, "Code"),
        code("def check(item):\n    if item is None:\n        return False  # &lt;- nothing to do\n"
             "    return item.ok\n\n\nprint(check(None))"),
        para(f"A second remark, with its own footnote.{note_ref(NOTE_B, 2)}"),
        heading(4, "A video"),
        '<!-- wp:embed {"url":"' + VIDEO + '","type":"video","providerNameSlug":"youtube"} -->\n'
        '<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube">'
        f'<div class="wp-block-embed__wrapper">\n{VIDEO}\n</div>'
        "<figcaption class=\"wp-element-caption\">How to sharpen a pencil</figcaption></figure>\n"
        "<!-- /wp:embed -->",
        footnotes([(NOTE_A, "The article is long; the <em>History</em> section is enough."),
                   (NOTE_B, "Written after the meeting, not during it.")]),
    ])


def gallery_notes() -> str:
    """Block editor: a gallery, a linked image, a pull quote, a deep list, preformatted text."""
    gallery_images = "".join(image(key, alt, caption) for key, alt, caption in (
        ("rich-photo-2", "A row of blue boats", "Boats at the harbour"),
        ("rich-photo-3", "Fog over the lake", None)))
    return "\n\n".join([
        para("Photos from the coast, and a few lines about the <em>light</em> there. "
             f"The <a href=\"{SEARCH}\">search for tomatoes</a> can wait."),
        '<!-- wp:gallery {"linkTo":"none"} -->\n<figure class="wp-block-gallery has-nested-images '
        f'columns-default is-cropped">{gallery_images}<figcaption class="blocks-gallery-caption '
        'wp-element-caption">Two mornings on the coast</figcaption></figure>\n<!-- /wp:gallery -->',
        heading(2, "Why <em>slow</em> travel is fine"),
        '<!-- wp:pullquote -->\n<figure class="wp-block-pullquote"><blockquote><p>The last ferry '
        "leaves when it leaves.</p><cite>A harbour master</cite></blockquote></figure>\n"
        "<!-- /wp:pullquote -->",
        list_block(["Pack light", ("Plan loosely", [("Keep one day free", [
            "Or two, if the weather turns"]), "Book the first night only"]),
            "Talk to strangers <strong>early</strong> in the trip"]),
        image("rich-photo-4", "The cathedral square at dusk", "Click for the full size", link=True),
        '<!-- wp:preformatted -->\n<pre class="wp-block-preformatted">Day 1   harbour   12 km\n'
        "Day 2   valley    18 km\n\nDay 3   rest</pre>\n<!-- /wp:preformatted -->",
        table([["Ferry", "07:40"], ["Bus", "<strong>09:15</strong>"], ["Train", "11:02"]]),
        para(f"More about <a href=\"{PAREN}\">the word mark</a> another time; "
             "write to <a href=\"mailto:editor@example.org\">the editor</a> meanwhile."),
    ])


def classic_structure() -> str:
    """Classic editor: HTML as typed in the text tab, ``wpautop`` adds the paragraphs."""
    return "\n\n".join([
        "A classic post with <strong>bold</strong> and <em>italic</em> words, "
        "<a href=\"{{permalink:post-3}}\">an older post</a> and <code>inline code</code>.",
        '[caption id="attachment_{{id:rich-photo-5}}" align="aligncenter" width="800"]'
        '<img class="size-full wp-image-{{id:rich-photo-5}}" src="{{url:rich-photo-5}}" '
        'alt="A market full of lemons" width="800" height="533" /> Lemons at the old market[/caption]',
        "<h3>Five things, starting at five</h3>",
        '<ol start="5">\n<li>Buy lemons</li>\n<li>Find <em>sugar</em></li>\n<li>Boil water\n<ul>\n'
        "<li>not too long</li>\n<li>with a lid</li>\n</ul>\n</li>\n</ol>",
        "<blockquote>\n<p>A quote typed in the classic editor.</p>\n<blockquote>\n"
        "<p>And one inside it.</p>\n</blockquote>\n<p>Back at the first level.</p>\n</blockquote>",
        "<table>\n<tbody>\n<tr>\n<td>Lemons</td>\n<td>2 kg</td>\n</tr>\n<tr>\n<td>Sugar</td>\n"
        "<td>1 kg</td>\n</tr>\n</tbody>\n</table>",
        "<pre>lemonade = lemons + sugar\nstir(lemonade)</pre>",
        "The end, with a <a href=\"https://example.org/lemonade#recipe\">recipe link</a>.",
    ])


def structured_posts() -> list[dict[str, Any]]:
    """The posts, each published, with the images ``wp.php`` uploads for it."""
    base = {"author": "anna", "status": "publish", "tags": ["long read"], "image": None,
            "sticky": False, "comments": []}
    return [
        {**base, "key": "rich-guide", "title": "A field guide to structure", "date": "2024-11-04 09:30:00",
         "categories": ["Code"], "content": field_guide(), "images": ["rich-photo-1"]},
        {**base, "key": "rich-gallery", "title": "Notes from the coast, with photos",
         "date": "2024-11-06 18:05:00", "categories": ["Travel"], "content": gallery_notes(),
         "images": ["rich-photo-2", "rich-photo-3", "rich-photo-4"]},
        {**base, "key": "rich-classic", "title": "Lemonade, the classic way", "date": "2024-11-08 12:00:00",
         "categories": ["Garden"], "content": classic_structure(), "images": ["rich-photo-5"]},
    ]
