"""The reading copy wherever it is read: ``show --format markdown|html|json`` and the Markdown,
EPUB and JSON Lines exports keep a post's structure, its images and its links (issue 17).

A small blog of three posts is served from a temporary folder by ``python -m http.server`` on
127.0.0.1 and crawled with the real ``scrapy crawl blog``, then read back with the ``blogarchive``
command as a user runs it. The main post has headings, an ordered list starting at 3, a list,
a quote inside a quote with its source, a table, code, a link to another post of the blog and one
leaving it, and four images: one captured, one whose bytes are the same as the first (the crawl
stores it as a revisit record pointing at the first), a WebP picture (captured, but not a type
every EPUB reader must show) and one on a host the crawl never asks (never captured). A second
post links back, with a GIF; a third is hostile (markup as text, ``javascript:`` links, a script
in an alt text and in its title). The fixture blog of the other tests is left as it is: their
post counts are asserted.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml  # type: ignore[import-untyped]
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from warcio.archiveiterator import ArchiveIterator

from archive.export.post import Comment, PostView, to_html, to_markdown
from archive.layout import Layout
from bench.assets import png_file
from tests.conftest import BIN, FAST, ROOT, run_cli
from tests.test_export import EPUBCHECK
from tests.test_replay_tools import free_port, wait_for

pytestmark = pytest.mark.e2e
STRUCTURE, FIRST, HOSTILE = ("/2024/03/structure-of-things/", "/2024/01/the-first-post/",
                             "/2023/11/hostile/")
LOST = "https://cdn.example.invalid/lost-lighthouse.png"
UPLOADS = "/wp-content/uploads"


def png(rgb: tuple[int, int, int]) -> bytes:
    return png_file(30, 12, b"".join(b"\x00" + bytes(rgb) * 30 for _ in range(12)),
                    colour_type=2)


GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00"
       b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
WEBP = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")  # 1x1, lossless
IMAGES = {  # path under the uploads -> bytes (the copy has the harbour's bytes: a revisit)
    "2024/03/harbour.png": png((20, 60, 200)), "2024/03/harbour-copy.png": png((20, 60, 200)),
    "2024/03/diagram.webp": WEBP, "2024/01/tile.gif": GIF,
    '2023/11/q"uote.png': png((10, 200, 10)),
}
POSTS = {
    STRUCTURE: ("Structure of things", "2024-03-10", f"""
<p>This post keeps its <strong>structure</strong> and <em>emphasis</em>. It follows
<a href="{FIRST}">the first post</a> and cites <a href="https://example.org/elsewhere">a page
elsewhere</a>.</p>
<h2>Steps</h2>
<ol start="3"><li>Third step</li><li>Fourth step</li></ol>
<ul><li>Apples</li><li>Pears</li></ul>
<h3>Quoted</h3>
<blockquote><p>Every archive is an argument.</p><blockquote><p>And every argument quotes
another.</p></blockquote><cite>Ada Lovelace</cite></blockquote>
<figure class="wp-block-image"><img src="{UPLOADS}/2024/03/harbour.png" width="300" height="120"
 alt="A blue harbour"><figcaption>The harbour at dawn.</figcaption></figure>
<figure class="wp-block-image"><img src="{UPLOADS}/2024/03/harbour-copy.png" width="300"
 height="120" alt="The same harbour again"></figure>
<figure class="wp-block-image"><img src="{UPLOADS}/2024/03/diagram.webp" width="300" height="120"
 alt="A diagram"></figure>
<figure class="wp-block-image"><img src="{LOST}" width="300" height="120"
 alt="The lost lighthouse"><figcaption>Never captured.</figcaption></figure>
<table><thead><tr><th>Harbour</th><th>Boats</th></tr></thead>
<tbody><tr><td>North</td><td>12</td></tr><tr><td>South</td><td>7</td></tr></tbody></table>
<pre><code>def harbour(boats):
    return sorted(boats)
</code></pre>
<p>Inline <code>x &lt; y</code> code.</p>""", """
<div id="comments" class="comments-area"><ol class="comment-list">
<li id="comment-5" class="comment even thread-even depth-1">
<article id="div-comment-5" class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">Grace</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="#comment-5"><time datetime="2024-03-11T10:00:00+00:00">
11 March 2024</time></a></div></footer>
<div class="comment-content"><p>Nice post.</p><p>&lt;script&gt;alert(2)&lt;/script&gt;</p></div>
</article></li></ol></div>"""),
    FIRST: ("The first post", "2024-01-05", f"""
