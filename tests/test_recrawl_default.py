"""Scheduled crawls with default settings (README "Scheduled crawls"): a repeat asks only for what
the inventories say changed, catches new comments through the WordPress comments endpoint, falls
back to conditional requests (with a note) when the REST API refuses, and revalidates on demand.

The ``classic`` fixture blog has a REST API (posts and comments), a sitemap and a feed; each test
crawls it into its own archive, changes it (``POST /mutate``) and crawls again.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.layout import Layout
from archive.when import iso_date
from tests.conftest import CrawlRun, run_crawl
from tests.fixtures.server import FixtureServer

BLOG = "classic"
NEWEST, OLDEST, EDITED = 55, 5, 12  # post ids


@pytest.fixture
def blog(server: FixtureServer) -> Iterator[FixtureServer]:
    server.restore()
    try:
        yield server
    finally:
        server.restore()


def first_crawl(server: FixtureServer, archive: Path) -> CrawlRun:
    run = run_crawl(server, archive, [BLOG])
    assert run.returncode == 0, run.log[-3000:]
    time.sleep(1.1)  # inventories count whole seconds: change things in a later second
    return run


def again(server: FixtureServer, archive: Path, *args: str) -> CrawlRun:
    run = run_crawl(server, archive, [BLOG], *args)
    assert run.returncode == 0, run.log[-3000:]
    return run


def url_of(server: FixtureServer, post_id: int) -> str:
    return next(p["url"] for p in server.posts(BLOG) if p["id"] == post_id)


def post_paths(run: CrawlRun) -> list[str]:
    """Post pages asked for (/YYYY/MM/DD/slug/), in order."""
    return [urlsplit(r["path"]).path for r in run.requests
            if urlsplit(r["path"]).path.count("/") == 5 and r["path"][1].isdigit()]


def comment_requests(run: CrawlRun) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(r["path"]).query) for r in run.requests
            if urlsplit(r["path"]).path == "/wp-json/wp/v2/comments"]


def catalog(archive: Path) -> sqlite3.Connection:
    return sqlite3.connect(Layout(archive).catalog_path)


def versions(archive: Path, url: str) -> int:
    row = catalog(archive).execute("SELECT COUNT(*) FROM versions v JOIN posts p ON p.id = "
                                   "v.post_id WHERE p.url = ?", (url,)).fetchone()
    return int(row[0])


def captured_at(archive: Path, url: str) -> datetime:
    row = catalog(archive).execute("SELECT MAX(v.captured_at) FROM versions v JOIN posts p ON "
                                   "p.id = v.post_id WHERE p.url = ?", (url,)).fetchone()
    return iso_date(row[0])


def latest_comments(archive: Path, url: str) -> list[str]:
    rows = catalog(archive).execute(
        """SELECT c.author FROM comments c JOIN versions v ON v.id = c.version_id
           JOIN posts p ON p.id = v.post_id WHERE p.url = ? AND v.version =
           (SELECT MAX(version) FROM versions WHERE post_id = p.id)""", (url,)).fetchall()
    return [str(row[0]) for row in rows]


def test_an_unchanged_repeat_asks_for_no_post_and_no_archived_requisite(
        blog: FixtureServer, tmp_path: Path) -> None:
    first_crawl(blog, tmp_path)
    second = again(blog, tmp_path)
    posts = len(blog.posts(BLOG))
    assert post_paths(second) == []
    assert second.report["unchanged"] == posts and second.report["changed"] == 0
    assert second.stats["posts/unchanged_by_inventory"] == posts
    known = second.stats["requisites/known_skipped"]
    assert known > 0 and f"{known} archived already" in second.report["summary"]
    assert second.report["revalidated"] == [] and second.report["notes"] == []
    # Nothing the archive holds in full (a post, a requisite) is asked again; what is: discovery
    # documents, the home page, pages that are no post (asked for conditionally: rows of kind
    # 'page', tests/test_recrawl_pages.py), files archived as another URL's revisit.
    db = catalog(tmp_path)
    held = {urlsplit(row[0]).path + (f"?{urlsplit(row[0]).query}" if urlsplit(row[0]).query else "")
            for row in [*db.execute("SELECT url FROM resources WHERE kind IS NOT 'page'"),
                        *db.execute("SELECT url FROM posts")]}
    assert held and not held & {r["path"] for r in second.requests}, second.requests


def test_a_new_comment_has_its_post_asked_for_and_archived(blog: FixtureServer,
                                                            tmp_path: Path) -> None:
    first = first_crawl(blog, tmp_path)
    assert comment_requests(first) == []  # nothing archived: no comment can be new to it
    last_seen = max(row[0] for row in catalog(tmp_path).execute("SELECT last_seen FROM posts"))
    blog.mutate(BLOG, comment=[EDITED])
    url = url_of(blog, EDITED)
    second = again(blog, tmp_path)
    assert post_paths(second) == [urlsplit(url).path]
    assert (second.report["changed"], second.report["new"]) == (1, 0)
    assert second.stats["posts/commented"] == 1
    assert versions(tmp_path, url) == 2
    assert any(author.startswith("Late Reader") for author in latest_comments(tmp_path, url))
    # Asked with a day of margin before the previous run: WordPress compares local dates.
    (query,) = comment_requests(second)
    margin = iso_date(last_seen).astimezone(UTC) - timedelta(days=1)
    assert query["after"] == [margin.strftime("%Y-%m-%dT%H:%M:%S")]
    assert query["orderby"] == ["date_gmt"] and query["per_page"] == ["100"]
    # The commented post is asked in full: its validators date from before the comment.
    (request,) = [r for r in second.requests if urlsplit(r["path"]).path == urlsplit(url).path]
    assert "If-None-Match" not in request["headers"]


def test_a_comment_counts_from_its_posts_capture_second(blog: FixtureServer,
                                                         tmp_path: Path) -> None:
    """Judged on the client by ``date_gmt``: older than the capture, it was archived with the
    post; in the capture's own second it may not have been, so the post is asked for."""
    first_crawl(blog, tmp_path)
    older, same = url_of(blog, NEWEST), url_of(blog, OLDEST)
    before = captured_at(tmp_path, older).replace(microsecond=0) - timedelta(seconds=1)
    blog.mutate(BLOG, comment=[NEWEST], comment_date=before.isoformat())
    at = captured_at(tmp_path, same).replace(microsecond=0)
    blog.mutate(BLOG, comment=[OLDEST], comment_date=at.isoformat())
    second = again(blog, tmp_path)
    assert second.stats["discovery/comments/listed"] == 2  # both within the margin
    assert post_paths(second) == [urlsplit(same).path]
    assert versions(tmp_path, same) == 2 and versions(tmp_path, older) == 1


