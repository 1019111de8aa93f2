"""`blogarchive serve` over HTTP: pages, escaping, replay headers, hostile archives, load.

The server runs as a user starts it (`blogarchive --archive DIR serve --port 0`) on a copy of the
crawled archive (search keeps its index inside the catalog, and the shared crawl must stay as made).
"""

from __future__ import annotations

import http.client
import io
import json
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.catalog import Catalog, VersionRow
from archive.extract.model import Extraction
from tests.conftest import BIN, ROOT, CrawlRun, run_cli

HOSTILE_TITLE = "<script>alert(1)</script>"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e0e6a5b50000000049454e44ae426082")


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Reader:
    """A running `blogarchive serve` and a tiny HTTP client for it."""

    url: str
    archive: Path
    process: subprocess.Popen[str]
    log: Path
    host: str = field(init=False)
    port: int = field(init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname or "", parts.port or 80

    def get(self, path: str, method: str = "GET", headers: dict[str, str] | None = None) -> Page:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            return Page(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
        finally:
            connection.close()


@pytest.fixture(scope="module")
def reader(crawled: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    archive = tmp_path_factory.mktemp("web") / "archive"
    shutil.copytree(crawled.archive, archive)
    with serving(archive) as running:
        yield running


@pytest.fixture(scope="module")
def hostile(crawled: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    """A copy of the archive with a hostile title, hostile paths, a crafted and a broken WARC."""
    archive = tmp_path_factory.mktemp("hostile") / "archive"
    shutil.copytree(crawled.archive, archive)
    make_hostile(archive)
    with serving(archive) as running:
        yield running


@contextmanager
def serving(archive: Path) -> Iterator[Reader]:
    """Start `blogarchive serve --port 0` and read the URL it prints; stop it afterwards."""
    log = archive.parent / "serve.log"
    with open(log, "w") as errors:
        process = subprocess.Popen(
            [str(BIN / "blogarchive"), "--archive", str(archive), "serve", "--port", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, f"no URL in {line!r}: {log.read_text()}"
        yield Reader(match.group(0), archive, process, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


def write_warc(path: Path, records: list[tuple[str, str, list[tuple[str, str]], bytes]]
               ) -> list[tuple[int, int, str]]:
    """Write response records (url, status line, headers, body); return (offset, length, id)."""
    places = []
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, status, headers, body in records:
            http_headers = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                               http_headers=http_headers)
            offset = handle.tell()
            writer.write_record(record)
            places.append((offset, handle.tell() - offset,
                           record.rec_headers.get_header("WARC-Record-ID")))
    return places


def add_post(archive: Path, url: str, title: str, text: str, warc: tuple[str, int, int, str],
             captured_at: str = "2024-05-01T10:00:00+00:00", **meta: object) -> None:
    """Catalog a post (or a new version of one) whose capture is at ``warc``."""
    name = f"posts/crafted/{abs(hash((url, text))) % 10**8}.txt"
    (archive / name).parent.mkdir(parents=True, exist_ok=True)
    (archive / name).write_text(f"{title}\n=====\nURL: {url}\n\n{text}\n", encoding="utf-8")
    catalog = Catalog(archive / "catalog.sqlite")
    try:
        catalog.add_version(VersionRow(
            url=url, site=urlsplit(url).netloc, captured_at=captured_at, fetched_url=url,
            metadata=Extraction.from_dict({"title": title, "word_count": len(text.split()), **meta}),
            text_path=name,
            meta_path=name.replace(".txt", ".json"), warc_file=warc[0], warc_offset=warc[1],
            warc_length=warc[2], record_id=warc[3], payload_digest=None))
    finally:
        catalog.close()


EVIL_PAGE = b"""<!doctype html><html><head><title>Crafted page</title>
<link rel="stylesheet" href="/style.css"></head>
<body><h1 id="marker">Crafted page text marker</h1>
<p style="background: url('pic.png')">A picture:
<img id="pic" src="pic.png" srcset="pic.png 1x, big.png 2x"></p>
<a id="live" href="https://live.example/elsewhere">a live link</a>
<script>
try { parent.document.title = "pwned-parent"; } catch (e) {}
try { top.document.body.innerHTML = "pwned-top"; } catch (e) {}
try { document.cookie = "stolen=1; path=/"; } catch (e) {}
try { fetch("/canary-fetch").catch(function () {}); } catch (e) {}
try { new Image().src = "/canary-img"; } catch (e) {}
document.documentElement.setAttribute("data-ran", "yes");
</script></body></html>"""
EVIL_URL = "http://crafted.example/evil/"


def make_hostile(archive: Path) -> None:
    """Hostile rows and files: the reader must show errors, never crash or read outside."""
    warc = "crafted-00001.warc.gz"
    html = [("Content-Type", "text/html; charset=utf-8")]
    places = write_warc(archive / "warcs" / warc, [
        (EVIL_URL, "200 OK", html, EVIL_PAGE),
        ("http://crafted.example/style.css", "200 OK", [("Content-Type", "text/css")],
         b"h1 { color: rgb(1, 2, 3); background: url(evil/pic.png); }"),
        ("http://crafted.example/evil/pic.png", "200 OK", [("Content-Type", "image/png")], PNG),
        ("http://crafted.example/bad-encoding/", "200 OK",
         [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], b"this is not gzip"),
    ])
    with open(archive / "warcs" / warc, "ab") as handle:  # a malformed record at the tail
        handle.write(b"\x1f\x8b\x08\x00garbage that is no gzip member at all" * 20)
    (archive / "warcs" / "broken-00002.warc.gz").write_bytes(b"WARC/1.1\r\nnonsense\r\n\r\n" * 5)
    add_post(archive, EVIL_URL, HOSTILE_TITLE, "A crafted post whose title is a script.",
             (warc, *places[0]), author=HOSTILE_TITLE, categories=[HOSTILE_TITLE])
    db = sqlite3.connect(archive / "catalog.sqlite")
    with db:
        first, second = [r[0] for r in db.execute("SELECT id FROM versions ORDER BY id LIMIT 2")]
        db.execute("UPDATE versions SET text_path = '../../../../etc/passwd' WHERE id = ?", (first,))
        db.execute("UPDATE versions SET warc_file = '../../../../etc/passwd', warc_offset = 0, "
                   "record_id = 'x', fetched_url = 'http://nowhere.example/' WHERE id = ?", (second,))
    db.close()


def post_id(archive: Path, where: str, params: tuple[object, ...] = ()) -> int:
    db = sqlite3.connect(archive / "catalog.sqlite")
    try:
        row = db.execute(f"SELECT p.id FROM posts p JOIN versions v ON v.post_id = p.id WHERE {where}"
                         " ORDER BY p.id LIMIT 1", params).fetchone()
    finally:
        db.close()
    assert row, where
    return int(row[0])


def links(html: str, prefix: str) -> list[str]:
    """The links of ``<a>`` elements (not the ``<link rel=alternate>`` feeds of the head)."""
    return [unquote_amp(h) for h in
            re.findall(r'<a\b[^>]*\bhref="(' + re.escape(prefix) + r'[^"]*)"', html)]


def unquote_amp(href: str) -> str:
    return href.replace("&amp;", "&")


# --- the command -------------------------------------------------------------------------------

def test_serve_help_has_an_example() -> None:
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    assert "Example" in result.stdout and "--port" in result.stdout and "127.0.0.1" in result.stdout


def test_serve_without_archive_is_a_clean_error(tmp_path: Path) -> None:
    result = run_cli("serve", "--port", "0", archive=tmp_path / "none")
    assert result.returncode == 1 and "no archive" in result.stderr
    assert "Traceback" not in result.stderr


# --- pages -------------------------------------------------------------------------------------

def test_home_lists_every_blog_with_its_post_count(reader: Reader) -> None:
    page = reader.get("/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    db = sqlite3.connect(reader.archive / "catalog.sqlite")
    counts = dict(db.execute("SELECT site, COUNT(*) FROM posts GROUP BY site").fetchall())
    db.close()
    assert len(links(page.text, "/site/")) == len(counts) == 5
    for site, count in counts.items():
        assert f"/site/{site.replace(':', '%3A')}/" in page.text
        assert f"{count} post" in page.text


def test_browse_blog_by_year_month_category_and_tag(reader: Reader) -> None:
    home = reader.get("/")
    seen = {"year": 0, "month": 0, "category": 0, "tag": 0}
    for site_link in links(home.text, "/site/"):
        site = reader.get(site_link)
        assert site.status == 200
        for link in links(site.text, site_link):
            rest = link[len(site_link):].strip("/").split("/")
            kind = rest[0] if rest[0] in ("category", "tag") else ("month" if len(rest) == 2
                                                                   else "year")
            page = reader.get(link)
            assert page.status == 200, link
            assert links(page.text, "/post/"), f"no post listed on {link}"
            seen[kind] += 1
    assert all(seen.values()), seen


def test_reading_view_shows_text_metadata_comments_and_neighbours(reader: Reader) -> None:
    db = sqlite3.connect(reader.archive / "catalog.sqlite")
    version_id, title = db.execute(
        "SELECT c.version_id, v.title FROM comments c JOIN versions v ON v.id = c.version_id "
        "WHERE c.parent IS NOT NULL AND c.parent != '' LIMIT 1").fetchone()
    number = db.execute("SELECT post_id FROM versions WHERE id = ?", (version_id,)).fetchone()[0]
    replies = db.execute("SELECT COUNT(*) FROM comments WHERE version_id = ?",
                         (version_id,)).fetchone()[0]
    db.close()
    page = reader.get(f"/post/{number}")
    assert page.status == 200
    assert f"<h1>{escape(title)}</h1>" in page.text
    assert "words</span>" in page.text and "Published" in page.text
    assert page.text.count('<li id="comment-') == replies
    assert page.text.split('class="comments"', 1)[1].count('<ol class="thread">') >= 2  # nested
    assert 'rel="prev"' in page.text or 'rel="next"' in page.text
    assert "View original" in page.text and "WARC captures of this address" in page.text
    for neighbour in re.findall(r'rel="(?:prev|next)" href="(/post/\d+)"', page.text):
        assert reader.get(neighbour).status == 200


def test_search_lands_on_the_post(reader: Reader) -> None:
    db = sqlite3.connect(reader.archive / "catalog.sqlite")
    number, text_path = db.execute("SELECT post_id, text_path FROM versions WHERE word_count > 50 "
                                   "ORDER BY id LIMIT 1").fetchone()
    db.close()
    body = (reader.archive / text_path).read_text().split("\n\n", 1)[1]
    word = max(re.findall(r"[A-Za-z]+", body), key=len)
    page = reader.get(f"/search?q={word}")
    assert page.status == 200
    assert f'href="/post/{number}"' in page.text
    assert re.search(f"<mark>{word}</mark>", page.text, re.I)
    assert reader.get("/search?q=%22unbalanced").status == 200  # a query error is a message


def test_view_original_is_a_sandboxed_frame_over_a_strict_replay(reader: Reader) -> None:
    number = post_id(reader.archive, "v.word_count > 50")
    page = reader.get(f"/post/{number}/original")
    assert page.status == 200
    frame = re.search(r'<iframe[^>]*sandbox=""[^>]*src="(/replay/\d{14}/[^"]+)"', page.text)
    assert frame, page.text
    replayed = reader.get(unquote_amp(frame.group(1)))
    assert replayed.status == 200
    csp = replayed.headers["content-security-policy"]
    assert "default-src 'none'" in csp and csp.rstrip(";").endswith("sandbox")
    assert "script-src" not in csp  # scripts fall under default-src 'none'
    assert replayed.headers["x-content-type-options"] == "nosniff"
    assert replayed.headers["referrer-policy"] == "no-referrer"
    assert "set-cookie" not in replayed.headers


def test_every_replayed_post_links_only_inside_the_archive(reader: Reader) -> None:
    db = sqlite3.connect(reader.archive / "catalog.sqlite")
    numbers = [row[0] for row in db.execute("SELECT id FROM posts")]
    db.close()
    inside = ("/replay/", "/not-archived?url=", "#", "data:", "mailto:", "tel:", "about:")
    for number in numbers:
        frame = re.search(r'src="(/replay/[^"]+)"', reader.get(f"/post/{number}/original").text)
        assert frame, number
        replayed = reader.get(unquote_amp(frame.group(1)))
        assert replayed.status == 200
        for attribute in re.findall(r'\s(?:href|src|srcset|action|poster)="([^"]*)"', replayed.text):
            assert not attribute or attribute.startswith(inside), (number, attribute)


def test_only_get_and_head_are_answered(reader: Reader) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        page = reader.get("/", method=method)
        assert page.status == 405, method
        assert page.headers["allow"] == "GET, HEAD"
    head = reader.get("/", method="HEAD")
    assert head.status == 200 and head.text == ""


def test_reader_pages_forbid_scripts_and_foreign_hosts(reader: Reader) -> None:
    page = reader.get("/")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text
    assert reader.get("/", headers={"Host": "attacker.example"}).status == 400  # DNS rebinding


def test_unarchived_and_local_addresses_are_never_fetched(reader: Reader) -> None:
    for path in ("/replay/20200101000000/https://example.com/", "/replay/2020/file:///etc/passwd",
                 "/not-archived?url=https%3A%2F%2Fexample.com%2F"):
        page = reader.get(path)
        assert page.status == 404 and "not archived" in page.text.lower()
    assert reader.get("/replay/../../etc/passwd").status == 404
    assert reader.get("/static/..%2F..%2Fapp.py").status == 404


# --- hostile archives --------------------------------------------------------------------------

def escape(text: str) -> str:
    import html

    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


def test_hostile_title_is_shown_as_text(hostile: Reader) -> None:
    number = post_id(hostile.archive, "p.url = ?", (EVIL_URL,))
    pages = [hostile.get(f"/post/{number}"), hostile.get("/site/crafted.example/"),
             hostile.get("/search?q=crafted"), hostile.get(f"/post/{number}/original")]
    for page in pages:
        assert page.status == 200
        assert HOSTILE_TITLE not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_hostile_catalog_paths_give_error_pages(hostile: Reader) -> None:
    db = sqlite3.connect(hostile.archive / "catalog.sqlite")
    text_post, warc_post = [r[0] for r in db.execute(
        "SELECT post_id FROM versions WHERE text_path LIKE '../%' OR warc_file LIKE '../%' "
        "ORDER BY id")]
    db.close()
    page = hostile.get(f"/post/{text_post}")
    assert page.status == 500 and "outside the archive" in page.text
    assert "root:" not in page.text
    page = hostile.get(f"/post/{warc_post}/original")
    assert page.status == 404 and "Capture not found" in page.text and "root:" not in page.text
    assert hostile.get("/").status == 200


def test_malformed_warc_records_give_error_pages(hostile: Reader) -> None:
    page = hostile.get("/replay/20240501000000/http://crafted.example/bad-encoding/")
    assert page.status == 502 and "cannot be replayed" in page.text
    assert hostile.get(f"/replay/20240501000000/{EVIL_URL}").status == 200  # before the garbage
    assert hostile.get("/").status == 200


def test_replay_serves_archived_stylesheets_and_images(hostile: Reader) -> None:
    page = hostile.get(f"/replay/20240501000000/{EVIL_URL}")
    assert "Crafted page text marker" in page.text
    css_link = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    assert css_link and css_link.group(1).startswith("/replay/")
    css = hostile.get(css_link.group(1))
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")
    assert "url(\"/replay/" in css.text
    image = re.search(r'<img id="pic" src="([^"]+)" srcset="([^"]+)"', page.text)
    assert image and image.group(1).startswith("/replay/")
    assert image.group(2).startswith("/replay/") and "/not-archived?url=" in image.group(2)
    assert "style=\"background: url(&#x27;/replay/" in page.text
    assert links(page.text, "/not-archived?url=https%3A%2F%2Flive.example")
    connection = http.client.HTTPConnection(hostile.host, hostile.port, timeout=10)
    connection.request("GET", image.group(1))
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Content-Type") == "image/png"
    assert response.read() == PNG
    connection.close()


def test_versions_are_listed_with_a_word_diff(hostile: Reader, tmp_path: Path) -> None:
    url = "http://crafted.example/edited/"
    place = ("crafted-00001.warc.gz", 0, 1, "<urn:uuid:none>")
    archive = tmp_path / "archive"
    shutil.copytree(hostile.archive, archive)
    add_post(archive, url, "Edited", "The quick brown fox jumps over the lazy dog.", place,
             captured_at="2024-05-01T10:00:00+00:00")
    add_post(archive, url, "Edited", "The quick red fox leaps over the lazy dog.", place,
             captured_at="2024-06-01T10:00:00+00:00")
    with serving(archive) as running:
        page = running.get(f"/post/{post_id(archive, 'p.url = ?', (url,))}")
    assert page.status == 200
    assert "v1" in page.text and "v2" in page.text and "1 May 2024" in page.text
    assert "<del>brown</del> <ins>red</ins>" in page.text
    assert "<del>jumps</del> <ins>leaps</ins>" in page.text


# --- load --------------------------------------------------------------------------------------

def test_holds_50_concurrent_clients(reader: Reader) -> None:
    number = post_id(reader.archive, "v.word_count > 50")
    frame = re.search(r'src="(/replay/[^"]+)"', reader.get(f"/post/{number}/original").text)
    assert frame
    paths = ["/", f"/post/{number}", "/search?q=the", unquote_amp(frame.group(1)),
             "/static/reader.css", links(reader.get("/").text, "/site/")[0]]
    total, clients = 2000, 50

    def fetch(i: int) -> int:
        try:
            return reader.get(paths[i % len(paths)]).status
        except OSError:
            return -1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = list(pool.map(fetch, range(total)))
    elapsed = time.perf_counter() - started
    errors = [s for s in statuses if s != 200]
    print(f"\nload: {total} requests, {clients} clients, {elapsed:.2f} s, "
          f"{total / elapsed:.0f} requests/s, {len(errors)} errors")
    assert not errors, json.dumps(errors[:20])
