"""The reading copy's Markdown, written from post markup, read back as a reader reads it.

Each test feeds a post through ``extract_post`` and parses its ``markdown`` with the archive's own
renderer (``archive.markdown_html.to_html``, markdown-it, raw HTML off): what is checked is the HTML
a reader gets, never the Markdown string we expect to have written. WordPress markup is as WordPress
6.x writes it (block editor and classic); generator output is in ``test_markdown_corpus.py``.
"""

from __future__ import annotations

import html
import re

import pytest
from lxml import html as lxml_html
from lxml.html import HtmlElement

from archive.extract import extract_post
from archive.extract.dom import parse
from archive.extract.model import Extraction
from archive.extract.requisites import IMAGE, page_requisites
from archive.markdown_html import to_html

URL = "https://blog.example.com/2024/01/a-post/"
UPLOADS = "https://blog.example.com/wp-content/uploads/2024/01/"


def page(fragment: str, head: str = "") -> str:
    return ("<!DOCTYPE html><html lang='en'><head><title>A post</title>" + head + "</head><body>"
            "<article class='post type-post'><header><h1 class='entry-title'>A post</h1></header>"
            f"<div class='entry-content'><p>The post begins here.</p>{fragment}"
            "<p>The post ends here.</p></div></article></body></html>")


def extract(fragment: str, head: str = "") -> Extraction:
    return extract_post(page(fragment, head), URL)


def rendered(post: Extraction) -> HtmlElement:
    return lxml_html.fragment_fromstring(to_html(post.markdown), create_parent="div")


def words(el: HtmlElement) -> str:
    return " ".join(el.text_content().split())


# -- blocks ------------------------------------------------------------------------------------
def test_headings_and_paragraphs() -> None:
    fragment = "".join(f"<h{n}>Level {n} heading</h{n}><p>Under level {n}.</p>" for n in range(2, 7))
    post = extract(fragment)
    tree = rendered(post)
    assert [(h.tag, h.text) for h in tree.xpath("h2|h3|h4|h5|h6")] == [
        (f"h{n}", f"Level {n} heading") for n in range(2, 7)]
    assert [p.text for p in tree.findall("p")][1:-1] == [f"Under level {n}." for n in range(2, 7)]
    assert "\n\nLevel 4 heading\n\nUnder level 4.\n\n" in post.text  # plain text: plain lines


def test_heading_ending_in_a_hash_keeps_it() -> None:
    tree = rendered(extract("<h2>Issue #</h2><h3>C# and F#</h3>"))
    assert [h.text for h in tree.xpath("h2|h3")] == ["Issue #", "C# and F#"]


def test_lists_ordered_with_start_unordered_and_nested_three_levels() -> None:
    post = extract("<ol start='7'><li>seventh</li><li>eighth</li></ol>"
                   "<ul><li>fruit<ol><li>apples<ul><li>Cox</li><li>Bramley</li></ul></li>"
                   "<li>pears</li></ol></li><li>vegetables</li></ul>")
    tree = rendered(post)
    ordered = tree.find("ol")
    assert ordered.get("start") == "7" and [li.text for li in ordered] == ["seventh", "eighth"]
    outer = tree.find("ul")
    assert [li.text.strip() for li in outer] == ["fruit", "vegetables"]
    middle = outer[0].find("ol")
    assert [li.text.strip() for li in middle] == ["apples", "pears"]
    assert [li.text for li in middle[0].find("ul")] == ["Cox", "Bramley"]
    assert "7. seventh\n8. eighth" in post.text
    assert "- fruit\n  1. apples\n    - Cox\n    - Bramley\n  2. pears\n- vegetables" in post.text


def test_adjacent_lists_stay_separate_and_items_keep_their_blocks() -> None:
    post = extract("<ul><li>a</li></ul><ul><li>b</li></ul><ol><li>one</li></ol>"
                   "<ol start='4'><li>four</li></ol>"
                   "<ul><li><p>para one</p><p>para two</p></li>"
                   "<li>run:<pre><code>ls -la\n\ncd /tmp</code></pre></li></ul>")
    tree = rendered(post)
    assert [(el.tag, [words(li) for li in el]) for el in tree.xpath("ul|ol")] == [
        ("ul", ["a"]), ("ul", ["b"]), ("ol", ["one"]), ("ol", ["four"]),
        ("ul", ["para one para two", "run: ls -la cd /tmp"])]
    last = tree.xpath("ul")[-1]
    assert [p.text for p in last[0].findall("p")] == ["para one", "para two"]
    assert last[1].find("pre/code").text == "ls -la\n\ncd /tmp\n"