def test_the_comments_endpoint_is_paged(blog: FixtureServer, tmp_path: Path) -> None:
    first_crawl(blog, tmp_path)
    blog.mutate(BLOG, comment=[NEWEST] * 100 + [OLDEST])  # the oldest post's comment: page 2
    second = again(blog, tmp_path)
    assert [q["page"] for q in comment_requests(second)] == [["1"], ["2"]]
    assert second.stats["discovery/comments/listed"] == 101
    assert sorted(post_paths(second)) == sorted(urlsplit(url_of(blog, i)).path
                                                for i in (NEWEST, OLDEST))


def test_a_comments_endpoint_beyond_the_page_budget_is_not_trusted(blog: FixtureServer,
                                                                   tmp_path: Path) -> None:
    first_crawl(blog, tmp_path)
    blog.mutate(BLOG, comment=[NEWEST] * 101)
    second = again(blog, tmp_path, "-s", "DISCOVERY_MAX_REST_PAGES=1")
    site = urlsplit(blog.url(BLOG)).netloc
    assert second.report["notes"] == [
        f"{site}: the comments endpoint lists more pages than DISCOVERY_MAX_REST_PAGES=1: posts "
        "were checked with conditional requests instead"]
    assert [q["page"] for q in comment_requests(second)] == [["1"]]
    assert len(post_paths(second)) == len(blog.posts(BLOG))
    assert second.report["changed"] == 1


def test_an_edit_a_new_post_and_a_deletion_cost_one_request_each(blog: FixtureServer,
                                                                  tmp_path: Path) -> None:
    first_crawl(blog, tmp_path)
    old = {p["url"] for p in blog.posts(BLOG)}
    now = blog.mutate(BLOG, add=1, edit=[EDITED], delete=[14])
    second = again(blog, tmp_path)
    report = second.report
    assert (report["new"], report["changed"], report["deleted"]) == (1, 1, 1)
    new = {p["url"] for p in now} - old
    expected = {urlsplit(u).path for u in new | {url_of(blog, EDITED)} | (old - {p["url"] for p in now})}
    assert sorted(post_paths(second)) == sorted(expected)


