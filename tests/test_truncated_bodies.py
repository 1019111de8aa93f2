"""Bodies that arrive cut (issue 15, item 7): each is archived *as truncated*, logged and counted.

Before: a gzip body cut in half was archived and cataloged as a complete (short) post; a body
stalled past DOWNLOAD_TIMEOUT was dropped, bytes and all; a 100 KB header line lost the response
with only "Connection was closed cleanly" in the log.
"""

from __future__ import annotations

import gzip
import re
import sqlite3
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.layout import Layout
from crawler.codings import decode_to_end
from tests.conftest import BIN, FAST, ROOT, CrawlRun
from tests.fixtures.cutbodies import CASES, half_gzip, post

PAGE = post("A page")


@pytest.mark.parametrize(("coding", "body", "complete"), [
    ("gzip", gzip.compress(PAGE), True),
    ("gzip", gzip.compress(PAGE)[:-4], False),                  # the trailer is missing
    ("gzip", half_gzip("A page"), False),
    ("gzip", gzip.compress(PAGE[:500]) + gzip.compress(PAGE[500:]), True),  # two members
    ("gzip", gzip.compress(PAGE[:500]) + gzip.compress(PAGE[500:])[:300], False),
    ("x-gzip", gzip.compress(PAGE) + b"\0\0", True),            # trailing junk is not a cut
    ("deflate", zlib.compress(PAGE), True),
    ("deflate", zlib.compress(PAGE)[:200], False),
    ("deflate", zlib.compress(PAGE)[2:-4], True),               # raw deflate, as IIS sends
    ("br", brotli.compress(PAGE), True),
    ("br", brotli.compress(PAGE)[:300], False),
    ("identity", PAGE[:10], True),
], ids=["gzip", "gzip-no-trailer", "gzip-half", "gzip-members", "gzip-member-cut",
        "gzip-junk", "deflate", "deflate-cut", "raw-deflate", "br", "br-cut", "identity"])
def test_coding_complete(coding: str, body: bytes, complete: bool) -> None:
    assert decode_to_end(coding, body, limit=10 * 1024 * 1024).complete is complete


def test_coding_check_stops_at_the_limit() -> None:
    """A gzip bomb is not inflated to its end to check it (the bomb guard refuses it later)."""
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))
    assert decode_to_end("gzip", bomb[:len(bomb) // 2], limit=1024 * 1024).complete is True


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = subprocess.Popen([sys.executable, "-m", "tests.fixtures.cutbodies"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    try:
        yield server.stdout.readline().strip()
    finally:
        server.kill()
        server.wait()


@pytest.fixture(scope="module")
def cut(site: str, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    archive = tmp_path_factory.mktemp("cut")
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={site}",
               "-s", f"ARCHIVE_DIR={archive}", *FAST, "-s", "DOWNLOAD_TIMEOUT=2",
               "-s", "RETRY_TIMES=0", "-s", "ARCHIVE_MAX_FAILURE_SHARE=1"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(ROOT), "PATH": str(BIN)}, check=False)
    run = CrawlRun(archive, result.returncode, result.stdout + result.stderr, [])
    assert result.returncode == 0, run.log[-3000:]
    return run


def records(archive: Path, url: str) -> list[tuple[str | None, bytes]]:
    """(WARC-Truncated, body as sent) of every response record for ``url``."""
    found = []
    for path in sorted(Layout(archive).warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if (record.rec_type == "response"
                        and record.rec_headers.get_header("WARC-Target-URI") == url):
                    found.append((record.rec_headers.get_header("WARC-Truncated"),
                                  record.raw_stream.read()))
    return found


def cataloged(run: CrawlRun) -> set[str]:
    db = sqlite3.connect(Layout(run.archive).catalog_path)
    try:
        return {row[0] for row in db.execute("SELECT url FROM posts")}
    finally:
        db.close()


@pytest.mark.parametrize("case", ["gzip_cut", "gzip_closed"])
def test_cut_gzip_is_captured_truncated_and_not_cataloged(cut: CrawlRun, site: str,
                                                          case: str) -> None:
    url = site.rstrip("/") + CASES[case]
    title = "A cut gzip post" if case == "gzip_cut" else "A closed gzip post"
    assert records(cut.archive, url) == [("unspecified", half_gzip(title))]
    assert re.search(re.escape(url) + r": body cut after \d+ bytes \(the gzip stream ends before "
                     r"its end", cut.log)
    assert url not in cataloged(cut)
    assert cut.stats["crawl/truncated/encoding"] == 2


def test_good_post_still_archived(cut: CrawlRun, site: str) -> None:
    url = site.rstrip("/") + CASES["good"]
    assert [truncated for truncated, _ in records(cut.archive, url)] == [None]
    assert url in cataloged(cut)


def test_stalled_body_is_captured_with_what_arrived(cut: CrawlRun, site: str) -> None:
    url = site.rstrip("/") + CASES["stall"]
    body = post("A stalled post")
    assert records(cut.archive, url) == [("time", body[:len(body) // 2])]
    assert re.search(re.escape(url) + r": no data for DOWNLOAD_TIMEOUT=2 s after \d+ bytes of "
                     r"the body; the part received is captured with WARC-Truncated: time", cut.log)
    assert re.search(re.escape(url) + r": failed \(DownloadTimeoutError", cut.log)
    assert cut.stats["crawl/truncated/time"] == 1


def test_long_header_line_is_named(cut: CrawlRun, site: str) -> None:
    url = site.rstrip("/") + CASES["long_header"]
    assert re.search(re.escape(url) + r": failed \(ResponseHeadTooLong: a response header line "
                     r"longer than Twisted's limit of 16384 bytes", cut.log), cut.log[-3000:]
    assert "Connection was closed cleanly" not in cut.log
    assert cut.stats["crawl/header_too_long"] == 1
    assert cut.stats["posts/failed"] >= 2  # the stalled post and this one, in the run report