QUOTES = (
    '<blockquote class="wp-block-quote is-layout-flow wp-block-quote-is-layout-flow">'
    "<p>Outer words.</p>"
    '<blockquote class="wp-block-quote is-layout-flow wp-block-quote-is-layout-flow">'
    "<p>Middle words.</p><blockquote><p>Innermost words.</p></blockquote>"
    "<p>Middle again.</p><cite>Middle Author</cite></blockquote>"
    "<p>Outer again.</p><cite>Jane Doe, <em>A Book</em></cite></blockquote>"
    '<figure class="wp-block-pullquote"><blockquote><p>Pulled out.</p><cite>Pull Author</cite>'
    "</blockquote></figure>"
    "<blockquote><p>Classic words.</p><footer>— <cite>Someone</cite></footer></blockquote>"
    "<figure><blockquote><p>Spec words.</p></blockquote><figcaption>Spec Author</figcaption></figure>"
)


def test_nested_block_quotes_keep_depth_and_citations() -> None:
    post = extract(QUOTES)
    tree = rendered(post)
    outer = tree.find("blockquote")
    assert [words(p) for p in outer.findall("p")] == ["Outer words.", "Outer again.",
                                                      "— Jane Doe, A Book"]
    assert outer.find("p/em").text == "A Book"
    middle = outer.find("blockquote")
    assert [words(p) for p in middle.findall("p")] == ["Middle words.", "Middle again.",
                                                       "— Middle Author"]
    assert [words(p) for p in middle.findall("blockquote/p")] == ["Innermost words."]
    others = tree.findall("blockquote")[1:]
    assert [[words(p) for p in q.findall("p")] for q in others] == [
        ["Pulled out.", "— Pull Author"], ["Classic words.", "— Someone"],
        ["Spec words.", "— Spec Author"]]
    for citation in ("Middle Author", "Jane Doe, A Book", "Pull Author", "— Someone", "Spec Author"):
        assert f"\n\n{citation}\n\n" in post.text


def test_links_absolute_and_script_links_dropped() -> None:
    post = extract(
        "<p><a href='../older/'>up</a>, <a href='/about/'>root</a>, <a href='notes.html'>here</a>,"
        " <a href='//cdn.example.org/file.pdf'>protocol</a>, <a href='javascript:alert(1)'>script</a>,"
        " <a href=' JavaScript:void(0)'>void</a>, <a href='mailto:me@example.com'>mail</a>.</p>")
    links = {a.text: a.get("href") for a in rendered(post).iter("a")}
    assert links == {"up": "https://blog.example.com/2024/01/older/",
                     "root": "https://blog.example.com/about/",
                     "here": "https://blog.example.com/2024/01/a-post/notes.html",
                     "protocol": "https://cdn.example.org/file.pdf", "mail": "mailto:me@example.com"}
    assert "javascript" not in post.markdown.lower()
    assert "protocol, script, void, mail." in post.text


def test_links_resolve_against_the_base_element() -> None:
    post = extract("<p>A link <a href='page/'>based</a> elsewhere.</p>",
                   head="<base href='https://other.example/x/'>")
    assert [a.get("href") for a in rendered(post).iter("a")] == ["https://other.example/x/page/"]


# -- inline ------------------------------------------------------------------------------------
EMPHASIS = [
    ('<strong>"quoted"</strong>word', "strong", "quoted"),
    ('word<strong>"quoted"</strong>', "strong", "quoted"),
    ("<em>(aside)</em>s", "em", "aside"),
    ('a<em><strong>"both"</strong></em>b', "strong", "both"),
    ("<strong>one</strong><strong>two</strong>", "strong", "onetwo"),
    ("x<del>'gone'</del>y", "s", "gone"),
    ("<s>struck</s> out", "s", "struck"),
    ("<b>bold</b>, <i>italic</i>", "strong", "bold"),
    ("<b>bold</b>, <i>italic</i>", "em", "italic"),
    ("in<strong>side</strong>word", "strong", "side"),
    ("<em>a</em><strong>b</strong>", "strong", "b"),
    ("<em>a</em><strong>b</strong>", "em", "a"),
]


