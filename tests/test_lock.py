"""Two runs on one archive never write at once; a crashed holder's lock is taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from archive.layout import Layout
from archive.lock import ArchiveLock
from tests.conftest import ROOT, run_crawl
from tests.fixtures.server import FixtureServer

HOLD = """
import sys, time
from pathlib import Path

import pytest
from archive.lock import ArchiveLock
ArchiveLock(Path(sys.argv[1])).acquire()
print("locked", flush=True)
time.sleep(600)
"""


def test_second_run_exits_with_a_clear_message(server: FixtureServer, tmp_path: Path) -> None:
    lock = ArchiveLock(Layout(tmp_path).lock_path)
    lock.acquire()
    try:
        run = run_crawl(server, tmp_path, ["block"])
    finally:
        lock.release()
    assert run.returncode == 75
    assert f"pid {os.getpid()}" in run.log and "is writing to this archive" in run.log
    assert run.requests == []


def test_lock_of_a_killed_crawl_is_taken_over(server: FixtureServer, tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(Layout(tmp_path).lock_path)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    run = run_crawl(server, tmp_path, ["block"])
    assert run.returncode == 0, run.log[-2000:]
    assert "Took over a stale archive lock" in run.log and str(holder.pid) in run.log
    assert run.stats["posts/new"] == 8


def test_waiting_run_gets_the_lock_when_it_is_freed(server: FixtureServer, tmp_path: Path) -> None:
    lock = ArchiveLock(Layout(tmp_path).lock_path)
    lock.acquire()
    waiting = subprocess.Popen(
        [str(Path(sys.executable).with_name("scrapy")), "crawl", "blog",
         "-a", f"url={server.urls['block']}", "-s", f"ARCHIVE_DIR={tmp_path}",
         "-s", "ARCHIVE_LOCK_WAIT=60", "-s", "AUTOTHROTTLE_ENABLED=0"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with pytest.raises(subprocess.TimeoutExpired):
        waiting.wait(timeout=3)  # still waiting for the lock, as it should
    lock.release()
    assert waiting.wait(timeout=120) == 0
