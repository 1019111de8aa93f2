"""Page requisites across crawls: revalidated once, and never stored twice with the same bytes.

A small server on 127.0.0.1 serves four resources: a stylesheet that answers ``If-None-Match``
with 304, an image that ignores validators (an identical 200 every time), and two image URLs with
identical bytes. A requisite-only spider (``tests/fixtures/requisite_spider.py``) fetches them
through the real downloader stack (``scrapy runspider``) twice into one archive, the second time
revalidating (``-a revalidate=1``; a third, default run asks for none of them). The second crawl
must write only revisits; the identical pair must cost one body in the first crawl; and
``reindex`` must rebuild the ``resources`` table the crawls wrote, row for row.
"""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.catalog.resources import ResourceRow, resource_rows
from archive.layout import Layout
from archive.warc.capture import payload_digest
from tests.conftest import BIN, FAST, ROOT, CrawlRun, run_cli

pytestmark = pytest.mark.e2e

CSS = b"body { color: #123456; background: url(a.png) }\n" * 20
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
SAME = b"GIF89a" + b"\x01\x02\x03" * 500
RESOURCES: dict[str, tuple[bytes, str, dict[str, str], bool]] = {
    # path: (body, content type, validators, whether If-None-Match is honoured)
    "/style.css": (CSS, "text/css", {"ETag": '"css-1"',
                                     "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"}, True),
    "/ignores.png": (PNG, "image/png", {"ETag": '"png-1"'}, False),
    "/a.gif": (SAME, "image/gif", {}, False),
    "/b.gif": (SAME, "image/gif", {}, False),
}
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


class Handler(BaseHTTPRequestHandler):
    log: list[tuple[str, dict[str, str]]]

    def do_GET(self) -> None:
        self.log.append((self.path, dict(self.headers.items())))
        if self.path not in RESOURCES:
            self.send_error(404)
            return
        body, kind, validators, honours = RESOURCES[self.path]
        etag = validators.get("ETag")
        if honours and etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in validators.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Site:
    base: str
    log: list[tuple[str, dict[str, str]]]

    def urls(self, *paths: str) -> list[str]:
        return [self.base + p for p in paths]


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    log: list[tuple[str, dict[str, str]]] = []
    handler = type("LoggingHandler", (Handler,), {"log": log})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", log)
    finally:
        server.shutdown()
        server.server_close()