@pytest.mark.parametrize(("markup", "tag", "inner"), EMPHASIS)
def test_emphasis_is_read_as_emphasis(markup: str, tag: str, inner: str) -> None:
    post = extract(f"<p>{markup}</p>")
    paragraph = rendered(post).findall("p")[1]
    source = lxml_html.fragment_fromstring(f"<p>{markup}</p>")
    assert paragraph.text_content() == source.text_content()  # the same text, no stray markers
    assert inner in [el.text_content() for el in paragraph.iter(tag)]


def test_emphasis_that_cannot_open_keeps_its_text() -> None:
    post = extract("<p>x<strong><a href='/l'>link</a></strong>y and <code>a|b</code> `tick`</p>")
    paragraph = rendered(post).findall("p")[1]
    assert paragraph.text_content() == "xlinky and a|b `tick`"
    assert paragraph.find("a").get("href") == "https://blog.example.com/l"
    assert paragraph.find("code").text == "a|b"


def test_inline_code_with_backticks() -> None:
    paragraph = rendered(extract("<p>run <code>echo `date`</code> now</p>")).findall("p")[1]
    assert paragraph.find("code").text == "echo `date`"


ESCAPED = [
    "* not a list", "- not a list", "+ not a list", "1. not a list", "2) not a list",
    "# not a heading", "### not a heading", "> not a quote", "---", "***", "___", "=== x",
    "_under_ and snake_case and *stars* and __dunder__", "<script>alert(1)</script>",
    "<b>bold</b> <img src=x onerror=alert(1)>", "[x](javascript:alert(1)) and ![y](http://e.com/i.png)",
    "[ref][1] and [^1] and [x]: http://e.com", "a | b | c", "ticks ` and `` and ```code```",
    "~~not struck~~ and ~single~", "&amp; and &#42; and &copy; and AT&T",
    "backslash \\ and \\* and C:\\path\\", "<http://auto.link/> and http://bare.link/",
    "1986. A fine year", "~~~ not a fence", "    indented", "emoji 😀 and ünïcödé",
    "\\# not an escape", "**bold?**", "a_b_c and _x",
]


@pytest.mark.parametrize("text", ESCAPED)
def test_page_text_renders_back_as_itself(text: str) -> None:
    post = extract(f"<p>{html.escape(text)}</p>")
    paragraph = rendered(post).findall("p")[1]
    assert paragraph.text_content() == text.strip()
    assert len(paragraph) == 0  # no element made from text
    assert text.strip() in post.text


def test_escaped_text_after_line_breaks() -> None:
    post = extract("<p>first line<br># second<br>- third<br>1. fourth<br>&gt; fifth</p>")
    paragraph = rendered(post).findall("p")[1]
    assert [t.strip() for t in paragraph.itertext()] == [
        "first line", "# second", "- third", "1. fourth", "> fifth"]
    assert [el.tag for el in paragraph] == ["br"] * 4


# -- tables ------------------------------------------------------------------------------------
def test_table_with_header_row_and_pipes() -> None:
    post = extract(
        '<figure class="wp-block-table"><table><thead><tr><th>Tool | kind</th><th>Cost</th></tr>'
        "</thead><tbody><tr><td>a|b</td><td><code>x|y</code></td></tr><tr><td>*lone*</td></tr>"
        "<tr><td>line<br>break</td></tr>"
        "</tbody></table><figcaption class='wp-element-caption'>Prices</figcaption></figure>")
    table = rendered(post).find("table")
    assert [th.text for th in table.iter("th")] == ["Tool | kind", "Cost"]
    rows = [[td.text_content() for td in tr.iter("td")] for tr in table.find("tbody")]
    assert rows == [["a|b", "x|y"], ["*lone*", ""], ["line break", ""]]
    assert table.find("tbody/tr/td/code").text == "x|y"


