"""A crawl killed with SIGKILL halfway and started again with the same command (``JOBDIR``).

Nothing may be lost or doubled: every post ends up in the catalog exactly once, every WARC is valid,
and every catalog row points at a WARC file that exists and holds the post's response at its offset.
The killed run cannot close its WARC, so it leaves ``NAME.warc.gz.open`` behind; the next start must
recover it (give it its final name, dropping a partial record at the tail) rather than delete it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from archive.layout import Layout
from archive.warc.reader import read_response
from tests.conftest import BIN, FAST, ROOT
from tests.fixtures.blogs import BLOGS
from tests.fixtures.server import FixtureServer

pytestmark = pytest.mark.e2e
BLOG = "classic"
SLOW = ("-s", "DOWNLOAD_DELAY=0.3", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS=1")


def crawl_command(server: FixtureServer, archive: Path, jobdir: Path) -> list[str]:
    return [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={server.urls[BLOG]}",
            "-s", f"ARCHIVE_DIR={archive}", "-s", f"JOBDIR={jobdir}", *FAST, *SLOW]


def archived(archive: Path) -> int:
    path = Layout(archive).catalog_path
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return int(db.execute("SELECT COUNT(*) FROM versions").fetchone()[0])
        finally:
            db.close()
    except sqlite3.OperationalError:
        return 0


def kill_halfway(command: list[str], archive: Path, total: int, log: Path) -> int:
    """Start the crawl, SIGKILL it once some but not all posts are archived; return that count."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if archived(archive) >= total // 3:
                break
            time.sleep(0.05)
        assert process.poll() is None, (
            f"the crawl ended (exit {process.returncode}) before it could be killed:\n"
            f"{log.read_text(errors='replace')[-3000:]}")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    done = archived(archive)
    assert 0 < done < total, f"killed with {done} of {total} posts archived"
    return done


@pytest.fixture(scope="module")
def resumed(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[Path, int, list[str], subprocess.CompletedProcess[str]]:
    """Kill a crawl halfway, note what it left, then run the same command again."""
    server.restore()
    root = tmp_path_factory.mktemp("resume")
    archive, jobdir = root / "archive", root / "job"
    command = crawl_command(server, archive, jobdir)
    total = len(BLOGS[BLOG].posts)
    done = kill_halfway(command, archive, total, root / "killed.log")
    left = sorted(p.name for p in Layout(archive).warc_dir.iterdir())
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return archive, done, left, result


def test_killed_run_leaves_an_open_warc(resumed: tuple[Path, int, list[str], object]) -> None:
    _, _, left, _ = resumed
    assert [name for name in left if name.endswith(".warc.gz.open")], left
    assert not [name for name in left if name.endswith(".warc.gz")], left


def test_every_post_archived_exactly_once(resumed: tuple[Path, int, list[str], object],
                                          server: FixtureServer) -> None:
    archive = resumed[0]
    db = sqlite3.connect(Layout(archive).catalog_path)
    rows = list(db.execute("SELECT p.url, v.version FROM posts p JOIN versions v ON v.post_id = p.id"))
    assert Counter(url for url, _ in rows) == Counter(BLOGS[BLOG].post_urls(server.urls[BLOG]))
    assert {version for _, version in rows} == {1}


def test_no_open_file_is_left_after_the_resumed_run(
        resumed: tuple[Path, int, list[str], object]) -> None:
    archive, _, left, _ = resumed
    now = sorted(p.name for p in Layout(archive).warc_dir.iterdir())
    assert not [name for name in now if name.endswith(".open")], (left, now)
    killed = [name.removesuffix(".open") for name in left if name.endswith(".open")]
    assert set(killed) <= set(now), f"the killed run's WARC was not recovered: {left} -> {now}"


def test_every_warc_passes_warcio_check(resumed: tuple[Path, int, list[str], object]) -> None:
    warc_dir = Layout(resumed[0]).warc_dir
    paths = sorted(str(p) for p in warc_dir.iterdir())
    result = subprocess.run([str(BIN / "warcio"), "check", "-v", *paths], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_every_catalog_row_points_at_a_readable_record(
        resumed: tuple[Path, int, list[str], object]) -> None:
    """Through the reader (which also looks for ``NAME.open``) and by the final file name."""
    layout = Layout(resumed[0])
    db = sqlite3.connect(layout.catalog_path)
    db.row_factory = sqlite3.Row
    rows = list(db.execute("SELECT p.url, v.* FROM posts p JOIN versions v ON v.post_id = p.id"))
    for row in rows:
        stored = read_response(layout, row["warc_file"], row["warc_offset"])
        assert (stored.status, stored.url) == (200, row["url"]), row["url"]
    missing = sorted({row["warc_file"] for row in rows
                      if not (layout.warc_dir / row["warc_file"]).exists()})
    assert not missing, f"catalog rows name WARC files that are not there: {missing}"
