"""Extraction workers run below the crawler's CPU priority (``EXTRACT_WORKER_NICE``, issue 21):
the event loop that feeds them sets the crawl's pace, so it gets a core first."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.layout import Layout
from tests.conftest import run_crawl
from tests.fixtures.server import FixtureServer

POOL = """
import asyncio, os, sys
from archive.extract.pool import ExtractionPool

async def main():
    pool = ExtractionPool(1, timeout=30, max_pending=2, function="tests.preload_probe:niceness",
                          nice=int(sys.argv[1]))
    try:
        done = await pool.extract(b"<p>x</p>", "http://x/", None, None)
    finally:
        pool.close()
    print(os.nice(0), done.title)

asyncio.run(main())
"""


@pytest.mark.parametrize("nice", [0, 7])
def test_a_pool_lowers_its_workers_priority_by_nice(nice: int) -> None:
    """In a process of its own: the forkserver is one per process, started by the first pool."""
    out = subprocess.run([sys.executable, "-c", POOL, str(nice)], capture_output=True,
                         text=True, check=True)
    parent, _, title = out.stdout.strip().splitlines()[-1].partition(" ")
    assert title == f"nice {min(int(parent) + nice, 19)}", out.stderr[-2000:]


@pytest.mark.parametrize(("setting", "steps"), [((), 10), (("-s", "EXTRACT_WORKER_NICE=0"), 0)])
def test_a_crawl_extracts_below_its_own_priority(server: FixtureServer, tmp_path: Path,
                                                 setting: tuple[str, ...], steps: int) -> None:
    run = run_crawl(server, tmp_path / "archive", ("classic",),
                    "-s", "EXTRACT_FUNCTION=tests.preload_probe:niceness", *setting)
    assert run.returncode == 0, run.log[-3000:]
    with sqlite3.connect(Layout(tmp_path / "archive").catalog_path) as db:
        titles = {title for (title,) in db.execute("SELECT title FROM versions")}
    assert titles == {f"nice {min(os.nice(0) + steps, 19)}"}, titles
