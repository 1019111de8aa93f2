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
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import Catalog
from archive.layout import Layout
from archive.maintain import rebuild as rebuild_module
from archive.maintain.recovery import recover
from archive.maintain.verify import verify
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


# --- defect 10: verify sees every kind of damage, in a few lines -------------------------------

def blogarchive(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "blogarchive"), "--archive", str(archive), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def garbage(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 64)


def cut_in_half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])


def zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def no_tables(path: Path) -> None:
    path.unlink()
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE unrelated (a)")
    db.commit()
    db.close()


CATALOG_DAMAGE = [garbage, cut_in_half, zero_bytes, directory, no_tables]


def no_control_characters(text: str) -> bool:
    return all(ch.isprintable() or ch == "\n" for ch in text)


def test_verify_reports_a_warc_cut_in_half(tmp_path: Path) -> None:
    _layout, warc = small_archive(tmp_path)
    cut_in_half(warc)
    result = blogarchive(tmp_path, "verify")
    assert result.returncode == 1 and "warc: " in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("damage", CATALOG_DAMAGE, ids=lambda f: f.__name__)
def test_verify_reports_a_damaged_catalog_and_still_checks_the_warcs(
        tmp_path: Path, damage: Any) -> None:
    layout, _ = small_archive(tmp_path)
    damage(layout.catalog_path)
    result = blogarchive(tmp_path, "verify")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    problems = [line for line in result.stdout.splitlines() if line.startswith("catalog: ")]
    assert len(problems) == 1 and "reindex" in problems[0], result.stdout
    assert "5 records" in result.stdout  # the WARCs were still read


def test_verify_reports_a_catalog_without_rows(tmp_path: Path) -> None:
    layout, _ = small_archive(tmp_path)
    with sqlite3.connect(layout.catalog_path) as db:
        db.executescript("DELETE FROM comments; DELETE FROM versions; DELETE FROM posts;")
    result = blogarchive(tmp_path, "verify")
    assert result.returncode == 1 and "catalog: " in result.stdout, result.stdout


def corrupt_index(path: Path) -> None:
    """Flip the last byte of an index page: every table page still reads, the index is wrong."""
    with sqlite3.connect(path) as db:
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'versions_post'"
                          ).fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    data[root * size - 1] ^= 0x01
    path.write_bytes(bytes(data))


def test_verify_reports_integrity_check_failures(tmp_path: Path) -> None:
    layout, _ = small_archive(tmp_path)
    corrupt_index(layout.catalog_path)
    result = blogarchive(tmp_path, "verify")
    assert result.returncode == 1 and "catalog: catalog.sqlite: " in result.stdout, result.stdout