# -- figures -----------------------------------------------------------------------------------
FIGURES = (
    '<figure class="wp-block-image size-large"><img decoding="async" width="1024" height="683" '
    f'src="{UPLOADS}cat-1024x683.jpg" alt="A cat on a mat" class="wp-image-12" '
    f'srcset="{UPLOADS}cat-1024x683.jpg 1024w, {UPLOADS}cat-300x200.jpg 300w, '
    f'{UPLOADS}cat-2048x1366.jpg 2048w" sizes="(max-width: 1024px) 100vw, 1024px" />'
    '<figcaption class="wp-element-caption">The cat, <em>resting</em>.</figcaption></figure>'
    '<div id="attachment_5" style="width: 310px" class="wp-caption aligncenter">'
    '<img aria-describedby="caption-attachment-5" class="size-medium wp-image-5" '
    'src="/wp-content/uploads/2019/05/dog-300x225.jpg" alt="Dog" width="300" height="225" />'
    '<p id="caption-attachment-5" class="wp-caption-text">A classic caption</p></div>'
    '<figure class="wp-block-gallery has-nested-images columns-default is-cropped '
    'wp-block-gallery-1 is-layout-flex wp-block-gallery-is-layout-flex">'
    f'<figure class="wp-block-image size-large"><img src="{UPLOADS}g1.jpg" alt="First" '
    'class="wp-image-1"/><figcaption class="wp-element-caption">Cap one</figcaption></figure>'
    f'<figure class="wp-block-image size-large"><img src="{UPLOADS}g2.jpg" alt="" '
    'class="wp-image-2"/></figure>'
    '<figcaption class="blocks-gallery-caption wp-element-caption">Gallery caption</figcaption>'
    "</figure>"
    "<div id='gallery-1' class='gallery galleryid-9 gallery-columns-3 gallery-size-thumbnail'>"
    "<dl class='gallery-item'><dt class='gallery-icon landscape'>"
    f"<a href='{UPLOADS}c1.jpg'><img width='150' height='150' src='{UPLOADS}c1-150x150.jpg' "
    "class='attachment-thumbnail size-thumbnail' alt='Classic one' /></a></dt>"
    "<dd class='wp-caption-text gallery-caption' id='gallery-1-7'>Classic gallery cap</dd></dl>"
    "<br style='clear: both' /></div>"
)


def test_figures_keep_image_alt_and_caption() -> None:
    post = extract(FIGURES)
    assert [(i.url, i.alt, i.caption) for i in post.images] == [
        (f"{UPLOADS}cat-2048x1366.jpg", "A cat on a mat", "The cat, resting."),
        ("https://blog.example.com/wp-content/uploads/2019/05/dog-300x225.jpg", "Dog",
         "A classic caption"),
        (f"{UPLOADS}g1.jpg", "First", "Cap one"),
        (f"{UPLOADS}g2.jpg", None, "Gallery caption"),
        (f"{UPLOADS}c1-150x150.jpg", "Classic one", "Classic gallery cap"),
    ]
    tree = rendered(post)
    assert [(img.get("src"), img.get("alt")) for img in tree.iter("img")] == [
        (i.url, i.alt or "") for i in post.images]
    captions = [words(em) for em in tree.xpath("p/em[not(ancestor::em)]")]
    assert captions == ["The cat, resting.", "A classic caption", "Cap one", "Gallery caption",
                        "Classic gallery cap"]
    linked = tree.xpath(".//a[img]")  # the classic gallery's link to the full image stays
    assert [a.get("href") for a in linked] == [f"{UPLOADS}c1.jpg"]
    requisites = {r.url for r in page_requisites(parse(page(FIGURES)), URL) if r.kind == IMAGE}
    assert {i.url for i in post.images} <= requisites