def fetch_requisites(archive: Path, urls: list[str], revalidate: bool = False) -> dict[str, Any]:
    """One `scrapy runspider` of the requisite spider; returns its stats (from the run report)."""
    result = subprocess.run(
        [str(BIN / "scrapy"), "runspider", str(ROOT / "tests/fixtures/requisite_spider.py"),
         "-a", "urls=" + ",".join(urls), "-a", f"revalidate={int(revalidate)}",
         "-s", f"ARCHIVE_DIR={archive}",
         "-s", "CONCURRENT_REQUESTS=1", *FAST],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return CrawlRun(archive, result.returncode, result.stderr, []).stats


def records(paths: list[Path]) -> list[dict[str, Any]]:
    out = []
    for path in paths:
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type in ("response", "revisit"):
                    out.append({"type": record.rec_type, "file": path.name,
                                **dict(record.rec_headers.headers),
                                "body": record.content_stream().read()})
    return out


def catalog_rows(archive: Path) -> list[ResourceRow]:
    db = sqlite3.connect(Layout(archive).catalog_path)
    try:
        return resource_rows(db)
    finally:
        db.close()


@dataclass
class TwoCrawls:
    archive: Path
    first: list[dict[str, Any]]
    second: list[dict[str, Any]]
    first_stats: dict[str, Any]
    second_stats: dict[str, Any]
    second_requests: list[tuple[str, dict[str, str]]]


@pytest.fixture(scope="module")
def two_crawls(site: Site, tmp_path_factory: pytest.TempPathFactory) -> TwoCrawls:
    archive = tmp_path_factory.mktemp("requisites")
    urls = site.urls(*RESOURCES)
    first_stats = fetch_requisites(archive, urls)
    before = set(Layout(archive).warc_dir.glob("*.warc.gz"))
    del site.log[:]
    second_stats = fetch_requisites(archive, urls, revalidate=True)
    after = sorted(set(Layout(archive).warc_dir.glob("*.warc.gz")) - before)
    return TwoCrawls(archive, records(sorted(before)), records(after), first_stats,
                     second_stats, list(site.log))


def by_url(recs: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    return [r for r in recs if r["WARC-Target-URI"].endswith(path)]


def test_identical_bytes_under_two_urls_are_stored_once(two_crawls: TwoCrawls) -> None:
    """In one crawl, the second URL serving the same bytes refers to the first one's record."""
    (a,), (b,) = by_url(two_crawls.first, "/a.gif"), by_url(two_crawls.first, "/b.gif")
    assert a["type"] == "response" and a["body"] == SAME
    assert b["type"] == "revisit"
    assert b["WARC-Profile"] == IDENTICAL
    assert b["WARC-Refers-To-Target-URI"] == a["WARC-Target-URI"]
    assert b["WARC-Refers-To-Date"] == a["WARC-Date"]
    assert b["WARC-Refers-To"] == a["WARC-Record-ID"]
    assert b["WARC-Payload-Digest"] == a["WARC-Payload-Digest"] == payload_digest(SAME)
    assert b["WARC-Truncated"] == "length"
    assert b"GIF89a" not in b["body"]  # headers only
    assert two_crawls.first_stats["requisites/revisited/identical"] == 1


def test_first_crawl_stores_every_other_requisite_in_full(two_crawls: TwoCrawls) -> None:
    for path in ("/style.css", "/ignores.png"):
        (record,) = by_url(two_crawls.first, path)
        assert record["type"] == "response"
        assert record["WARC-Resource-Type"] in ("stylesheet", "image")


def test_second_crawl_asks_conditionally_once(two_crawls: TwoCrawls) -> None:
    """Validators of the archived capture are sent, once per URL; none where there were none."""
    asked = [(path, headers) for path, headers in two_crawls.second_requests
             if path != "/robots.txt"]
    sent = dict(asked)
    assert len(asked) == len(RESOURCES)
    assert sent["/style.css"]["If-None-Match"] == '"css-1"'
    assert sent["/style.css"]["If-Modified-Since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert sent["/ignores.png"]["If-None-Match"] == '"png-1"'
    assert "If-None-Match" not in sent["/a.gif"]
    assert two_crawls.second_stats["requisites/conditional"] == 2


def test_a_default_run_asks_for_no_archived_requisite(two_crawls: TwoCrawls, site: Site) -> None:
    """Without revalidation a requisite the archive holds in full is not asked at all: replay uses
    its capture. One it lacks is fetched as usual; so is /b.gif, archived only as a revisit of
    /a.gif's bytes (the catalog's resources are full captures): it costs a revisit again."""
    del site.log[:]
    before = set(Layout(two_crawls.archive).warc_dir.glob("*.warc.gz"))
    stats = fetch_requisites(two_crawls.archive, site.urls(*RESOURCES, "/new.png"))
    asked = [path for path, _ in site.log if path != "/robots.txt"]
    assert asked == ["/b.gif", "/new.png"]
    assert stats["requisites/known_skipped"] == len(RESOURCES) - 1
    after = records(sorted(set(Layout(two_crawls.archive).warc_dir.glob("*.warc.gz")) - before))
    assert [(r["type"], r["WARC-Target-URI"]) for r in after
            if not r["WARC-Target-URI"].endswith("/robots.txt")] == [
        ("revisit", site.base + "/b.gif"), ("response", site.base + "/new.png")]


def test_second_crawl_writes_only_revisits(two_crawls: TwoCrawls) -> None:
    """304 -> server-not-modified (empty block); identical 200s -> identical-payload-digest."""
    requisites = [r for r in two_crawls.second if "WARC-Resource-Type" in r]
    assert len(requisites) == len(RESOURCES)
    assert {r["type"] for r in requisites} == {"revisit"}
    assert not [r for r in two_crawls.second if r["type"] == "response"
                and not r["WARC-Target-URI"].endswith("/robots.txt")]
    original = {r["WARC-Target-URI"]: r for r in two_crawls.first if r["type"] == "response"}
    (css,) = by_url(two_crawls.second, "/style.css")
    assert css["WARC-Profile"] == NOT_MODIFIED and css["body"] == b""
    first_css = original[css["WARC-Target-URI"]]
    assert (css["WARC-Refers-To"], css["WARC-Refers-To-Date"], css["WARC-Refers-To-Target-URI"]) \
        == (first_css["WARC-Record-ID"], first_css["WARC-Date"], first_css["WARC-Target-URI"])
    (png,) = by_url(two_crawls.second, "/ignores.png")
    assert png["WARC-Profile"] == IDENTICAL
    assert png["WARC-Refers-To"] == original[png["WARC-Target-URI"]]["WARC-Record-ID"]
    a_url = next(u for u in original if u.endswith("/a.gif"))
    for path in ("/a.gif", "/b.gif"):  # b.gif was never stored in full: both refer to a.gif
        (record,) = by_url(two_crawls.second, path)
        assert record["WARC-Profile"] == IDENTICAL
        assert record["WARC-Refers-To-Target-URI"] == a_url
        assert record["WARC-Refers-To"] == original[a_url]["WARC-Record-ID"]
    assert two_crawls.second_stats["requisites/revisited/not_modified"] == 1
    assert two_crawls.second_stats["requisites/revisited/identical"] == 3


def test_catalog_holds_the_latest_full_capture_of_each_requisite(two_crawls: TwoCrawls) -> None:
    rows = {row.url.rsplit("/", 1)[1]: row for row in catalog_rows(two_crawls.archive)}
    assert sorted(rows) == ["a.gif", "ignores.png", "style.css"]  # b.gif: only ever a revisit
    full = {r["WARC-Record-ID"]: r for r in two_crawls.first if r["type"] == "response"}
    for row in rows.values():
        record = full[row.record_id]
        assert row.payload_digest == record["WARC-Payload-Digest"]
        assert row.warc_file == record["file"] and row.status == 200
    assert rows["style.css"].etag == '"css-1"' and rows["style.css"].kind == "stylesheet"


def test_reindex_rebuilds_the_resources_table_identically(two_crawls: TwoCrawls,
                                                          tmp_path: Path) -> None:
    before = catalog_rows(two_crawls.archive)
    assert before
    result = run_cli("reindex", archive=two_crawls.archive)
    assert result.returncode == 0, result.stderr
    assert catalog_rows(two_crawls.archive) == before


def test_shard_resources_are_read_and_merged_newest_first(tmp_path: Path) -> None:
    """A scale-out worker writes its rows into its own shard; readers and `merge` see them, and
    a URL keeps its newest capture whichever catalog holds it."""
    from archive.catalog import Catalog
    from archive.catalog.combined import open_combined
    from archive.catalog.resources import ResourceWriter
    from archive.maintain.merge import merge_shards

    def row(url: str, when: str, record: str) -> ResourceRow:
        return ResourceRow(url, when, record, "sha1:X", None, None, 200, "image", "f.warc.gz", 0, 1)

    layout = Layout(tmp_path)
    old, new, other = (row("http://h/a.png", "2024-01-01T00:00:00+00:00", "<old>"),
                       row("http://h/a.png", "2024-02-01T00:00:00+00:00", "<new>"),
                       row("http://h/b.png", "2024-01-01T00:00:00+00:00", "<b>"))
    for path, rows in ((layout.catalog_path, [new]), (layout.shard_path("w-1"), [old, other])):
        writer = ResourceWriter(Catalog(path).db)
        for item in rows:
            writer.add(item)
        writer.close()
    view = open_combined(layout)
    try:
        assert resource_rows(view.db) == [new, other]
    finally:
        view.close()
    merge_shards(layout)
    with Catalog(layout.catalog_path) as merged:
        assert resource_rows(merged.db) == [new, other]
