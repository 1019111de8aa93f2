"""Bad input never stops the crawl nor loses data: errors are logged, counted and captured."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.layout import Layout
from tests.conftest import CrawlRun
from tests.fixtures.blogs import BLOGS, BROKEN_CASES
from tests.fixtures.server import FixtureServer


def captured(archive: Path) -> dict[str, list[int]]:
    """Every response status captured per URL path, read back from the WARCs."""
    seen: dict[str, list[int]] = {}
    for path in sorted(Layout(archive).warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type == "response":
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    status = int(record.http_headers.get_statuscode())
                    seen.setdefault("/" + url.split("/", 3)[3], []).append(status)
    return seen


def test_good_posts_still_archived(broken: CrawlRun, server: FixtureServer) -> None:
    db = sqlite3.connect(Layout(broken.archive).catalog_path)
    urls = {row[0] for row in db.execute("SELECT url FROM posts")}
    assert urls == set(BLOGS["broken"].post_urls(server.urls["broken"]))


@pytest.mark.parametrize(("case", "reason"), [
    ("error500", "HTTP 500"), ("missing404", "HTTP 404"), ("slow", "TimeoutError"),
    ("pdf", "not an HTML page"), ("bad_sitemap", "malformed sitemap"), ("bad_feed", "malformed feed"),
])
def test_each_problem_logged_with_url_and_reason(broken: CrawlRun, case: str, reason: str) -> None:
    lines = [line for line in broken.log.splitlines() if BROKEN_CASES[case] in line]
    assert any(reason in line for line in lines), (case, lines)


def test_each_problem_counted(broken: CrawlRun) -> None:
    stats = broken.stats
    assert stats["crawl/http_error/500"] >= 1
    assert stats["crawl/http_error/404"] >= 1
    assert stats["crawl/not_html"] >= 1
    assert stats["discovery/sitemap/malformed"] >= 1
    assert stats["discovery/feed/malformed"] >= 1
    assert stats["posts/failed"] >= 3  # 500, 404 and the timeout


def test_error_answers_and_redirect_hops_are_in_the_warc(broken: CrawlRun) -> None:
    seen = captured(broken.archive)
    assert 500 in seen[BROKEN_CASES["error500"]]
    assert seen[BROKEN_CASES["missing404"]] == [404]
    assert seen[BROKEN_CASES["redirect_start"]] == [302]
    assert seen[BROKEN_CASES["redirect_middle"]] == [301]
    assert seen[BROKEN_CASES["pdf"]] == [200]
    assert seen[BROKEN_CASES["latin1"]] == [200] and seen[BROKEN_CASES["broken_html"]] == [200]
    assert BROKEN_CASES["slow"] not in seen  # no response arrived: nothing to capture