# -- images ------------------------------------------------------------------------------------
IMAGES = (
    f'<p>Lazy: <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="{UPLOADS}lazy.jpg" '
    f'class="lazyload" alt="lazy"><noscript><img src="{UPLOADS}lazy.jpg" alt="lazy"></noscript></p>'
    f'<p>Rocket: <img src="{UPLOADS}placeholder.svg" data-lazy-src="{UPLOADS}rocket.jpg" '
    f'data-lazy-srcset="{UPLOADS}rocket-300.jpg 300w, {UPLOADS}rocket-900.jpg 900w" alt="r">'
    f'<noscript><img src="{UPLOADS}rocket.jpg" alt="r"></noscript></p>'
    f'<p>Srcset only lazy: <img src="data:image/svg+xml,%3Csvg%3E" '
    f'data-srcset="{UPLOADS}s-480.jpg 1x, {UPLOADS}s-960.jpg 2x" alt="s"></p>'
    f'<p>Jetpack: <img src="{UPLOADS}blank.gif" data-orig-file="{UPLOADS}orig.jpg" '
    f'data-medium-file="{UPLOADS}orig-300x200.jpg" class="wp-image-9" alt="j"></p>'
    f'<p>Only in noscript: <img class="lazy" src="{UPLOADS}lazy-placeholder.gif" alt="n">'
    f'<noscript><img src="{UPLOADS}only-noscript.jpg" alt="n"></noscript></p>'
    f'<p>Again: <img src="{UPLOADS}lazy.jpg" alt="lazy again"></p>'
    '<p>Not the author\'s: <img alt="" src="https://secure.gravatar.com/avatar/abc?s=96&amp;d=mm" '
    "class='avatar avatar-96 photo' height='96' width='96'>"
    '<img src="https://pixel.wp.com/g.gif?v=ext" alt=":)" width="6" height="5" id="wpstats">'
    '<img src="https://www.facebook.com/tr?id=1&amp;ev=PageView" height="1" width="1">'
    '<a href="https://twitter.com/share"><img src="https://blog.example.com/share-twitter.png" '
    'class="share-icon" alt="Share"></a>'
    '<img src="https://blog.example.com/wp-content/plugins/likes/like-button.png" alt="Like">'
    '<img src="https://blog.example.com/wp-content/themes/twentytwenty/divider.png" alt="">'
    '<a href="https://ads.example/"><img src="https://pagead2.googlesyndication.com/pagead/ad.gif" '
    'alt="ad"></a>'
    '<img class="sd-like-icon" src="https://blog.example.com/img/heart.png" alt="like"> end.</p>'
    '<p>Smile <img draggable="false" role="img" class="emoji" alt="😀" '
    'src="https://s.w.org/images/core/emoji/15.0.3/svg/1f600.svg"> and <img '
    'src="https://blog.example.com/wp-includes/images/smilies/icon_wink.gif" alt=";)" '
    'class="wp-smiley" style="height: 1em; max-height: 1em;" /> done.</p>'
)


def test_images_once_with_their_real_source_and_none_that_are_not_the_authors() -> None:
    post = extract(IMAGES)
    assert [i.url for i in post.images] == [
        f"{UPLOADS}lazy.jpg", f"{UPLOADS}rocket-900.jpg", f"{UPLOADS}s-960.jpg",
        f"{UPLOADS}orig.jpg", f"{UPLOADS}only-noscript.jpg"]
    tree = rendered(post)
    assert [img.get("src") for img in tree.iter("img")] == [i.url for i in post.images]
    requisites = {r.url for r in page_requisites(parse(page(IMAGES)), URL) if r.kind == IMAGE}
    assert {i.url for i in post.images} <= requisites
    assert "Smile 😀 and ;) done." in post.text  # an emoji image is the character it shows
    assert words(tree.findall("p")[-2]) == "Smile 😀 and ;) done."


# -- footnotes and embeds ----------------------------------------------------------------------
def test_wordpress_footnotes_block() -> None:
    post = extract(
        '<p>A claim<sup data-fn="6a9ef8a2-1" class="fn"><a href="#6a9ef8a2-1" '
        'id="6a9ef8a2-1-link">1</a></sup> and another<sup data-fn="c3d4-2" class="fn">'
        '<a href="#c3d4-2" id="c3d4-2-link">2</a></sup>.</p>'
        '<ol class="wp-block-footnotes"><li id="6a9ef8a2-1">See <a href="https://example.org/">'
        'the source</a>. <a href="#6a9ef8a2-1-link" aria-label="Jump to footnote reference 1">'
        '↩︎</a></li><li id="c3d4-2">Second note. <a href="#c3d4-2-link" '
        'aria-label="Jump to footnote reference 2">↩︎</a></li></ol>')
    tree = rendered(post)
    assert [a.text for a in tree.xpath(".//sup[@class='footnote-ref']/a")] == ["[1]", "[2]"]
    notes = tree.xpath(".//li[@class='footnote-item']")
    assert [words(n).replace(" ↩︎", "") for n in notes] == ["See the source.", "Second note."]
    assert notes[0].find(".//a").get("href") == "https://example.org/"
    assert "A claim[1] and another[2]." in post.text and "↩" not in post.text