@pytest.mark.parametrize(("change", "why"), [
    ({"rest_status": 401}, "the REST API answered 401"),
    ({"rest_status": 404}, "the REST API answered 404"),
    ({"comments_status": 403}, "the comments endpoint answered 403")])
def test_a_refusing_rest_api_falls_back_to_conditional_requests_with_a_note(
        blog: FixtureServer, tmp_path: Path, change: dict[str, int], why: str) -> None:
    first_crawl(blog, tmp_path)
    blog.mutate(BLOG, edit=[EDITED], comment=[NEWEST], **change)
    second = again(blog, tmp_path)
    site = urlsplit(blog.url(BLOG)).netloc
    note = f"{site}: {why}: posts were checked with conditional requests instead"
    assert second.report["notes"] == [note]
    assert second.log.count(note) == 1
    posts = blog.posts(BLOG)
    assert sorted(post_paths(second)) == sorted(urlsplit(p["url"]).path for p in posts)
    assert "posts/unchanged_by_inventory" not in second.stats
    assert (second.report["changed"], second.report["unchanged"]) == (2, len(posts) - 2)
    asked = [r for r in second.requests if urlsplit(r["path"]).path == urlsplit(
        url_of(blog, 40)).path]
    assert asked and "If-None-Match" in asked[0]["headers"]


def test_revalidate_asks_for_every_archived_post_and_requisite(blog: FixtureServer,
                                                               tmp_path: Path) -> None:
    first_crawl(blog, tmp_path)
    second = again(blog, tmp_path, "-a", "revalidate=1")
    site = urlsplit(blog.url(BLOG)).netloc
    assert second.report["revalidated"] == [site]
    assert len(post_paths(second)) == len(blog.posts(BLOG))
    assert "requisites/known_skipped" not in second.stats
    held = {row[0] for row in catalog(tmp_path).execute("SELECT url FROM resources")}
    requisites = {row[0] for row in catalog(tmp_path).execute(
        "SELECT url FROM resources WHERE kind IS NOT 'page'")}  # not the pages that are no post
    asked = {blog.url(BLOG, r["path"]) for r in second.requests}
    assert held and held <= asked  # asked again (this blog sends no validators: revisits)
    assert requisites and second.stats["requisites/revisited"] >= len(requisites)
    assert "/wp-json/wp/v2/comments" not in {urlsplit(r["path"]).path for r in second.requests}


def test_every_nth_run_and_an_age_revalidate(blog: FixtureServer, tmp_path: Path) -> None:
    site = urlsplit(blog.url(BLOG)).netloc
    first_crawl(blog, tmp_path)
    every = ("-s", "RECRAWL_REVALIDATE_EVERY=2")
    runs = [again(blog, tmp_path, *every).report["revalidated"] for _ in range(3)]
    assert runs == [[site], [], [site]]
    time.sleep(1.1)
    aged = again(blog, tmp_path, "-s", "RECRAWL_REVALIDATE_AFTER=1 second")
    assert aged.report["revalidated"] == [site]
    fresh = again(blog, tmp_path, "-s", "RECRAWL_REVALIDATE_AFTER=1 hour")
    assert fresh.report["revalidated"] == []
    off = again(blog, tmp_path, "-s", "RECRAWL_TRUST_INVENTORY=False")
    assert off.report["revalidated"] == [site]


@pytest.mark.parametrize(("args", "message"), [
    (("-s", "RECRAWL_REVALIDATE_AFTER=soon"), "RECRAWL_REVALIDATE_AFTER='soon': use an age"),
    (("-s", "RECRAWL_REVALIDATE_EVERY=-1"), "RECRAWL_REVALIDATE_EVERY=-1: use a number of runs"),
    (("-a", "revalidate=maybe"), "revalidate='maybe': use revalidate=1 or revalidate=0")])
def test_bad_revalidation_values_stop_with_one_line(blog: FixtureServer, tmp_path: Path,
                                                    args: tuple[str, ...], message: str) -> None:
    run = run_crawl(blog, tmp_path, [BLOG], *args)
    assert run.returncode != 0
    assert message in run.log and "Traceback" not in run.log
    assert run.requests == []
