"""Extraction runs in worker processes: a crashing or hanging page costs only its own text."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from archive.layout import Layout
from tests.conftest import CrawlRun, run_crawl
from tests.fixtures.blogs import BLOGS
from tests.fixtures.server import FixtureServer

CRASH = "/2022/05/02/"   # one classic post crashes its worker
HANG = "/2022/08/22/"    # another hangs past the timeout


@pytest.fixture(scope="module")
def poisoned(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    run = run_crawl(server, tmp_path_factory.mktemp("poison"), ["classic"],
                    "-s", "EXTRACT_FUNCTION=tests.poison:extract", "-s", "EXTRACT_TIMEOUT=3",
                    "-s", "EXTRACT_WORKERS=2",
                    env={"POISON_CRASH": CRASH, "POISON_HANG": HANG})
    assert run.returncode == 0, run.log[-3000:]
    return run


def reasons(run: CrawlRun) -> dict[str, str | None]:
    db = sqlite3.connect(Layout(run.archive).catalog_path)
    return dict(db.execute(
        "SELECT p.url, v.reason FROM posts p JOIN versions v ON v.post_id = p.id"))


def test_every_post_is_still_archived(poisoned: CrawlRun, server: FixtureServer) -> None:
    assert set(reasons(poisoned)) == set(BLOGS["classic"].post_urls(server.urls["classic"]))


def test_crash_and_hang_are_recorded_with_their_reason(poisoned: CrawlRun) -> None:
    got = reasons(poisoned)
    crash = next(reason for url, reason in got.items() if CRASH in url)
    hang = next(reason for url, reason in got.items() if HANG in url)
    assert crash is not None and "worker crashed" in crash
    assert hang is not None and "timed out after 3 s" in hang
    assert [r for u, r in got.items() if CRASH not in u and HANG not in u] == [None] * (len(got) - 2)


def test_failed_pages_keep_their_capture_and_a_sidecar(poisoned: CrawlRun) -> None:
    db = sqlite3.connect(Layout(poisoned.archive).catalog_path)
    row = db.execute("SELECT meta_path, warc_file FROM versions WHERE reason IS NOT NULL").fetchone()
    sidecar = json.loads(Layout(poisoned.archive).resolve(row[0]).read_text())
    assert sidecar["text"] == "" and sidecar["reason"]
    assert (Layout(poisoned.archive).warc_dir / row[1]).exists()
    assert poisoned.stats["extract/failed"] == 2


def test_extraction_can_be_switched_off(server: FixtureServer, tmp_path: Path) -> None:
    run = run_crawl(server, tmp_path, ["block"], "-s", "EXTRACT_ENABLED=False")
    assert run.returncode == 0, run.log[-2000:]
    assert set(reasons(run).values()) == {"extraction switched off (EXTRACT_ENABLED=False)"}
    assert run.stats["extract/skipped"] == len(BLOGS["block"].posts)
    assert "extract/failed" not in run.stats