def test_embeds_become_links_with_titles() -> None:
    post = extract(
        '<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube '
        'wp-embed-aspect-16-9 wp-has-aspect-ratio"><div class="wp-block-embed__wrapper">\n'
        '<iframe loading="lazy" title="Never Gonna Give You Up" width="500" height="281" '
        'src="https://www.youtube.com/embed/dQw4w9WgXcQ?feature=oembed" frameborder="0" '
        "allowfullscreen></iframe>\n</div></figure>"
        '<figure class="wp-block-embed is-type-video is-provider-vimeo wp-block-embed-vimeo">'
        '<div class="wp-block-embed__wrapper"><iframe title="A Vimeo film" '
        'src="https://player.vimeo.com/video/76979871?dnt=1&amp;app_id=122963"></iframe>'
        "</div></figure>"
        '<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">\n'
        "https://example.org/some/article\n</div></figure>"
        f'<figure class="wp-block-video"><video controls src="{UPLOADS}clip.mp4"></video></figure>'
        '<figure class="wp-block-embed is-type-rich is-provider-twitter wp-block-embed-twitter">'
        '<div class="wp-block-embed__wrapper"><blockquote class="twitter-tweet" data-width="550">'
        '<p lang="en" dir="ltr">just setting up my twttr</p>&mdash; jack (@jack) '
        '<a href="https://twitter.com/jack/status/20?ref_src=twsrc%5Etfw">March 21, 2006</a>'
        '</blockquote><script async src="https://platform.twitter.com/widgets.js"></script>'
        "</div></figure>")
    links = [(a.text, a.get("href")) for a in rendered(post).iter("a")]
    assert links == [
        ("Video: Never Gonna Give You Up", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("Video: A Vimeo film", "https://vimeo.com/76979871"),
        ("https://example.org/some/article", "https://example.org/some/article"),
        ("Video (blog.example.com)", f"{UPLOADS}clip.mp4"),
        ("Tweet: just setting up my twttr", "https://twitter.com/jack/status/20?ref_src=twsrc%5Etfw"),
    ]
    assert "Video: Never Gonna Give You Up" in post.text


def test_verse_keeps_its_lines_and_preformatted_text_its_spacing() -> None:
    post = extract('<pre class="wp-block-verse">The first line\n  <em>the second</em>\nthird</pre>'
                   '<pre class="wp-block-preformatted">col1   col2\nx      y</pre>')
    tree = rendered(post)
    verse = tree.findall("p")[1]
    assert [t.strip() for t in verse.itertext() if t.strip()] == [
        "The first line", "the second", "third"]
    assert [el.tag for el in verse] == ["br", "em", "br"]
    assert verse.find("em").text == "the second"
    assert tree.find("pre/code").text == "col1   col2\nx      y\n"
    assert "The first line\nthe second\nthird" in post.text
    assert re.search(r"^col1   col2\nx      y$", post.text, re.MULTILINE)


def test_a_title_repeated_in_the_content_goes_from_both_outputs() -> None:
    post = extract_post(
        "<html><head><title>A post</title></head><body><article class='post'>"
        "<h1 class='entry-title'>A post</h1><div class='entry-content'>"
        f"<figure class='wp-block-image'><img src='{UPLOADS}top.jpg' alt='Top'></figure>"
        "<h2>A post</h2><p>The words of the post.</p></div></article></body></html>", URL)
    assert post.text == "The words of the post."
    tree = rendered(post)
    assert [img.get("src") for img in tree.iter("img")] == [f"{UPLOADS}top.jpg"]
    assert not tree.xpath("h2") and words(tree) == "The words of the post."


def test_a_caption_belongs_to_the_image_just_before_it_only() -> None:
    post = extract(
        f"<figure class='wp-block-image'><img src='{UPLOADS}a.jpg' alt='A'></figure>"
        "<p>Words between.</p><figure class='wp-block-table'><table><tr><td>x</td></tr></table>"
        "<figcaption class='wp-element-caption'>Table caption</figcaption></figure>")
    assert [(i.url, i.caption) for i in post.images] == [(f"{UPLOADS}a.jpg", None)]
    assert "Table caption" in words(rendered(post))


def test_a_fallback_extractors_containers_hold_blocks() -> None:
    """trafilatura's readability/jusText fallback returns the page's own ``div``s and a ``<pre>`` as
    ``quote > code`` (seen on Hugo's Ananke theme, no longer built by the suite): blocks stay
    blocks, the code stays code."""
    from lxml import etree

    from archive.extract.markdown import render_markdown

    body = etree.fromstring(
        '<body><div><div class="x"><p>First <code>a.py</code> reads it:</p><div class="highlight">'
        '<quote><code class="language-python">import csv\n\nprint(1)\n</code></quote></div>'
        "<p>Then it ends.</p></div></div></body>")
    markdown, _ = render_markdown(body, "http://blog.test/p/")
    assert markdown == ("First `a.py` reads it:\n\n```python\nimport csv\n\nprint(1)\n```\n\n"
                        "Then it ends.")
