"""Hostile and broken servers: each case ends with a clear log line and a counter, the crawl goes on.

A good blog is archived first; the ``hostile`` blog is then crawled into the same archive, and the
good blog's WARC files and catalog rows must come out byte for byte the same.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.layout import Layout
from tests.conftest import BIN, CrawlRun, run_crawl
from tests.fixtures.blogs import BLOGS
from tests.fixtures.blogs.hostile import HOSTILE_CASES, HOSTILE_POSTS, LATIN1_TEXT
from tests.fixtures.server import FixtureServer

pytestmark = pytest.mark.e2e
MAXSIZE = 4 * 1024 * 1024
LIMITS = ("-s", f"DOWNLOAD_MAXSIZE={MAXSIZE}", "-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_TIMES=1",
          "-s", "RETRY_AFTER_MAX=3", "-s", "DISCOVERY_MAX_LINKS_PER_PAGE=50",
          "-s", "DISCOVERY_MAX_PAGE=20")


@dataclass
class Hostile:
    run: CrawlRun
    before: dict[str, Any]   # the good blog's files and rows before the hostile crawl
    base: str


def snapshot(archive: Path, site_url: str) -> dict[str, Any]:
    layout = Layout(archive)
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(layout.warc_dir.glob("*.warc.gz"))}
    db = sqlite3.connect(layout.catalog_path)
    query = ("SELECT p.url, p.first_seen, v.* FROM posts p JOIN versions v ON v.post_id = p.id "
             "WHERE p.url LIKE ? ORDER BY v.id")
    rows = [tuple(r) for r in db.execute(query, (site_url + "%",))]
    texts = {rel: hashlib.sha256((archive / rel).read_bytes()).hexdigest()
             for row in db.execute("SELECT v.text_path, v.meta_path FROM posts p JOIN versions v "
                                   "ON v.post_id = p.id WHERE p.url LIKE ?", (site_url + "%",))
             for rel in row}
    db.close()
    return {"files": files, "rows": rows, "texts": texts}


@pytest.fixture(scope="module")
def hostile(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    server.restore()
    archive = tmp_path_factory.mktemp("hostile")
    good = run_crawl(server, archive, ["linksonly"])
    assert good.returncode == 0, good.log[-3000:]
    before = snapshot(archive, server.urls["linksonly"])
    assert before["files"] and before["rows"]
    run = run_crawl(server, archive, ["hostile"], *LIMITS)
    assert run.returncode == 0, run.log[-5000:]
    return Hostile(run, before, server.urls["hostile"])


def responses(archive: Path) -> list[tuple[str, int, str | None, int, str, dict[str, str]]]:
    """(URL, status, WARC-Truncated, body length, WARC-Date, HTTP headers) of every response."""
    found = []
    for path in sorted(Layout(archive).warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type != "response":
                    continue
                body = record.raw_stream.read()
                found.append((record.rec_headers.get_header("WARC-Target-URI"),
                              int(record.http_headers.get_statuscode()),
                              record.rec_headers.get_header("WARC-Truncated"), len(body),
                              record.rec_headers.get_header("WARC-Date"),
                              dict(record.http_headers.headers)))
    return found


def of(hostile: Hostile, case: str) -> list[tuple[str, int, str | None, int, str, dict[str, str]]]:
    url = hostile.base.rstrip("/") + HOSTILE_CASES[case]
    return [r for r in responses(hostile.run.archive) if r[0] == url]


# (case, a regular expression the log must match, the stats counter that must be >= 1)
CASES = [
    ("huge", r"/huge/: body cut after 4194304 bytes \(larger than DOWNLOAD_MAXSIZE",
     "crawl/truncated/length"),
    ("bomb", r"/bomb/> because its body .* exceeded DOWNLOAD_MAXSIZE", "crawl/decompression_bomb"),
    ("sitemap_bomb", r"sitemap-bomb\.xml\.gz: gzip body expands beyond DOWNLOAD_MAXSIZE",
     "crawl/decompression_bomb"),
    ("latin1", r"/cafe-latin1/: declares charset=utf-8 but is not valid utf-8",
     "crawl/charset_mismatch"),
    ("binary", r"/binary/: binary data served as text/html", "crawl/binary_as_html"),
    ("cut_short", r"/cut-short/: body cut after \d+ bytes \(the server closed the connection",
     "crawl/truncated/disconnect"),
    ("trickle", r"/trickle/: failed \(DownloadTimeoutError",
     "downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError"),
    ("loop", r"/loop-a/: redirect loop back to", "crawl/redirect/loop"),
    ("chain", r"/chain/1/: more than REDIRECT_MAX_TIMES=20 redirects", "crawl/redirect/too_many"),
    ("offsite_redirect", r"/leave/: redirects outside the crawl scope to https://elsewhere",
     "crawl/redirect/offsite"),
    ("retry_429", r"/busy/: HTTP 429 with Retry-After: 2: retrying in 2\.0 s",
     "crawl/retry_after/waits"),
    ("retry_503", r"/maintenance/: HTTP 503 with Retry-After: \w{3}, ", "crawl/retry_after/waits"),
    ("retry_capped", r"/overloaded/: HTTP 429 with Retry-After: 3600: retrying in 3\.0 s \(capped",
     "crawl/retry_after/capped"),
    ("error500", r"/crash/: failed \(HTTP 500\)", "crawl/http_error/500"),
    ("calendar", r"Not following \S+/2028/01/\?cal=next \(a date archive outside",
     "discovery/links/calendar_capped"),
    ("wp_calendar", r"Not following \S+/\?m=202201 \(a WordPress trap URL", "discovery/links/trap"),
    ("pages", r"Not following \S+/list/\?page=21 \(page 21 > DISCOVERY_MAX_PAGE=20",
     "discovery/links/pagination_capped"),
    ("many_links", r"/many-links/ has 100000 links: following only the first 50",
     "discovery/links/capped_pages"),
    ("bad_sitemap", r"/sitemap\.xml: malformed sitemap", "discovery/sitemap/malformed"),
    ("bad_feed", r"/bad-feed\.xml: malformed feed", "discovery/feed/malformed"),
    ("offsite_feed", r"Not following https://elsewhere\.example/0/ \(outside the crawl scope, "
     r"found via feed\)", "discovery/feed/offsite"),
    ("bad_date", r"/a-date-that-never-was/: no publication date \(unreadable dateline",
     "extract/no_date"),
    ("too_long", r"Ignoring link \(url length > 2083\): \S+/too-long/x+",
     "urllength/request_ignored_count"),
    ("idn", r"Not following http://xn--bcher-kva\.example/ein-buch/ \(IDN host bücher\.example",
     "discovery/links/offsite_idn"),
]


@pytest.mark.parametrize(("case", "pattern", "counter"), CASES, ids=[c[0] for c in CASES])
def test_each_case_logged_and_counted(hostile: Hostile, case: str, pattern: str,
                                      counter: str) -> None:
    assert re.search(pattern, hostile.run.log), (case, pattern)
    assert hostile.run.stats.get(counter, 0) >= 1, (case, counter)


def test_crawl_goes_on_and_archives_every_post(hostile: Hostile) -> None:
    db = sqlite3.connect(Layout(hostile.run.archive).catalog_path)
    urls = {row[0] for row in db.execute("SELECT url FROM posts WHERE url LIKE ?",
                                         (hostile.base + "%",))}
    odd = {hostile.base.rstrip("/") + HOSTILE_CASES[name] for name in HOSTILE_POSTS}
    odd = {u.replace("/a/b/../../", "/") for u in odd}  # dot segments resolved
    odd = {u.replace("čeština-日本語-café", "%C4%8De%C5%A1tina-%E6%97%A5%E6%9C%AC%E8%AA%9E-caf%C3%A9")
           for u in odd}
    odd = {u.replace("/hop/1/", "/hop/5/") for u in odd}  # the chain's end
    assert urls == set(BLOGS["hostile"].post_urls(hostile.base)) | odd
    assert hostile.run.report["outcome"] == "ok"


def test_oversized_page_is_captured_truncated(hostile: Hostile) -> None:
    [(_, status, truncated, length, _, headers)] = of(hostile, "huge")
    assert (status, truncated, length) == (200, "length", MAXSIZE)
    assert headers["Content-Length"] == str(MAXSIZE)  # true to the stored body


def test_body_cut_by_the_server_is_captured_as_disconnect(hostile: Hostile) -> None:
    [(_, status, truncated, length, _, _)] = of(hostile, "cut_short")
    assert (status, truncated) == (200, "disconnect") and 0 < length < 20_000


def test_gzip_bomb_is_captured_compressed_and_never_parsed(hostile: Hostile) -> None:
    [(_, status, truncated, length, _, headers)] = of(hostile, "bomb")
    assert (status, truncated, headers["Content-Encoding"]) == (200, None, "gzip")
    assert length < MAXSIZE  # the bytes as sent, not 2 GB
    assert "posts/found" in hostile.run.stats
    assert not [r for r in hostile.run.log.splitlines() if "/bomb/" in r and "Traceback" in r]


def test_binary_and_error_answers_are_in_the_warc(hostile: Hostile) -> None:
    assert [r[1] for r in of(hostile, "binary")] == [200]
    assert [r[1] for r in of(hostile, "error500")] == [500, 500]  # tried, retried once
    assert [r[1] for r in of(hostile, "loop")] == [302]


def test_retry_after_is_honoured(hostile: Hostile) -> None:
    for case in ("retry_429", "retry_503"):
        captures = of(hostile, case)
        assert [c[1] for c in captures][-1] == 200, (case, captures)
        first, last = (datetime.fromisoformat(c[4].replace("Z", "+00:00"))
                       for c in (captures[0], captures[-1]))
        assert (last - first).total_seconds() >= 1.9, (case, first, last)
    capped = of(hostile, "retry_capped")
    assert [c[1] for c in capped] == [429, 429]  # waited RETRY_AFTER_MAX, not an hour


def test_endless_links_are_bounded(hostile: Hostile) -> None:
    paths = [r["path"] for r in hostile.run.requests if r["blog"] == "hostile"]
    assert "/?m=202201" not in paths
    assert not [p for p in paths if p.startswith("/too-long/")]
    assert not [p for p in paths if p.startswith("/list/?page=21")]
    assert not [p for p in paths if p.startswith("/2028/")]
    assert len([p for p in paths if p.startswith("/l/")]) <= 50
    assert len([p for p in paths if p.startswith("/list/")]) == 20
    assert len([p for p in paths if p.startswith("/chain/")]) == 21  # REDIRECT_MAX_TIMES + 1


def test_impossible_date_left_empty_with_a_reason(hostile: Hostile) -> None:
    db = sqlite3.connect(Layout(hostile.run.archive).catalog_path)
    url = hostile.base.rstrip("/") + HOSTILE_CASES["bad_date"]
    published, meta_path = db.execute(
        "SELECT v.published, v.meta_path FROM versions v JOIN posts p ON p.id = v.post_id "
        "WHERE p.url = ?", (url,)).fetchone()
    assert published is None
    sidecar = json.loads((hostile.run.archive / meta_path).read_text())
    assert "31 February 2022" in sidecar["date_reason"]


def test_latin1_text_decoded_without_mojibake(hostile: Hostile) -> None:
    db = sqlite3.connect(Layout(hostile.run.archive).catalog_path)
    url = hostile.base.rstrip("/") + HOSTILE_CASES["latin1"]
    [text_path] = db.execute("SELECT v.text_path FROM versions v JOIN posts p ON p.id = v.post_id "
                             "WHERE p.url = ?", (url,)).fetchone()
    assert LATIN1_TEXT in (hostile.run.archive / text_path).read_text(encoding="utf-8")


def test_every_file_stays_inside_the_archive(hostile: Hostile) -> None:
    root = hostile.run.archive.resolve()
    db = sqlite3.connect(Layout(root).catalog_path)
    for text_path, meta_path in db.execute("SELECT text_path, meta_path FROM versions"):
        for relative in (text_path, meta_path):
            path = (root / relative).resolve()
            assert path.is_relative_to(root) and path.is_file(), relative
            assert len(path.name) < 100, relative


def test_every_warc_passes_warcio_check(hostile: Hostile) -> None:
    paths = sorted(str(p) for p in Layout(hostile.run.archive).warc_dir.glob("*.warc.gz"))
    result = subprocess.run([str(BIN / "warcio"), "check", *paths], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_what_was_archived_before_is_untouched(hostile: Hostile, server: FixtureServer) -> None:
    after = snapshot(hostile.run.archive, server.urls["linksonly"])
    assert {k: v for k, v in after["files"].items() if k in hostile.before["files"]} == \
        hostile.before["files"]
    assert after["rows"] == hostile.before["rows"]
    assert after["texts"] == hostile.before["texts"]
