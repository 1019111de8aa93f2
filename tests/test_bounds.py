"""Crawls end by themselves: every inventory and the link frontier are bounded by a setting.

Each test crawls one endless site (``tests/fixtures/endless.py``, served on 127.0.0.1 from this
process) with the real ``scrapy crawl``: the crawl must end on its own within a bounded number of
requests, archive the three real posts, count what the bound stopped under ``discovery/capped/``
and say so once. Before the budgets, the REST site was asked for 31,761 pages in 120 s and no post,
and the sitemap tree starved the posts.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive.layout import Layout
from tests.conftest import BIN, FAST, ROOT, run_cli
from tests.fixtures.endless import POSTS, EndlessSite

pytestmark = pytest.mark.e2e
ENDS_WITHIN = 90.0  # seconds: a bounded crawl of these sites takes under 15


@dataclass
class Run:
    returncode: int
    log: str
    stats: dict[str, Any]
    posts: set[str]


def command(site: EndlessSite, archive: Path, *settings: str) -> list[str]:
    extra = [arg for setting in settings for arg in ("-s", setting)]
    return [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={site.url}",
            "-s", f"ARCHIVE_DIR={archive}", *FAST, *extra]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def archived(archive: Path) -> set[str]:
    db = sqlite3.connect(Layout(archive).catalog_path)
    try:
        return {row[0] for row in db.execute("SELECT url FROM posts")}
    finally:
        db.close()


def crawl(site: EndlessSite, archive: Path, *settings: str) -> Run:
    try:
        result = subprocess.run(command(site, archive, *settings), cwd=ROOT, capture_output=True,
                                text=True, timeout=ENDS_WITHIN, env=environment(), check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the crawl of the endless {site.mode} site did not end within "
                    f"{ENDS_WITHIN:.0f} s ({site.total} requests)")
    report = sorted((archive / "runs").glob("*.json"))[-1]
    return Run(result.returncode, result.stdout + result.stderr,
               json.loads(report.read_text())["stats"], archived(archive))


def expected_posts(site: EndlessSite) -> set[str]:
    return {site.url.rstrip("/") + path for path in POSTS}


def said_once(log: str, text: str) -> None:
    lines = [line for line in log.splitlines() if text in line]
    assert len(lines) == 1, lines


def test_rest_total_pages_is_not_trusted(tmp_path: Path) -> None:
    with EndlessSite("rest") as site:
        run = crawl(site, tmp_path, "DISCOVERY_MAX_REST_PAGES=5")
        rest = sum(n for path, n in site.requests.items() if path.startswith("/wp-json/"))
        total = site.total
    assert run.returncode == 0, run.log[-3000:]
    assert rest == 5
    assert total < 40
    assert run.posts == expected_posts(site)
    assert run.stats["discovery/capped/rest"] == 100_000_000 - 5
    said_once(run.log, "DISCOVERY_MAX_REST_PAGES=5")


def test_endless_sitemap_tree_is_capped(tmp_path: Path) -> None:
    with EndlessSite("sitemaps") as site:
        run = crawl(site, tmp_path, "DISCOVERY_MAX_SITEMAPS=40")
        total = site.total
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats["discovery/sitemap/requests"] == 40
    assert total < 60
    assert run.posts == expected_posts(site)
    assert run.stats["discovery/capped/sitemap"] > 0
    said_once(run.log, "DISCOVERY_MAX_SITEMAPS=40")


def test_sitemap_index_depth_is_capped(tmp_path: Path) -> None:
    with EndlessSite("sitemaps") as site:
        run = crawl(site, tmp_path, "DISCOVERY_MAX_SITEMAP_DEPTH=1")
        tree = sorted(path for path in site.requests if path.startswith("/tree/"))
    assert run.returncode == 0, run.log[-3000:]
    assert tree == sorted(f"/tree/{n}.xml" for n in range(10))  # depth 1, none below
    assert run.posts == expected_posts(site)
    assert run.stats["discovery/capped/sitemap_depth"] == 10 * 50
    said_once(run.log, "DISCOVERY_MAX_SITEMAP_DEPTH=1")


def test_endless_feed_pages_are_capped(tmp_path: Path) -> None:
    with EndlessSite("feeds") as site:
        run = crawl(site, tmp_path, "DISCOVERY_MAX_FEED_PAGES=6")
        feed = sum(n for path, n in site.requests.items() if path.startswith("/feed"))
        total = site.total
    assert run.returncode == 0, run.log[-3000:]
    assert feed == run.stats["discovery/feed/requests"] == 6  # /feed, /feed/ and 4 pages
    assert total < 40
    assert run.posts == expected_posts(site)
    assert run.stats["discovery/capped/feed"] >= 1
    said_once(run.log, "DISCOVERY_MAX_FEED_PAGES=6")


def test_link_traps_and_link_budget(tmp_path: Path) -> None:
    with EndlessSite("links") as site:
        run = crawl(site, tmp_path, "DISCOVERY_MAX_LINK_PAGES=60", "DISCOVERY_MAX_PAGE=5")
        paths = dict(site.requests)
    assert run.returncode == 0, run.log[-3000:]
    assert run.posts == expected_posts(site)
    assert not [p for p in paths if "session" in p.lower() or "sid=" in p.lower()], paths
    assert not [p for p in paths if "date=" in p or p.startswith("/archive/")], paths
    assert sorted(p for p in paths if p.startswith("/list/")) == ["/list/?offset=0"]
    assert len([p for p in paths if p.startswith("/deep/")]) < 20, paths
    assert run.stats["discovery/links/followed"] == 60
    assert run.stats["discovery/capped/links"] >= 1
    for counter in ("day_archive", "repeated_path", "pagination_capped", "session_id"):
        assert run.stats[f"discovery/links/{counter}"] >= 1, counter
    assert sum(paths.values()) < 90
    said_once(run.log, "DISCOVERY_MAX_LINK_PAGES=60")


def test_budgets_are_checked_at_start(tmp_path: Path) -> None:
    with EndlessSite("rest") as site:
        result = subprocess.run(command(site, tmp_path, "DISCOVERY_MAX_SITEMAPS=0"), cwd=ROOT,
                                capture_output=True, text=True, timeout=60, env=environment(),
                                check=False)
    assert result.returncode == 2
    assert "DISCOVERY_MAX_SITEMAPS=0: use a number of sitemaps, 1 or more" in result.stderr
    assert "Traceback" not in result.stderr


def test_first_sigint_stops_an_endless_crawl(tmp_path: Path) -> None:
    """A generous budget (the user's choice) on a site claiming 100,000,000 REST pages: Ctrl-C
    must still end the crawl within seconds, with an archive that verifies."""
    with EndlessSite("rest") as site:
        process = subprocess.Popen(command(site, tmp_path, "DISCOVERY_MAX_REST_PAGES=100000000"),
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, env=environment())
        try:
            deadline = time.monotonic() + 60
            while site.total < 30 and time.monotonic() < deadline:
                time.sleep(0.2)  # discovery under way: the REST pages are being queued
            time.sleep(2)
            process.send_signal(signal.SIGINT)
            stopped = time.monotonic()
            log, _ = process.communicate(timeout=30)
            took = time.monotonic() - stopped
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert took < 15, f"still running {took:.0f} s after SIGINT"
    assert "Traceback" not in log, log[-3000:]
    verify = run_cli("verify", archive=tmp_path)
    assert verify.returncode == 0, verify.stdout + verify.stderr
