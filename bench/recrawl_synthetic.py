"""The synthetic blog of the re-crawl benchmark: 2,000 WordPress posts from the fixture server.

A blog generated with the fixture server's classic theme (Twenty Twenty-One pages, ``wp-sitemap.xml``,
the REST API, feeds, gzip, ETag/Last-Modified and 304), served on 127.0.0.1 by a Python thread: no
WordPress to install, so it scales to thousands of posts in seconds. Crawled three times into one
archive: first, an unchanged repeat with the default settings (the inventories are trusted), and
one revalidating every archived post and requisite (``-a revalidate=1``, the safety net). Its
server keeps no access log: the figures come from the run reports.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from functools import cached_property
from pathlib import Path

from bench.recrawl_figures import Crawl, Series, from_report, report_counts, reports_before
from bench.recrawl_runs import BENCH_SETTINGS, run_scrapy
from tests.fixtures.blogs import theme_tt1
from tests.fixtures.blogs.sitemaps import core
from tests.fixtures.blogs.sites import _wp_robots
from tests.fixtures.blogs.specs import BlogSpec, PostSpec, berlin, slugify
from tests.fixtures.blogs.textgen import POLITICS, paragraphs
from tests.fixtures.blogs.wordpress import WpSite
from tests.fixtures.server import BlogHandler, QuietServer, RequestLog

CATEGORIES = ("News", "Analysis", "Energy", "Europe", "Trade", "Housing")
TAGS = ("budget", "energy", "eu", "nato", "climate", "inflation", "elections", "trade")


class IndexedBlog(BlogSpec):
    """A BlogSpec with O(1) post lookups: the fixture's linear scans are fine for 14 posts only."""

    @cached_property
    def _by_path(self) -> dict[str, PostSpec]:
        return {self.post_path(post): post for post in self.posts}

    @cached_property
    def _by_id(self) -> dict[int, PostSpec]:
        return {post.id: post for post in self.posts}

    @cached_property
    def _categories(self) -> list[str]:
        return sorted({name for post in self.posts for name in post.categories})

    @cached_property
    def _tags(self) -> list[str]:
        return sorted({name for post in self.posts for name in post.tags})

    def post_by_path(self, path: str) -> PostSpec | None:
        return self._by_path.get(path)

    def post_by_id(self, post_id: int) -> PostSpec | None:
        return self._by_id.get(post_id)

    @property
    def categories(self) -> list[str]:
        return self._categories

    @property
    def tags(self) -> list[str]:
        return self._tags


def synthetic_blog(count: int) -> IndexedBlog:
    """``count`` posts, one every 17 hours from 2019 on, newest first, like the classic blog."""
    start = berlin(2019, 1, 7, 8, 0)
    authors = ("Anna Keller", "Tom Berger")
    posts = []
    for number in range(count):
        published = start + timedelta(hours=17 * number)
        subject = POLITICS.objects[number % len(POLITICS.objects)]
        title = f"{subject[0].upper()}{subject[1:]}, part {number + 1}"
        modified = published + timedelta(days=2) if number % 3 == 0 else published
        posts.append(PostSpec(
            id=1000 + number, slug=slugify(title), title=title, author=authors[number % 2],
            published=published, modified=modified,
            categories=(CATEGORIES[number % len(CATEGORIES)],), tags=(TAGS[number % len(TAGS)],),
            paragraphs=paragraphs(f"bench-{number}", POLITICS, 3 + number % 4)))
    posts.sort(key=lambda post: post.published, reverse=True)
    return IndexedBlog(
        name="bench", title="Keller & Berger", tagline="Politics, energy and Europe, slowly",
        language="en-US", theme="twentytwentyone", permalinks="dated",
        server="nginx/1.18.0 (Ubuntu)", gzip=True, posts=tuple(posts), authors=authors)


def serve(blog: BlogSpec) -> tuple[QuietServer, str]:
    """The blog on 127.0.0.1 with the fixture server's handler (gzip, ETag, 304), in a thread."""
    router = WpSite(blog, theme_tt1, _wp_robots("/wp-sitemap.xml"), core)
    attrs = {"blog": blog, "router": staticmethod(router), "log": RequestLog()}
    server = QuietServer(("127.0.0.1", 0), type("BenchHandler", (BlogHandler,), attrs))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def crawl(label: str, url: str, archive: Path, *extra: str) -> Crawl:
    before = reports_before(archive)
    started = time.perf_counter()
    run_scrapy(url, archive, *BENCH_SETTINGS, *extra)
    return from_report(label, report_counts(archive, before), time.perf_counter() - started)


def bench(posts: int, scratch: Path) -> Series:
    """First crawl, unchanged repeat, unchanged repeat revalidating everything."""
    series = Series("synthetic", f"generated WordPress blog of {posts} posts, unchanged",
                    "fixture server in a thread, AutoThrottle off, 16 concurrent requests; "
                    "figures from the run reports")
    server, url = serve(synthetic_blog(posts))
    archive = scratch / "synthetic-archive"
    try:
        series.crawls.append(crawl("first", url, archive))
        series.crawls.append(crawl("repeat, unchanged (default)", url, archive))
        series.crawls.append(crawl("repeat, -a revalidate=1", url, archive,
                                   "-a", "revalidate=1"))
    finally:
        server.shutdown()
        server.server_close()
    return series