def test_one_flipped_byte_costs_a_few_problems_and_no_raw_bytes(tmp_path: Path) -> None:
    _layout, warc = small_archive(tmp_path / "good")
    size = warc.stat().st_size
    for position in range(17, size, size // 12):
        archive = tmp_path / f"flip{position}"
        shutil.copytree(tmp_path / "good", archive)
        damaged = archive / "warcs" / warc.name
        data = bytearray(damaged.read_bytes())
        data[position] ^= 0x5A
        damaged.write_bytes(bytes(data))
        with Catalog(Layout(archive).catalog_path) as catalog:
            report = verify(Layout(archive), catalog)
        assert 1 <= len(report.problems) <= 3, (position, report.problems)
    result = blogarchive(archive, "verify")
    assert result.returncode == 1
    assert no_control_characters(result.stdout + result.stderr)


# --- defect 19 (catalog part): one line, never a traceback, for a damaged catalog --------------

READERS = [("list",), ("search", "Harz"), ("stats",), ("show", "1"), ("history", "1"),
           ("export", "--format", "jsonl", "out.jsonl")]


@pytest.mark.parametrize("damage", CATALOG_DAMAGE, ids=lambda f: f.__name__)
def test_every_command_on_a_damaged_catalog_says_one_line(tmp_path: Path, damage: Any) -> None:
    layout, _ = small_archive(tmp_path / "archive")
    damage(layout.catalog_path)
    for command in READERS:
        result = blogarchive(tmp_path / "archive", *command)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1 and len(lines) == 1, (command, result.stderr[-2000:])
        assert lines[0].startswith("Error: the catalog ") and "blogarchive reindex" in lines[0]


def test_cdxj_after_a_flipped_byte_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    _layout, warc = small_archive(tmp_path)
    data = bytearray(warc.read_bytes())
    data[len(data) // 2] ^= 0x5A
    warc.write_bytes(bytes(data))
    result = blogarchive(tmp_path, "cdxj")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert f"left out of the index: {warc.name} is damaged" in result.stderr
    assert no_control_characters(result.stderr)


@pytest.mark.parametrize("damage", [garbage, cut_in_half, directory], ids=lambda f: f.__name__)
def test_crawl_on_a_damaged_catalog_stops_with_one_line(tmp_path: Path, damage: Any) -> None:
    layout, _ = small_archive(tmp_path)
    damage(layout.catalog_path)
    result = subprocess.run(
        [str(BIN / "scrapy"), "crawl", "blog", "-a", "url=http://127.0.0.1:9/",
         "-s", f"ARCHIVE_DIR={tmp_path}", *FAST], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    errors = [line for line in result.stderr.splitlines() if line.startswith("scrapy: error:")]
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert len(errors) == 1 and "blogarchive reindex" in errors[0]


# --- defect 11: reindex repairs what verify finds ----------------------------------------------

@pytest.mark.parametrize("damage", CATALOG_DAMAGE, ids=lambda f: f.__name__)
def test_reindex_replaces_a_damaged_catalog_and_keeps_it_aside(tmp_path: Path, damage: Any
                                                               ) -> None:
    layout, _ = small_archive(tmp_path)
    damage(layout.catalog_path)
    for _ in range(2):  # and again: a second run has nothing left over to trip on
        result = blogarchive(tmp_path, "reindex")
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
        assert "2 posts" in result.stdout
    kept = [p for p in tmp_path.glob("catalog.sqlite.broken-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1  # kept, never deleted
    assert not list(tmp_path.glob(".catalog.rebuild-*"))
    assert blogarchive(tmp_path, "verify").returncode == 0


def test_reindex_skips_and_names_a_damaged_record(tmp_path: Path) -> None:
    layout, warc = small_archive(tmp_path)
    with Catalog(layout.catalog_path) as catalog:
        first = min(row["warc_offset"] for row in catalog.locations())
    data = bytearray(warc.read_bytes())
    data[first + 300] ^= 0x5A  # inside the first post's response record
    warc.write_bytes(bytes(data))
    result = blogarchive(tmp_path, "reindex")
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"skipped damaged record: {warc.name}:{first}" in result.stderr
    assert "1 posts" in result.stdout and "1 damaged records skipped" in result.stdout


def test_a_failed_reindex_removes_its_temporary_and_keeps_the_old_catalog(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout, _ = small_archive(tmp_path)
    before = layout.catalog_path.read_bytes()

    def broken(*_args: object) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(rebuild_module.fulltext, "rebuild", broken)
    with pytest.raises(OSError):
        rebuild_module.rebuild(layout)
    assert not list(tmp_path.glob(".catalog.rebuild-*"))
    assert layout.catalog_path.read_bytes() == before


@pytest.mark.parametrize("damage", CATALOG_DAMAGE, ids=lambda f: f.__name__)
def test_serve_on_a_damaged_catalog_says_one_line(tmp_path: Path, damage: Any) -> None:
    """Not a reader that answers 500 on every page: one line at start, naming the repair."""
    layout, _ = small_archive(tmp_path / "archive")
    damage(layout.catalog_path)
    result = subprocess.run([str(BIN / "blogarchive"), "--archive", str(tmp_path / "archive"),
                             "serve", "--port", "0"], capture_output=True, text=True, timeout=60)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr[-2000:]
    assert "blogarchive reindex" in lines[0] or "no catalog.sqlite" in lines[0]


def test_reindex_removes_the_temporaries_of_killed_rebuilds(tmp_path: Path) -> None:
    layout, _ = small_archive(tmp_path)
    stale = tmp_path / ".catalog.rebuild-999999.sqlite"
    stale.write_bytes(b"half a catalog")
    Path(f"{stale}-wal").write_bytes(b"")
    rebuild_module.rebuild(layout)
    assert not list(tmp_path.glob(".catalog.rebuild-*"))