<p>The first post of this blog. The <a href="{STRUCTURE}">next one</a> has structure.</p>
<figure class="wp-block-image"><img src="{UPLOADS}/2024/01/tile.gif" width="300" height="120"
 alt="A tile"></figure>""", ""),
    HOSTILE: ('&lt;script&gt;alert(9)&lt;/script&gt; &amp; "quotes"', "2023-11-20", f"""
<p>A page may say &lt;script&gt;alert("x")&lt;/script&gt; and &lt;img src=x onerror=alert(1)&gt;
and it stays words.</p>
<p><a href="javascript:alert(1)">click me</a> and <a href="data:text/html,&lt;script&gt;alert(1)
&lt;/script&gt;">data</a>.</p>
<figure><img src="{UPLOADS}/2023/11/q&quot;uote.png" width="300" height="120"
 alt="&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"></figure>
<p>[a fake](javascript:alert(4)) and ![x](javascript:alert(5)) as text.</p>""", ""),
}


def page(title: str, date: str, body: str, comments: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} &#8211; Export Blog</title></head>
<body class="single single-post"><main><article class="post type-post hentry">
<header class="entry-header"><h1 class="entry-title">{title}</h1>
<div class="entry-meta">Posted on <time class="entry-date published" datetime="{date}T09:00:00+00:00">
{date}</time></div></header>
<div class="entry-content">{body}</div></article>{comments}</main></body></html>"""


