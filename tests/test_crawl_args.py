"""Spider arguments and settings: filters work, bad values stop the run at start-up."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.layout import Layout
from tests.conftest import run_crawl
from tests.fixtures.blogs import BLOGS
from tests.fixtures.server import FixtureServer


def archived(archive: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(Layout(archive).catalog_path)
    return list(db.execute(
        "SELECT p.url, v.published FROM posts p JOIN versions v ON v.post_id = p.id"))


def test_since_and_until_keep_only_posts_in_range(server: FixtureServer, tmp_path: Path) -> None:
    run = run_crawl(server, tmp_path, ["classic"], "-a", "since=2022-01-01",
                    "-a", "until=31 December 2022")
    assert run.returncode == 0, run.log[-2000:]
    expected = {BLOGS["classic"].post_url(server.urls["classic"], p) for p in BLOGS["classic"].posts
                if p.published.year == 2022}
    assert {url for url, _ in archived(tmp_path)} == expected
    assert run.stats.get("posts/out_of_range", 0) + run.stats.get(
        "discovery/skipped_before_since", 0) > 0


def test_max_posts_stops_after_n(server: FixtureServer, tmp_path: Path) -> None:
    run = run_crawl(server, tmp_path, ["block"], "-a", "max_posts=3")
    assert run.returncode == 0, run.log[-2000:]
    assert len(archived(tmp_path)) == 3
    assert run.report["reason"] == "max_posts"


@pytest.mark.parametrize(("args", "message"), [
    (["-a", "since=the day after never"], "since='the day after never' is not a date"),
    (["-a", "max_posts=many"], "max_posts='many'"),
    (["-s", "ARCHIVE_WARC_MAX_SIZE=-5"], "ARCHIVE_WARC_MAX_SIZE"),
    (["-s", "EXTRACT_WORKERS=-1"], "EXTRACT_WORKERS=-1"),
    (["-s", "EXTRACT_TIMEOUT=0"], "EXTRACT_TIMEOUT=0: use seconds above 0"),
])
def test_bad_arguments_stop_at_start_up(server: FixtureServer, tmp_path: Path, args: list[str],
                                        message: str) -> None:
    run = run_crawl(server, tmp_path / "a", ["classic"], *args)
    assert run.returncode == 2
    assert message in run.log and "Traceback" not in run.log
    assert run.requests == []  # nothing was fetched


def test_unwritable_archive_dir_stops_at_start_up(server: FixtureServer, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    run = run_crawl(server, blocker / "archive", ["classic"])
    assert run.returncode == 2
    assert "ARCHIVE_DIR=" in run.log and "is not writable" in run.log
    assert run.requests == []


def test_relative_since_is_read(server: FixtureServer, tmp_path: Path) -> None:
    """Every fixture post is years old, so "3 weeks ago" keeps none of them."""
    assert all(p.published < datetime.now(UTC) for p in BLOGS["block"].posts)
    run = run_crawl(server, tmp_path, ["block"], "-a", "since=3 weeks ago")
    assert run.returncode == 0
    assert archived(tmp_path) == []
    skipped = run.stats.get("posts/out_of_range", 0) + run.stats.get("discovery/skipped_before_since", 0)
    assert skipped >= len(BLOGS["block"].posts)  # plus pages listed in the sitemaps
