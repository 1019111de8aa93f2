"""Issue 15: a damaged or incomplete archive is reported, never "repaired" by deleting history.

Recovery must not drop catalog rows for a WARC file that is only missing right now; ``verify``
must see a cut WARC, a broken catalog and one flipped byte (and say so in a few lines); ``reindex``
must skip a damaged record and replace a broken catalog (kept aside, never deleted); and every
command on a damaged catalog gives one line, not a traceback.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import Catalog
from archive.layout import Layout
from archive.maintain.recovery import recover
from archive.maintain.workers import recover_dead_workers
from archive.warc.reader import iter_records, raw_member
from archive.web.replay import replay
from archive.web.rewrite import replay_path
from archive.web.warcindex import build_index
from tests.conftest import BIN, FAST, ROOT
from tests.test_recovery import crashed_archive


def small_archive(root: Path) -> tuple[Layout, Path]:
    """A finished WARC with two post captures and a catalog row for each."""
    layout, name = crashed_archive(root, cut=0)
    recover(layout)
    with Catalog(layout.catalog_path) as catalog:
        assert len(catalog.locations()) == 2
    return layout, layout.warc_dir / name


# --- defect 8: recovery never deletes rows because a file is missing -------------------------

def test_recovery_keeps_rows_of_a_warc_that_is_missing_for_now(tmp_path: Path) -> None:
    layout, warc = small_archive(tmp_path / "archive")
    aside = tmp_path / "unmounted" / warc.name
    aside.parent.mkdir()
    shutil.move(warc, aside)  # the disk holding it is not mounted
    report = recover(layout)
    assert report.rows_removed == 0 and report.missing == [warc.name]
    shutil.move(aside, warc)  # mounted again: every post is still there
    with Catalog(layout.catalog_path) as catalog:
        assert len(catalog.locations()) == 2
    assert recover(layout).missing == []


def test_recovery_keeps_rows_of_an_unreadable_warc(tmp_path: Path) -> None:
    layout, warc = small_archive(tmp_path)
    warc.unlink()
    warc.mkdir()  # a name that cannot be read as a file (a broken mount point, say)
    report = recover(layout)
    assert report.rows_removed == 0 and report.missing == [warc.name]


def test_worker_recovery_keeps_rows_of_a_missing_warc(tmp_path: Path) -> None:
    layout, warc = small_archive(tmp_path)
    warc.rename(tmp_path / "elsewhere.warc.gz")
    crashed_archive(tmp_path, cut=30)  # a crashed single-process crawl's ``.open`` file
    report = recover_dead_workers(layout, "other-host-1")
    assert report.finished and report.missing == [warc.name]
    with Catalog(layout.catalog_path) as catalog:
        assert warc.name in {row["warc_file"] for row in catalog.locations()}


# --- defect 9: header bytes are stored as received --------------------------------------------

TITLE = "café ☕".encode()
TARGET = "/café/".encode()  # raw UTF-8 in Location, as some servers send it
PAGE = (b"<!doctype html><html><head><title>Caf\xc3\xa9</title></head><body><article>"
        b"<h1>Caf\xc3\xa9</h1><p>" + b"A post about coffee. " * 40 + b"</p></article></body></html>")


class RawHeaderHandler(BaseHTTPRequestHandler):
    """Sends raw UTF-8 bytes in ``X-Title`` and ``Location`` (``send_header`` would refuse)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/":
            self._raw(b"301 Moved Permanently", [b"Location: " + TARGET], b"")
        elif self.path == "/caf%C3%A9/":
            self._raw(b"200 OK", [b"Content-Type: text/html; charset=utf-8"], PAGE)
        else:
            self._raw(b"404 Not Found", [b"Content-Type: text/plain"], b"not here")

    def _raw(self, status: bytes, headers: list[bytes], body: bytes) -> None:
        lines = [b"HTTP/1.1 " + status, *headers, b"X-Title: " + TITLE,
                 b"Content-Length: " + str(len(body)).encode(), b"Connection: close"]
        self.wfile.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        self.close_connection = True


@pytest.fixture(scope="module")
def raw_header_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), RawHeaderHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    archive = tmp_path_factory.mktemp("rawheaders")
    try:
        result = subprocess.run(
            [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={base}",
             "-s", f"ARCHIVE_DIR={archive}", *FAST], cwd=ROOT, capture_output=True, text=True,
            timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
        assert result.returncode == 0, result.stderr[-3000:]
        yield archive, base
    finally:
        server.shutdown()
        server.server_close()


def http_block(archive: Path, url: str) -> bytes:
    """The stored HTTP header block of the response record for ``url``, as bytes on disk."""
    for path in Layout(archive).warc_dir.glob("*.warc.gz"):
        for stored in iter_records(path):
            if (stored.record.rec_type == "response"
                    and stored.header("WARC-Target-URI") == url):
                member = gzip.decompress(raw_member(Layout(archive), path.name, stored.offset,
                                                    stored.length))
                block = member.split(b"\r\n\r\n", 1)[1]
                return block.split(b"\r\n\r\n", 1)[0]
    raise AssertionError(f"no response record for {url}")


def test_raw_utf8_header_bytes_are_stored_as_received(raw_header_crawl: tuple[Path, str]) -> None:
    archive, base = raw_header_crawl
    redirect = http_block(archive, base).split(b"\r\n")
    assert b"X-Title: " + TITLE in redirect and b"Location: " + TARGET in redirect
    page = http_block(archive, base + "caf%C3%A9/").split(b"\r\n")
    assert b"X-Title: " + TITLE in page


def test_warcs_with_raw_headers_pass_warcio_check(raw_header_crawl: tuple[Path, str]) -> None:
    archive, _ = raw_header_crawl
    paths = [str(p) for p in Layout(archive).warc_dir.glob("*.warc.gz")]
    check = subprocess.run([str(BIN / "warcio"), "check", "-v", *paths], capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_raw_utf8_redirect_replays_to_the_archived_target(
        raw_header_crawl: tuple[Path, str]) -> None:
    archive, base = raw_header_crawl
    layout = Layout(archive)
    index = build_index(layout)
    capture = index.lookup(base)
    assert capture is not None
    replayed = replay(layout, index, capture)
    assert replayed.status == 301
    assert replayed.location == replay_path(capture.timestamp, base + "caf%C3%A9/")
