"""Crash safety for real: SIGKILL a crawl at 20 random moments in a row, then let it finish.

Each trial runs the same command (with ``JOBDIR``, as the README says to resume), so every start
goes through the start-up recovery of whatever the last kill left. At the end: every WARC passes
``warcio check``, every post is archived exactly once (one version: the posts do not change), no
``.open`` or temporary file is left, ``.invalid`` files hold only cut tails (no complete record),
and ``blogarchive verify`` is clean. The seed is printed; set ``KILL_TRIALS_SEED`` to replay it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from archive.layout import Layout
from archive.maintain.recovery import complete_end
from tests.conftest import BIN, FAST, ROOT
from tests.fixtures.blogs import BLOGS
from tests.fixtures.server import FixtureServer

pytestmark = pytest.mark.e2e
TRIALS = 20
CRAWLED = ("classic", "block", "wpcom", "linksonly")
SLOW = ("-s", "DOWNLOAD_DELAY=0.05", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0",
        "-s", "CONCURRENT_REQUESTS=2")


def command(server: FixtureServer, archive: Path, jobdir: Path) -> list[str]:
    urls = ",".join(server.urls[name] for name in CRAWLED)
    return [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={urls}", "-s",
            f"ARCHIVE_DIR={archive}", "-s", f"JOBDIR={jobdir}", *FAST, *SLOW]


def kill_at(cmd: list[str], moment: float, log: Path) -> bool:
    """Run ``cmd``, SIGKILL it ``moment`` seconds in; False when it had already finished."""
    with log.open("ab") as out:
        process = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        process.wait(timeout=moment)
        return False
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        return True


@pytest.fixture(scope="module")
def trials(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    server.restore()
    seed = int(os.environ.get("KILL_TRIALS_SEED") or random.SystemRandom().randrange(1 << 32))
    print(f"kill trials: KILL_TRIALS_SEED={seed}")
    rng = random.Random(seed)
    root = tmp_path_factory.mktemp("kills")
    archive, log = root / "archive", root / "crawl.log"
    cmd = command(server, archive, root / "job")
    killed = sum(kill_at(cmd, rng.uniform(0.5, 4.5), log) for _ in range(TRIALS))
    final = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                           capture_output=True, text=True, timeout=300, check=False)
    assert final.returncode == 0, f"seed {seed}: " + (final.stdout + final.stderr)[-3000:]
    assert killed >= TRIALS // 2, f"seed {seed}: only {killed} of {TRIALS} runs were killed"
    return archive, seed


def test_every_post_archived_exactly_once(trials: tuple[Path, int],
                                          server: FixtureServer) -> None:
    archive, seed = trials
    db = sqlite3.connect(Layout(archive).catalog_path)
    rows = list(db.execute("SELECT p.url, v.version FROM posts p JOIN versions v "
                           "ON v.post_id = p.id"))
    expected = Counter(u for name in CRAWLED for u in BLOGS[name].post_urls(server.urls[name]))
    assert Counter(url for url, _ in rows) == expected, f"seed {seed}"
    assert {version for _, version in rows} == {1}, f"seed {seed}"


def test_every_warc_passes_warcio_check(trials: tuple[Path, int]) -> None:
    archive, seed = trials
    paths = sorted(str(p) for p in Layout(archive).warc_dir.glob("*.warc.gz"))
    result = subprocess.run([str(BIN / "warcio"), "check", *paths], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, f"seed {seed}: {result.stdout[-3000:]}{result.stderr[-2000:]}"


def test_no_open_or_partial_files_left(trials: tuple[Path, int]) -> None:
    archive, seed = trials
    left = [p for p in archive.rglob("*") if p.name.endswith((".open", ".tmp"))]
    assert not left, f"seed {seed}: {left}"
    for path in Layout(archive).posts_dir.rglob("*.json"):
        json.loads(path.read_text())  # a reader never sees half a file


def test_invalid_files_hold_only_cut_tails(trials: tuple[Path, int]) -> None:
    archive, seed = trials
    for path in Layout(archive).warc_dir.glob("*.invalid*"):
        data = path.read_bytes()
        assert data, f"seed {seed}: {path.name} is empty"
        assert complete_end(path) == 0, f"seed {seed}: {path.name} holds a complete record"


def test_blogarchive_verify_is_clean(trials: tuple[Path, int]) -> None:
    archive, seed = trials
    result = subprocess.run([str(BIN / "blogarchive"), "--archive", str(archive), "verify"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"seed {seed}: {result.stdout[-3000:]}{result.stderr}"


def test_no_worker_survives_its_crawl(trials: tuple[Path, int]) -> None:
    time.sleep(0.5)
    archive, _ = trials
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True)
    assert str(archive) not in ps.stdout
