"""The reader's reading view shows the reading copy's structure, from the archive alone (issue 17).

A small blog (``tests/fixtures/readingblog/``: two posts, one with two captioned figures, a quote
inside a quote with its citation, a table, a code block, a list, a footnote, a link to the other
post, a link elsewhere, text that displays a ``<script>`` tag, and a comment) is served on
127.0.0.1, crawled with the real ``scrapy crawl blog``, and its server stopped before the reader
starts: an image or page still fetched from the live site would fail, not quietly load. The second
figure's image lives on a host the crawl never asks (``cdn.example.invalid``), so it is the
"never captured" case. Its own server is used instead of the shared fixture blogs so that their
post counts, which other tests assert, stay as they are.

The reader runs as a user starts it (``blogarchive serve``); the last test reads the post in
headless Chromium and keeps a screenshot in ``tests/artifacts/reading-copy.png``.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from playwright import sync_api

from archive.catalog.open import open_read
from archive.layout import Layout
from archive.web.relink import archived_posts
from archive.web.warcindex import build_index
from tests.conftest import FAST, ROOT
from tests.test_replay_looks import png
from tests.test_replay_tools import free_port, wait_for
from tests.test_web import Reader, post_id, serving
from tests.test_web_browser import ARTIFACTS, CHROMIUM, FLAGS

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent
FIXTURE = Path(__file__).parent / "fixtures" / "readingblog"
POST_PATH = "/2024/06/figures-quotes-and-a-table/"
FIRST_PATH = "/2024/06/the-first-post/"
HARBOUR_PATH = "/wp-content/uploads/2024/06/harbour.png"
HARBOUR_BLUE = (30, 90, 200)
# A blue picture with a white band, so a wrong or missing image is visible in the screenshot.
HARBOUR = png(320, 160, lambda x, y: (250, 250, 250) if 70 <= y < 90 else HARBOUR_BLUE)
COMMENT_MARKDOWN = ("> The harbour picture is lovely.\n\nMy notes are on [my site](https://example.net/notes)"
                    " and [the first post]({first}); a \\<script> in a comment stays text.")


@dataclass
class Crawled:
    live: str
    archive: Path
    log: str


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    """Serve the blog, crawl it, and stop the live server before anything is read."""
    base = tmp_path_factory.mktemp("readingblog")
    site = base / "site"
    for page, path in (("index.html", "/"), ("post.html", POST_PATH), ("first.html", FIRST_PATH)):
        (site / path.strip("/")).mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURE / page, site / path.strip("/") / "index.html")
    (site / HARBOUR_PATH.strip("/")).parent.mkdir(parents=True)
    (site / HARBOUR_PATH.strip("/")).write_bytes(HARBOUR)
    port = free_port()
    live = f"http://127.0.0.1:{port}"
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
        f'sitemap/0.9"><url><loc>{live}{FIRST_PATH}</loc></url><url><loc>{live}{POST_PATH}</loc>'
        "</url></urlset>\n")
    with open(base / "live.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
             "--directory", str(site)], stdout=log, stderr=log)
    try:
        wait_for(port)
        crawl = subprocess.run(
            [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={live}/",
             "-s", f"ARCHIVE_DIR={base / 'archive'}", *FAST], cwd=ROOT, capture_output=True,
            text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    return Crawled(live, base / "archive", crawl.stdout + crawl.stderr)


@pytest.fixture(scope="module")
def reader(crawled: Crawled, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    """The reader on a copy whose first comment has Markdown and whose second has none."""
    archive = tmp_path_factory.mktemp("reading") / "archive"
    shutil.copytree(crawled.archive, archive)
    db = sqlite3.connect(archive / "catalog.sqlite")
    with db:
        if "markdown" not in {row[1] for row in db.execute("PRAGMA table_info(comments)")}:
            db.execute("ALTER TABLE comments ADD COLUMN markdown TEXT")  # as issue 17 adds it
        db.execute("UPDATE comments SET markdown = ? WHERE comment_id = '31'",
                   (COMMENT_MARKDOWN.format(first=crawled.live + FIRST_PATH),))
        db.execute("UPDATE comments SET markdown = '' WHERE comment_id = '32'")
    db.close()
    with serving(archive) as running:
        yield running


def numbers(reader: Reader, live: str) -> tuple[int, int]:
    """The catalog ids of the structured post and of the first post."""
    return (post_id(reader.archive, "p.url = ?", (live + POST_PATH,)),
            post_id(reader.archive, "p.url = ?", (live + FIRST_PATH,)))


def fetch_bytes(reader: Reader, path: str) -> tuple[int, str, bytes]:
    """Status, type and body of a reader address, the body as bytes."""
    connection = http.client.HTTPConnection(reader.host, reader.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def body_of(page_html: str) -> Any:
    return lxml.html.fromstring(page_html).xpath('//article[@class="post"]/div[@class="body"]')[0]


def test_the_crawl_archived_both_posts_and_the_harbour_image(crawled: Crawled) -> None:
    db = sqlite3.connect(crawled.archive / "catalog.sqlite")
    urls = sorted(row[0] for row in db.execute("SELECT url FROM posts"))
    db.close()
    assert urls == sorted([crawled.live + FIRST_PATH, crawled.live + POST_PATH]), crawled.log[-3000:]
    index = build_index(Layout(crawled.archive))
    harbour = index.lookup(crawled.live + HARBOUR_PATH)
    assert harbour is not None and harbour.status == 200 and harbour.mime == "image/png"
    assert index.lookup("https://cdn.example.invalid/photos/lost-lighthouse.png") is None


def test_reading_view_keeps_headings_figures_quotes_tables_code_and_lists(
        reader: Reader, crawled: Crawled) -> None:
    number, _ = numbers(reader, crawled.live)
    page = reader.get(f"/post/{number}")
    assert page.status == 200, page.text
    body = body_of(page.text)
    assert body.xpath("h2/text()") == ["Two figures", "What others said", "A table", "Some code"]
    figures = body.xpath("figure")
    assert len(figures) == 2
    assert figures[0].xpath("figcaption/text()") == ["The harbour at dawn, from the north pier."]
    assert figures[0].xpath("img/@alt") == ["A blue harbour"]
    assert figures[1].xpath("figcaption/text()") == ["A lighthouse that was never captured."]
    outer = body.xpath("blockquote")
    assert len(outer) == 1
    assert outer[0].xpath("p/text()") == ["Every archive is an argument about what matters."]
    assert outer[0].xpath("blockquote/p/text()") == ["And every argument quotes another."]
    assert outer[0].xpath('footer[@class="citation"]/text()') == ["— Ada Lovelace, Notes"]
    assert body.xpath("table/thead/tr/th/text()") == ["Harbour", "Boats"]
    assert body.xpath("table/tbody/tr/td/text()") == ["North pier", "12", "South quay", "7"]
    assert body.xpath("pre/code/text()") == ["def harbour(boats):\n    return sorted(boats)\n"]
    assert body.xpath("ul/li/text()") == ["First point", "Second point"]


def test_images_are_served_from_the_archive_and_a_missing_one_is_a_placeholder(
        reader: Reader, crawled: Crawled) -> None:
    number, _ = numbers(reader, crawled.live)
    page = reader.get(f"/post/{number}")
    body = body_of(page.text)
    sources = body.xpath("//img/@src")
    assert len(sources) == 1, sources
    assert sources[0].startswith("/replay/") and sources[0].endswith(crawled.live + HARBOUR_PATH)
    status, kind, data = fetch_bytes(reader, sources[0])
    assert status == 200 and kind == "image/png"
    assert data == HARBOUR  # the archived bytes, as the blog served them
    missing = body.xpath('figure/span[@class="image-missing"]')
    assert len(missing) == 1
    assert missing[0].text_content() == "Image not archived: The lost lighthouse"
    assert "cdn.example.invalid" not in page.text  # never even named as a source
    csp = page.headers["content-security-policy"]
    assert "img-src 'self' data:" in csp and "default-src 'none'" in csp


def test_links_to_archived_posts_open_their_reading_view_and_others_are_marked(
        reader: Reader, crawled: Crawled) -> None:
    number, first = numbers(reader, crawled.live)
    body = body_of(reader.get(f"/post/{number}").text)
    (internal,) = body.xpath('.//a[text()="the first post"]')
    assert internal.get("href") == f"/post/{first}" and internal.get("class") is None
    assert "The first post" in reader.get(internal.get("href")).text
    (external,) = body.xpath('.//a[text()="a page elsewhere"]')
    assert external.get("href") == "https://example.org/elsewhere"
    assert external.get("class") == "external" and "Leaves the archive" in external.get("title")
    assert external.get("rel") == "noopener noreferrer"
    (note,) = body.xpath('.//sup[@class="footnote-ref"]/a')
    assert note.get("href") == "#fn1" and note.get("class") is None
    assert body.xpath('.//li[@id="fn1"]/p/text()')[0].strip() == "A footnote that stays in the page."


def test_links_match_posts_across_scheme_www_and_trailing_slash(
        reader: Reader, crawled: Crawled) -> None:
    _, first = numbers(reader, crawled.live)
    written = crawled.live + FIRST_PATH
    forms = [written, written.rstrip("/"), written.replace("http://", "https://"),
             written.replace("http://", "http://www.").rstrip("/") + "#comments"]
    with open_read(Layout(reader.archive)) as catalog:
        found = archived_posts(catalog, [*forms, crawled.live + "/2024/06/never-archived/"])
    assert found == dict.fromkeys(forms, first)


def test_displayed_tags_stay_text_in_body_and_comments(reader: Reader, crawled: Crawled) -> None:
    number, _ = numbers(reader, crawled.live)
    page = reader.get(f"/post/{number}")
    assert "<script" not in page.text.lower()
    assert "A page may say &lt;script&gt;alert(&quot;reading&quot;)&lt;/script&gt;" in page.text
    first, second = lxml.html.fromstring(page.text).xpath('//div[@class="comment-body"]')
    assert "a <script> in a comment stays text" in first.text_content()
    assert "and <b>this</b> is no markup" in second.text_content()
    assert not first.xpath(".//script") and not second.xpath(".//b")


def test_comments_render_their_markdown_or_else_their_text(reader: Reader, crawled: Crawled) -> None:
    number, first = numbers(reader, crawled.live)
    page = lxml.html.fromstring(reader.get(f"/post/{number}").text)
    (with_markdown,) = page.xpath('//li[@id="comment-31"]/div[@class="comment-body"]')
    assert with_markdown.xpath("blockquote/p/text()") == ["The harbour picture is lovely."]
    assert with_markdown.xpath('.//a[text()="the first post"]/@href') == [f"/post/{first}"]
    assert with_markdown.xpath('.//a[@class="external"]/@href') == ["https://example.net/notes"]
    (plain,) = page.xpath('//li[@id="comment-32"]/div[@class="comment-body"]')
    assert plain.xpath("p/text()") == ["Thank you: I walked there this morning, and <b>this</b> "
                                       "is no markup."]
    assert not plain.xpath(".//a | .//blockquote")


def test_a_version_without_markdown_shows_its_text(crawled: Crawled, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(crawled.archive, archive)
    db = sqlite3.connect(archive / "catalog.sqlite")
    (meta_path,) = db.execute("SELECT v.meta_path FROM versions v JOIN posts p ON p.id = v.post_id"
                              " WHERE p.url = ?", (crawled.live + POST_PATH,)).fetchone()
    db.close()
    sidecar = json.loads((archive / meta_path).read_text())
    assert sidecar.pop("markdown").startswith("This post carries the structure")
    (archive / meta_path).write_text(json.dumps(sidecar))
    with serving(archive) as running:
        number, _ = numbers(running, crawled.live)
        page = running.get(f"/post/{number}")
    assert page.status == 200
    body = body_of(page.text)
    assert not body.xpath(".//figure | .//img | .//table | .//a")
    assert "Every archive is an argument about what matters." in body.xpath("p/text()")
    assert "&lt;script&gt;alert(&quot;reading&quot;)&lt;/script&gt;" in page.text


# --- in Chromium ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    assert CHROMIUM.exists(), "no /usr/bin/chromium: run `sh tests/system-packages.sh`"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")), executable_path=str(CHROMIUM),
            headless=True, args=FLAGS, viewport={"width": 1000, "height": 900})
        try:
            yield context
        finally:
            context.close()


DRAWN = """(img) => {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0);
    return {width: img.naturalWidth, shown: img.getBoundingClientRect().width,
            pixel: Array.from(context.getImageData(10, 10, 1, 1).data.slice(0, 3))};
}"""


def test_reading_view_in_chromium_shows_figure_table_and_quote(
        chromium: Any, reader: Reader, crawled: Crawled) -> None:
    number, _ = numbers(reader, crawled.live)
    origin = reader.url.rstrip("/")
    requests: list[str] = []
    page = chromium.new_page()
    page.on("response", lambda r: requests.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: requests.append(f"failed {r.url} {r.failure}"))
    try:
        page.goto(f"{origin}/post/{number}", wait_until="networkidle")
        image = page.locator(".body figure img")
        image.scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('.body figure img').complete")
        drawn = image.evaluate(DRAWN)
        visible = {name: page.locator(selector).first.is_visible() for name, selector in (
            ("table", ".body table"), ("quote", ".body blockquote blockquote"),
            ("caption", ".body figcaption"), ("placeholder", ".body .image-missing"),
            ("code", ".body pre"))}
        marker = page.locator(".body a.external").first.evaluate(
            "(a) => getComputedStyle(a, '::after').content")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "reading-copy.png"), full_page=True)
    finally:
        page.close()
    assert drawn["width"] == 320 and drawn["shown"] > 0, drawn
    assert drawn["pixel"] == list(HARBOUR_BLUE), drawn  # the archived picture, decoded and drawn
    assert all(visible.values()), visible
    assert marker == '"\u2197"'
    wrong = [r for r in requests if not r.startswith(("200 " + origin, "304 " + origin))]
    assert not wrong, f"requests not answered by the archive: {wrong}"
    assert any(r.startswith("200 ") and r.endswith(HARBOUR_PATH) for r in requests)
