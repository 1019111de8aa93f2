"""Pending requests wait on disk, not in memory, with or without JOBDIR; nothing is left behind."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CrawlRun, run_crawl
from tests.fixtures.server import FixtureServer


def test_the_shared_crawl_queued_on_disk(crawled: CrawlRun) -> None:
    stats = crawled.stats
    assert stats.get("scheduler/enqueued/disk", 0) > 10
    assert stats.get("scheduler/enqueued/memory", 0) == 0  # every request could be serialised


def test_scratch_queue_is_removed_after_the_crawl(server: FixtureServer, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    run = run_crawl(server, tmp_path / "archive", ["classic"], env={"TMPDIR": str(scratch)})
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats.get("scheduler/enqueued/disk", 0) > 10
    assert run.report["new"] > 0
    assert not list(scratch.glob("blogarchive-queue-*"))


def test_jobdir_keeps_the_queue_where_scrapy_puts_it(server: FixtureServer, tmp_path: Path) -> None:
    scratch, jobdir = tmp_path / "tmp", tmp_path / "job"
    scratch.mkdir()
    run = run_crawl(server, tmp_path / "archive", ["classic"], "-s", f"JOBDIR={jobdir}",
                    env={"TMPDIR": str(scratch)})
    assert run.returncode == 0, run.log[-3000:]
    assert (jobdir / "requests.queue" / "active.json").exists()
    assert run.stats.get("scheduler/enqueued/disk", 0) > 10
