"""A full disk stops the crawl cleanly; the next run (with space again) recovers and completes.

The archive lives on a small tmpfs made by the test (root is needed to mount it; the test is skipped
only when mounting is impossible). Two ways to fill it: the WARC writer hits ENOSPC first (almost no
space from the start), or the catalog and text files do (the space runs out mid-crawl).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.layout import Layout
from tests.conftest import BIN, ROOT, run_crawl
from tests.fixtures.blogs import BLOGS
from tests.fixtures.server import FixtureServer

pytestmark = pytest.mark.e2e
BLOGS_CRAWLED = ("classic", "block", "wpcom")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, leave: int) -> Path:
    stat = os.statvfs(disk)
    ballast = disk / "ballast"
    ballast.write_bytes(b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave))
    return ballast


def grow(disk: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(disk)], check=True)


def assert_stopped_cleanly(run_log: str, returncode: int, archive: Path) -> None:
    assert returncode != 0
    errors = [line for line in run_log.splitlines() if "Disk full" in line]
    assert len(errors) == 1 and f"ARCHIVE_DIR={archive}" in errors[0], errors
    assert "Closing spider (disk_full)" in run_log
    assert "Traceback" not in run_log, run_log[-3000:]
    leftovers = [p for p in archive.rglob("*") if p.name.endswith(".tmp")]
    assert not leftovers, leftovers
    for path in Layout(archive).posts_dir.rglob("*.json"):
        json.loads(path.read_text())  # complete, never half-written


def assert_recovered(server: FixtureServer, archive: Path) -> None:
    run = run_crawl(server, archive, BLOGS_CRAWLED)
    assert run.returncode == 0, run.log[-3000:]
    assert not list(Layout(archive).warc_dir.glob("*.open"))
    verify = subprocess.run([str(BIN / "blogarchive"), "--archive", str(archive), "verify"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    db = sqlite3.connect(Layout(archive).catalog_path)
    urls = {row[0] for row in db.execute("SELECT url FROM posts")}
    expected = {u for name in BLOGS_CRAWLED for u in BLOGS[name].post_urls(server.urls[name])}
    assert urls == expected


def test_warc_write_fails_first(server: FixtureServer, small_disk: Path) -> None:
    archive = small_disk / "archive"
    ballast = fill(small_disk, leave=150_000)
    run = run_crawl(server, archive, BLOGS_CRAWLED)
    assert_stopped_cleanly(run.log, run.returncode, archive)
    assert list(Layout(archive).warc_dir.glob("*.warc.gz.open")), "the WARC being written is kept"
    ballast.unlink()
    assert_recovered(server, archive)
    assert list(Layout(archive).warc_dir.glob("*.warc.gz.invalid"))  # the cut tail, kept aside


def test_catalog_and_text_fill_the_disk(server: FixtureServer, small_disk: Path) -> None:
    archive = small_disk / "archive"
    grow(small_disk, "1m")
    run = run_crawl(server, archive, BLOGS_CRAWLED)
    assert_stopped_cleanly(run.log, run.returncode, archive)
    grow(small_disk, "30m")
    assert_recovered(server, archive)
