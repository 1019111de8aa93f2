"""Many blogs from one scheduled command (issue 19, point 4): 50 blogs on 50 loopback addresses,
listed with ``blogarchive sites add`` and ``sites import``, crawled by the real
``scrapy crawl blog -a sites=all``; then runs with blogs down (failures 1, 2, gone), one moved (the
new address crawled, the list repointed), one removed, and one back up.

The runs build on each other (as nightly runs do), so the tests of this module run in order on one
archive and one set of blogs.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive.layout import Layout
from archive.sites import Subscription, write_opml
from crawler import settings as product
from tests.conftest import BIN, ROOT, run_cli
from tests.fixtures.manyblogs import ManyBlogs

LISTED = 50       # blogs 0..49 are listed; blog 50 is the address blog 5 moves to
DOWN, FAILING, MOVED, NEW_HOME, REMOVED = 3, 4, 5, LISTED, 0
GONE_AFTER = 2
# The repeat runs: no AutoThrottle (so each host may get CONCURRENT_REQUESTS_PER_DOMAIN at once)
# and no retries of a refused connection, to keep them short.
QUICK = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_TIMES=0")


@dataclass
class Run:
    returncode: int
    log: str
    hits: list[Any]
    report: dict[str, Any]
    per_host: dict[str, int]
    all_hosts: int


@pytest.fixture(scope="module")
def blogs() -> Iterator[ManyBlogs]:
    with ManyBlogs(LISTED + 1, posts=3, delay=0.02) as running:
        yield running


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("many")


def crawl(blogs: ManyBlogs, archive: Path, *args: str, every: bool = True) -> Run:
    """``scrapy crawl blog -a sites=all`` (``every=False``: without it) on ``archive``."""
    blogs.reset()
    command = [str(BIN / "scrapy"), "crawl", "blog", *(["-a", "sites=all"] if every else []),
               "-s", f"ARCHIVE_DIR={archive}", "-s", f"SITES_GONE_AFTER={GONE_AFTER}", "-s",
               "PROGRESS_INTERVAL=0", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    reports = sorted((archive / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    report = json.loads(reports[-1].read_text()) if reports else {}
    return Run(result.returncode, result.stderr, blogs.request_log, report, blogs.max_in_flight(),
               blogs.max_total_in_flight())


def sites(archive: Path) -> dict[str, dict[str, Any]]:
    result = run_cli("sites", "list", "--json", archive=archive)
    assert result.returncode == 0, result.stderr
    return {entry["url"]: entry for entry in json.loads(result.stdout)}


def archived(archive: Path) -> set[str]:
    db = sqlite3.connect(Layout(archive).catalog_path)
    try:
        return {url for (url,) in db.execute("SELECT url FROM posts WHERE deleted_at IS NULL")}
    finally:
        db.close()


def hosts_asked(run: Run) -> Counter[str]:
    return Counter(hit.host for hit in run.hits)


def test_an_empty_list_stops_with_one_line(blogs: ManyBlogs, archive: Path) -> None:
    run = crawl(blogs, archive)
    assert run.returncode == 2 and "no sites: blogarchive sites add URL" in run.log
    assert run.hits == []


def test_fifty_blogs_listed_by_add_and_opml_are_all_archived_politely(
        blogs: ManyBlogs, archive: Path) -> None:
    added = run_cli("sites", "add", *blogs.urls[:25], archive=archive)
    assert added.returncode == 0 and added.stdout.count("added: ") == 25, added.stderr
    opml = archive.parent / "feeds.opml"
    opml.write_bytes(write_opml(Subscription(url, f"Small blog {i}", url + "feed.xml")
                                for i, url in enumerate(blogs.urls[25:LISTED], start=25)))
    imported = run_cli("sites", "import", str(opml), archive=archive)
    assert imported.stdout.startswith("25 added"), imported.stdout + imported.stderr
    run = crawl(blogs, archive)  # the product's politeness settings: AutoThrottle on
    assert run.returncode == 0, run.log[-3000:]
    expected = {url for i in range(LISTED) for url in blogs.post_urls(i)}
    assert archived(archive) == expected  # every post of every blog, nothing of the spare one
    assert set(hosts_asked(run)) == {blog.host for blog in blogs.blogs[:LISTED]}
    assert max(run.per_host.values()) <= product.CONCURRENT_REQUESTS_PER_DOMAIN, run.per_host
    assert run.all_hosts > product.CONCURRENT_REQUESTS_PER_DOMAIN  # hosts side by side
    assert run.all_hosts <= product.CONCURRENT_REQUESTS
    listed = sites(archive)
    assert len(listed) == LISTED and {e["status"] for e in listed.values()} == {"ok"}
    assert all(e["last_success"] and e["last_change"] and e["failures"] == 0
               for e in listed.values())
    assert listed[blogs.urls[30]]["feed_url"] == blogs.urls[30] + "feed.xml"  # from the OPML
    assert (listed[blogs.urls[7]]["title"], listed[blogs.urls[7]]["feed_url"]) == (
        "Small blog 7", blogs.urls[7] + "feed.xml")  # added by URL: read from its home page
    health = run.report["site_health"]
    assert len(health) == LISTED and all(
        h["answered"] and h["changes"] == 3 and (h["status"], h["failures"]) == ("ok", 0)
        for h in health.values()), health


def test_a_blog_down_fails_then_is_gone_and_a_moved_blog_is_followed(
        blogs: ManyBlogs, archive: Path) -> None:
    blogs.stop(DOWN)
    blogs.fail(FAILING, 503)
    blogs.move(MOVED, NEW_HOME)
    old, new = blogs.urls[MOVED], blogs.urls[NEW_HOME]
    first = crawl(blogs, archive, *QUICK)
    assert first.returncode == 0, first.log[-3000:]
    listed = sites(archive)
    assert (listed[blogs.urls[DOWN]]["failures"], listed[blogs.urls[DOWN]]["status"]) == (
        1, "failing")
    assert "ConnectionRefused" in listed[blogs.urls[DOWN]]["last_error"]
    assert listed[blogs.urls[FAILING]]["last_error"] == "HTTP 503"
    assert old not in listed and listed[new]["moved_from"] == old
    assert listed[new]["moved_to"] == new and listed[new]["status"] == f"moved {old} → {new}"
    assert listed[new]["failures"] == 0 and listed[new]["last_success"]
    assert listed[new]["feed_url"] == new + "feed.xml"  # the new home page's feed
    moved_posts = {new.rstrip("/") + blogs.blogs[MOVED].post_path(n) for n in (1, 2, 3)}
    assert moved_posts <= archived(archive)  # the new host crawled in the same run
    assert first.report["site_health"][blogs.blogs[MOVED].host + f":{blogs.blogs[0].port}"][
        "moved_to"] == new
    assert first.report["stats"]["sites/moved/old_posts"] == 3  # not followed: listed anew
    assert max(first.per_host.values()) <= product.CONCURRENT_REQUESTS_PER_DOMAIN
    second = crawl(blogs, archive, *QUICK)
    listed = sites(archive)
    for down in (DOWN, FAILING):
        entry = listed[blogs.urls[down]]
        assert (entry["failures"], entry["status"]) == (GONE_AFTER, "gone") and entry["gone_at"]
    assert blogs.blogs[MOVED].host not in hosts_asked(second)  # only the new address now
    assert hosts_asked(second)[blogs.blogs[NEW_HOME].host] > 0
    ok = [e for e in listed.values() if e["status"] == "ok"]
    assert len(ok) == LISTED - 3
    text = run_cli("sites", "list", archive=archive).stdout.splitlines()
    assert text[0].split() == ["url", "last", "success", "last", "change", "failures", "status"]
    row = next(line for line in text if line.startswith(blogs.urls[DOWN]))
    assert row.split()[-2:] == [str(GONE_AFTER), "gone"]


def test_gone_blogs_are_still_tried_removed_ones_not_and_one_answer_clears_gone(
        blogs: ManyBlogs, archive: Path) -> None:
    removed = run_cli("sites", "remove", blogs.urls[REMOVED], archive=archive)
    assert removed.returncode == 0, removed.stderr
    posts_before = archived(archive)
    blogs.restore(DOWN)
    run = crawl(blogs, archive, *QUICK)
    assert run.returncode == 0, run.log[-3000:]
    assert "2 marked gone, tried again" in run.log
    asked = hosts_asked(run)
    assert blogs.blogs[REMOVED].host not in asked and asked[blogs.blogs[FAILING].host] > 0
    assert set(blogs.post_urls(REMOVED)) <= archived(archive) == posts_before  # posts stay
    listed = sites(archive)
    back = listed[blogs.urls[DOWN]]
    assert (back["failures"], back["gone_at"], back["status"]) == (0, None, "ok")
    assert listed[blogs.urls[FAILING]]["failures"] == GONE_AFTER + 1
    assert blogs.urls[REMOVED] not in listed


def test_the_list_exports_and_imports_back_after_the_moves(blogs: ManyBlogs, archive: Path,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "blogs.opml"
    assert run_cli("sites", "export", "-o", str(out), archive=archive).returncode == 0
    assert run_cli("sites", "import", str(out), archive=tmp_path / "copy").returncode == 0
    copy, original = sites(tmp_path / "copy"), sites(archive)
    assert {u: (e["title"], e["feed_url"]) for u, e in copy.items()} == {
        u: (e["title"], e["feed_url"]) for u, e in original.items()}
    assert all(e["feed_url"] for e in copy.values())  # every blog's feed, read while crawling
    assert blogs.urls[NEW_HOME] in sites(tmp_path / "copy")


def test_url_crawls_record_listed_blogs_and_do_not_add_others(blogs: ManyBlogs,
                                                               archive: Path) -> None:
    before = sites(archive)
    listed_one, unlisted = blogs.urls[7], blogs.urls[REMOVED]
    blogs.restore(FAILING)
    one = crawl(blogs, archive, *QUICK, "-a", f"url={blogs.urls[FAILING]}", every=False)
    assert one.returncode == 0, one.log[-3000:]
    after = sites(archive)
    assert after[blogs.urls[FAILING]]["status"] == "ok"  # a plain url= crawl records too
    assert after[listed_one]["last_attempt"] == before[listed_one]["last_attempt"]
    both = crawl(blogs, archive, *QUICK, "-a", f"url={unlisted}")
    assert both.returncode == 0, both.log[-3000:]
    assert blogs.blogs[REMOVED].host in hosts_asked(both)  # url= and sites=all together
    assert len(hosts_asked(both)) == LISTED  # 49 listed (one moved) and the unlisted one
    assert unlisted not in sites(archive)
    assert both.report["site_health"][f"{blogs.blogs[REMOVED].host}:{blogs.blogs[0].port}"][
        "answered"]


def test_reindex_leaves_the_list_alone(archive: Path) -> None:
    before = sites(archive)
    result = run_cli("reindex", archive=archive)
    assert result.returncode == 0, result.stderr
    assert sites(archive) == before


def test_a_blog_that_does_not_answer_is_asked_for_nothing_more(tmp_path: Path) -> None:
    """Its archived posts are not each tried RETRY_TIMES + 1 times at AutoThrottle's pace."""
    with ManyBlogs(2, posts=30) as two:
        assert run_cli("sites", "add", *two.urls, archive=tmp_path).returncode == 0
        pace = ("-s", "AUTOTHROTTLE_START_DELAY=0.2")  # AutoThrottle and retries on, just faster
        assert crawl(two, tmp_path, *pace).returncode == 0
        two.stop(1)
        run = crawl(two, tmp_path, *pace)
    assert run.returncode == 0, run.log[-3000:]
    stats = run.report["stats"]
    refused = stats["downloader/exception_type_count/scrapy.exceptions.DownloadConnectionRefusedError"]
    asked = 30 + 7  # its archived posts and discovery (robots.txt, home, sitemaps, feed)
    assert stats["sites/unreachable/skipped"] >= asked // 2, stats
    assert refused <= 2 * asked, stats  # each would be tried 3 times: 3 * asked
    assert "no connection to the home page" in run.log
    down = sites(tmp_path)[two.urls[1]]
    assert (down["failures"], down["status"]) == (1, "failing")
    assert stats["posts/unchanged"] == 30  # the blog that answers: all of it