@dataclass
class Blog:
    archive: Path
    base: str  # the blog's URL, no trailing slash

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Blog]:
    """Serve the blog, crawl it, stop the server: every reading below comes from the archive."""
    root = tmp_path_factory.mktemp("export-blog")
    site = root / "site"
    for path, post in POSTS.items():
        (site / path.strip("/")).mkdir(parents=True)
        (site / path.strip("/") / "index.html").write_text(page(*post), encoding="utf-8")
    for path, body in IMAGES.items():
        (site / UPLOADS.strip("/") / path).parent.mkdir(parents=True, exist_ok=True)
        (site / UPLOADS.strip("/") / path).write_bytes(body)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
        f'sitemap/0.9">{"".join(f"<url><loc>{base}{p}</loc></url>" for p in POSTS)}</urlset>\n')
    (site / "index.html").write_text("<!doctype html><title>Export Blog</title>")
    with open(root / "live.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                                   "127.0.0.1", "--directory", str(site)], stdout=log, stderr=log)
    try:
        wait_for(port)
        crawl = subprocess.run(
            [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={base}/",
             "-s", f"ARCHIVE_DIR={root / 'archive'}", *FAST], cwd=ROOT, capture_output=True,
            text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert crawl.returncode == 0, crawl.stdout[-2000:] + crawl.stderr[-2000:]
    yield Blog(root / "archive", base)


def cli(blog: Blog, *args: str) -> str:
    result = run_cli(*args, archive=blog.archive)
    assert result.returncode == 0, result.stderr
    return result.stdout


def image_url(blog: Blog, path: str) -> str:
    return f"{blog.base}{UPLOADS}/{path}"


def active_parts(markup: str) -> list[str]:
    """What could run in a browser: script or other active elements, event attributes, URLs
    with a scheme that runs code."""
    tree = lxml_html.fromstring(f"<div>{markup}</div>")
    found = [f"<{el.tag}>" for el in tree.iter() if isinstance(el.tag, str)
             and el.tag in ("script", "iframe", "object", "embed", "style", "form")]
    for el in tree.iter():
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{el.tag} {name}")
            if name in ("href", "src") and value.strip().lower().startswith(
                    ("javascript:", "vbscript:", "data:text")):
                found.append(f"{el.tag} {name}={value}")
    return found


def test_the_crawl_stored_the_copy_image_as_a_revisit(blog: Blog) -> None:
    """The case the exports must handle: one of two identical images has no body of its own."""
    kinds = {}
    for warc in Layout(blog.archive).warc_dir.glob("*.warc.gz"):
        with open(warc, "rb") as handle:
            for record in ArchiveIterator(handle):
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if uri and "/harbour" in uri and record.rec_type in ("response", "revisit"):
                    kinds[uri.rsplit("/", 1)[1]] = record.rec_type
    assert sorted(kinds.values()) == ["response", "revisit"], kinds
    assert len(cli(blog, "list").splitlines()) == 3


def test_show_markdown_is_real_markdown(blog: Blog) -> None:
    text = cli(blog, "show", blog.url(STRUCTURE), "--format", "markdown")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["title"] == "Structure of things" and meta["comments"] == 1
    body = text.split("---\n", 2)[2]
    for expected in ("# Structure of things", "## Steps", "3. Third step\n4. Fourth step",
                     "* Apples\n* Pears", "> Every archive is an argument.",
                     "> > And every argument quotes another.", "> — Ada Lovelace",
                     "| Harbour | Boats |", "| North | 12 |", "```\ndef harbour(boats):\n"
                     "    return sorted(boats)\n```", "`x < y`",
                     f"[the first post]({blog.url(FIRST)})",
                     f"![A blue harbour]({image_url(blog, '2024/03/harbour.png')})",
                     f"![The lost lighthouse]({LOST})", "_The harbour at dawn._",
                     "## Comments (1)", "> **Grace** 2024-03-11"):
        assert expected in body, expected


def test_show_html_renders_the_structure(blog: Blog) -> None:
    page_html = cli(blog, "show", blog.url(STRUCTURE), "--format", "html")
    tree = lxml_html.fromstring(page_html)
    assert [li.text for li in tree.xpath("//ol[@start='3']/li")] == ["Third step", "Fourth step"]
    assert [li.text for li in tree.xpath("//ul/li[not(b)]")] == ["Apples", "Pears"]
    assert "<p>- " not in page_html and "<p>3. " not in page_html
    assert tree.xpath("//blockquote/blockquote/p/text()") == ["And every argument quotes another."]
    assert [c.text for c in tree.xpath("//table//td")] == ["North", "12", "South", "7"]
    assert tree.xpath("//pre/code/text()")[0].startswith("def harbour(boats):\n    return")
    assert tree.xpath("//h2/text()")[0] == "Steps" and tree.xpath("//h3/text()") == ["Quoted"]
    assert tree.xpath("//img[@alt='A blue harbour']/@src") == [image_url(blog, "2024/03/harbour.png")]
    assert tree.xpath("//a[text()='the first post']/@href") == [blog.url(FIRST)]
    comment = tree.xpath("//li[b='Grace']")[0]
    assert [p.text for p in comment.xpath("p")] == ["Nice post.", "<script>alert(2)</script>"]
    assert active_parts(page_html) == []


def test_show_json_has_markdown_and_images(blog: Blog) -> None:
    data = json.loads(cli(blog, "show", blog.url(STRUCTURE), "--format", "json"))
    markdown = cli(blog, "show", blog.url(STRUCTURE), "--format", "markdown")
    assert data["markdown"].strip() and data["markdown"].strip() in markdown
    assert data["images"] == [
        {"url": image_url(blog, "2024/03/harbour.png"), "alt": "A blue harbour",
         "caption": "The harbour at dawn."},
        {"url": image_url(blog, "2024/03/harbour-copy.png"), "alt": "The same harbour again",
         "caption": None},
        {"url": image_url(blog, "2024/03/diagram.webp"), "alt": "A diagram", "caption": None},
        {"url": LOST, "alt": "The lost lighthouse", "caption": "Never captured."}]
    assert "Third step" in data["text"] and "**" not in data["text"]  # text stays plain


def md_links(path: Path) -> list[tuple[str, bool, str]]:
    """(target, is_image, text) of every link and image of a Markdown file, as a renderer reads
    them."""
    found = []
    for block in MarkdownIt("commonmark").enable("table").parse(path.read_text(encoding="utf-8")):
        for token in block.children or []:
            if token.type == "image":
                found.append((str(token.attrGet("src")), True, token.content))
            elif token.type == "link_open":
                found.append((str(token.attrGet("href")), False, ""))
    return found


def test_markdown_export_copies_images_and_links_files(blog: Blog, tmp_path: Path) -> None:
    target = tmp_path / "md"
    summary = json.loads(cli(blog, "export", "--format", "markdown", str(target), "--json"))
    assert (summary["posts"], summary["assets"], summary["images_missing"]) == (3, 5, 1)
    said = cli(blog, "export", "--format", "markdown", str(tmp_path / "again"))
    assert "5 images copied, 1 image not in the archive" in said
    files = {yaml.safe_load(p.read_text().split("---\n")[1])["url"]: p for p in target.rglob("*.md")}
    structure, first = files[blog.url(STRUCTURE)], files[blog.url(FIRST)]
    links = md_links(structure)
    local = [(t, img) for t, img, _ in links if not t.startswith(("http://", "https://"))]
    for link, _ in local:
        assert (structure.parent / unquote(link)).resolve().is_file(), link
    inter = [t for t, img, _ in links if not img and t.endswith(".md")]
    assert [(structure.parent / t).resolve() for t in inter] == [first.resolve()]
    assert [(first.parent / t).resolve() for t, img, _ in md_links(first)
            if t.endswith(".md")] == [structure.resolve()]
    images = {text: src for src, img, text in links if img}
    for alt, name in (("A blue harbour", "2024/03/harbour.png"),
                      ("The same harbour again", "2024/03/harbour-copy.png"),
                      ("A diagram", "2024/03/diagram.webp")):
        copy = (structure.parent / images[alt]).resolve()
        assert copy.parent == (target / "assets").resolve() and copy.read_bytes() == IMAGES[name]
    assert images["The lost lighthouse"] == LOST
    assert [t for t, _, _ in links if t.startswith("http")] == [
        "https://example.org/elsewhere", LOST]
    gif = (first.parent / next(s for s, img, _ in md_links(first) if img)).resolve()
    assert gif.suffix == ".gif" and gif.read_bytes() == GIF


def epub_chapters(book: zipfile.ZipFile) -> dict[str, str]:
    """Chapter file -> its post's title."""
    return {name.removeprefix("OEBPS/"): lxml_html.fromstring(book.read(name)).findtext(".//h1")
            for name in book.namelist() if re.fullmatch(r"OEBPS/post-\d+\.xhtml", name)}


def test_epub_embeds_images_links_chapters_and_passes_epubcheck(blog: Blog, tmp_path: Path
                                                                ) -> None:
    path = tmp_path / "blog.epub"
    summary = json.loads(cli(blog, "export", "--format", "epub", str(path), "--json"))
    assert (summary["posts"], summary["images"], summary["images_missing"],
            summary["images_unsupported"]) == (3, 4, 1, 1)
    with zipfile.ZipFile(path) as book:
        chapters = epub_chapters(book)
        by_title = {title: name for name, title in chapters.items()}
        opf = etree.fromstring(book.read("OEBPS/content.opf"))
        items = {i.get("href"): i.get("media-type") for i in opf.iter("{*}item")}
        structure = lxml_html.fromstring(book.read(f"OEBPS/{by_title['Structure of things']}"))
        first = lxml_html.fromstring(book.read(f"OEBPS/{by_title['The first post']}"))
        sources = {img.get("alt"): img.get("src") for img in structure.iter("img")}
        assert set(sources) == {"A blue harbour", "The same harbour again"}
        for alt, name in (("A blue harbour", "2024/03/harbour.png"),
                          ("The same harbour again", "2024/03/harbour-copy.png")):
            assert items[sources[alt]] == "image/png"
            assert book.read(f"OEBPS/{sources[alt]}") == IMAGES[name]
        gif = next(img.get("src") for img in first.iter("img"))
        assert items[gif] == "image/gif" and book.read(f"OEBPS/{gif}") == GIF
        nav = lxml_html.fromstring(book.read("OEBPS/nav.xhtml"))
        ncx = book.read("OEBPS/toc.ncx").decode()
    words = structure.text_content()
    assert "[image not in this book: The lost lighthouse]" in words
    assert "[image not in this book: A diagram]" in words
    assert structure.xpath("//a[text()='the first post']/@href") == [by_title["The first post"]]
    assert first.xpath("//a[text()='next one']/@href") == [by_title["Structure of things"]]
    outside = structure.xpath("//a[text()='a page elsewhere']")[0]
    assert outside.get("href") == "https://example.org/elsewhere" and outside.get("class") == "external"
    assert not [s for s in (i.get("src") for i in structure.iter("img")) if "://" in s]
    assert structure.xpath("//ol[@start='3']/li/text()") == ["Third step", "Fourth step"]
    assert structure.xpath("//blockquote/blockquote/p/text()") == ["And every argument quotes another."]
    assert structure.xpath("//table//th/text()") == ["Harbour", "Boats"]
    toc = [(len(a.xpath("ancestor::li")), a.text) for a in nav.iter("a")]
    assert toc == [(1, "2023"), (2, "November 2023"), (3, '2023-11-20 · <script>alert(9)</script>'
                   ' & "quotes"'), (1, "2024"), (2, "January 2024"), (3, "2024-01-05 · The first post"),
                   (2, "March 2024"), (3, "2024-03-10 · Structure of things")]
    assert ncx.count("<navPoint") == 8 and "<text>March 2024</text>" in ncx
    check = subprocess.run(["java", "-jar", str(EPUBCHECK), str(path)], capture_output=True,
                           text=True, timeout=120, check=False)
    assert check.returncode == 0 and "No errors or warnings" in check.stdout, (
        check.stdout + check.stderr)


def test_jsonl_has_markdown_and_images_with_their_captures(blog: Blog, tmp_path: Path) -> None:
    target = tmp_path / "posts.jsonl"
    summary = json.loads(cli(blog, "export", "--format", "jsonl", str(target), "--json"))
    assert (summary["posts"], summary["images"], summary["images_missing"]) == (3, 5, 1)
    posts = {p["url"]: p for p in map(json.loads, target.read_text().splitlines())}
    post = posts[blog.url(STRUCTURE)]
    assert "3. Third step" in post["markdown"] and "Third step" in post["text"]
    images = {i["alt"]: i for i in post["images"]}
    assert set(images) == {"A blue harbour", "The same harbour again", "A diagram",
                           "The lost lighthouse"}
    lost = images["The lost lighthouse"]
    assert (lost["url"], lost["archived"], lost["capture"]) == (LOST, False, None)
    original, copy = images["A blue harbour"]["capture"], images["The same harbour again"]["capture"]
    assert images["A blue harbour"]["caption"] == "The harbour at dawn."
    assert sorted([original["revisit"], copy["revisit"]]) == [False, True]
    assert (original["warc_file"], original["warc_offset"]) == (copy["warc_file"],
                                                                copy["warc_offset"])
    with open(Layout(blog.archive).warc_dir / original["warc_file"], "rb") as handle:
        handle.seek(original["warc_offset"])
        record = next(iter(ArchiveIterator(handle)))
        assert record.rec_type == "response" and record.content_stream().read() == IMAGES[
            "2024/03/harbour.png"]
    assert images["A diagram"]["capture"]["content_type"] == "image/webp"


def test_a_hostile_post_stays_inert_in_every_format(blog: Blog, tmp_path: Path) -> None:
    url = blog.url(HOSTILE)
    shown = cli(blog, "show", url, "--format", "html")
    assert active_parts(shown) == [] and "<script>alert(9)</script>" in lxml_html.fromstring(
        shown).findtext(".//h1")
    markdown = cli(blog, "show", url, "--format", "markdown")
    permissive = MarkdownIt("commonmark", {"html": True})  # a viewer that passes raw HTML on
    assert active_parts(permissive.render(markdown.split("---\n", 2)[2])) == []
    cli(blog, "export", "--format", "markdown", str(tmp_path / "md"))
    for path in (tmp_path / "md").rglob("*.md"):
        assert active_parts(permissive.render(path.read_text().split("---\n", 2)[2])) == [], path
    cli(blog, "export", "--format", "epub", str(tmp_path / "b.epub"))
    with zipfile.ZipFile(tmp_path / "b.epub") as book:
        for name in book.namelist():
            if name.endswith((".xhtml", ".ncx", ".opf")):
                text = book.read(name).decode()
                etree.fromstring(text.encode())  # well-formed XML
                if name.endswith(".xhtml"):
                    assert active_parts(text.split("<body>", 1)[1]) == [], name
    post = json.loads(cli(blog, "show", url, "--format", "json"))
    assert post["title"] == '<script>alert(9)</script> & "quotes"'
    assert "javascript:" not in post["markdown"].replace("(javascript:alert(4))", "").replace(
        "(javascript:alert(5))", "")


def test_comment_markdown_is_rendered_else_its_escaped_text() -> None:
    """A comment's Markdown (when the catalog has it) is rendered; without it, the text stays
    text: what the commenter typed as markup is shown, never run."""
    rich = Comment("1", None, "Ada", "2024-01-01", "See here. Quoted", 0,
                   markdown="See [here](https://example.org/a).\n\n> Quoted")
    plain = Comment("2", "1", "Bob", "2024-01-02", "<script>alert(1)</script>\n\n- not markup", 1)
    empty = Comment("3", None, "Cy", None, "*just text*", 0, markdown="  ")
    view = PostView(1, "https://blog.example/p/", "blog.example", "T", None, "2024-01-01", None,
                    [], [], 1, "2024-01-01", "Body", "x.warc.gz", 0, markdown="Body",
                    comments=[rich, plain, empty])
    page_html = to_html(view)
    tree = lxml_html.fromstring(page_html)
    ada, bob, cy = tree.xpath("//li[b]")
    assert ada.xpath("p/a/@href") == ["https://example.org/a"]
    assert ada.xpath("blockquote/p/text()") == ["Quoted"]
    assert active_parts(page_html) == []
    assert [p.text for p in bob.xpath("p")] == ["<script>alert(1)</script>", "- not markup"]
    assert cy.xpath("p/text()") == ["*just text*"] and not cy.xpath(".//em")
    markdown = to_markdown(view)
    assert "> See [here](https://example.org/a).\n>\n> > Quoted" in markdown
    assert "> > \\<script>alert(1)\\</script>\n> >\n> > \\- not markup" in markdown
