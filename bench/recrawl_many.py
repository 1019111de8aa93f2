"""Many small blogs crawled at once, with the product's default per-host politeness.

The blogs are ``tests/fixtures/manyblogs.py``'s ``ManyBlogs`` (issue 19's sites work): each on its
own loopback address (127.0.0.2, 127.0.0.3, ...), so each is its own host to Scrapy's per-host
slots. One ``scrapy crawl blog -a url=URL,URL,...`` crawls them all, with AutoThrottle and
``CONCURRENT_REQUESTS_PER_DOMAIN`` as a user gets them; then an unchanged repeat. Figures: posts
and requests per second of wall time, and the most requests one host had in transfer at once
as the blogs' servers counted it (and as Scrapy's downloader did, ``bench/hostload.py``): the
check that politeness holds while the crawl is spread over hosts. Requests and bytes come from the
run reports.

The blogs are registered first (``blogarchive sites add URL...``) and crawled with ``-a sites=all``,
the way a user schedules many blogs.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from bench.hostload import STAT, settings_with
from bench.recrawl_figures import Crawl, Series, from_report, report_counts, reports_before
from bench.recrawl_runs import BIN, ROOT, run_scrapy
from crawler import settings as product


class Fleet(Protocol):
    """What the bench needs of the blogs: their URLs, and the most requests each host (address),
    and all of them together, were answering at one time since the last ``reset``, as the servers
    counted them."""

    @property
    def urls(self) -> list[str]: ...

    def max_in_flight(self) -> dict[str, int]: ...

    def max_total_in_flight(self) -> int: ...

    def reset(self) -> None: ...


Fleets = Callable[[int, int], AbstractContextManager[Fleet]]


def many_blogs(count: int, posts: int) -> AbstractContextManager[Fleet]:
    """The test suite's ``ManyBlogs``; a clear message where it is not there yet."""
    try:
        from tests.fixtures.manyblogs import ManyBlogs  # type: ignore[import-untyped,unused-ignore]
    except ImportError as error:
        raise SystemExit(f"the many-blogs bench needs tests/fixtures/manyblogs.py ({error})") from error
    fleet: AbstractContextManager[Fleet] = ManyBlogs(count, posts=posts)
    return fleet


def register(urls: list[str], archive: Path) -> None:
    """``blogarchive sites add URL...``, as a user lists the blogs to crawl."""
    subprocess.run([str(BIN / "blogarchive"), "--archive", str(archive), "sites", "add", *urls],
                   cwd=ROOT, capture_output=True, text=True, check=True, timeout=600,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})


def crawl(label: str, fleet: Fleet, archive: Path) -> Crawl:
    fleet.reset()
    before = reports_before(archive)
    seconds = run_scrapy(None, archive, *settings_with())
    report = report_counts(archive, before)
    figures = from_report(label, report, seconds)
    stats: dict[str, Any] = report.get("stats") or {}
    per_second = {"posts/s": round((figures.new + figures.changed) / seconds, 2),
                  "requests/s": round(figures.requests / seconds, 2),
                  "most simultaneous requests to one host": max(fleet.max_in_flight().values(),
                                                                 default=0),
                  "same, counted in the crawler's downloader": int(stats.get(STAT, 0) or 0),
                  "most simultaneous requests to all hosts": fleet.max_total_in_flight(),
                  "hosts": len(fleet.max_in_flight())}
    return replace(figures, extra=per_second)


def bench(count: int, posts: int, scratch: Path, fleets: Fleets = many_blogs) -> Series:
    """Crawl ``count`` blogs of ``posts`` posts at once, then again unchanged."""
    series = Series("many", f"{count} small blogs of {posts} posts, one host each, crawled at once",
                    f"default politeness: AutoThrottle on, {product.CONCURRENT_REQUESTS_PER_DOMAIN} "
                    f"requests a host, {product.CONCURRENT_REQUESTS} in all; figures from the run "
                    "reports")
    archive = scratch / "archive"
    with fleets(count, posts) as fleet:
        register(list(fleet.urls), archive)
        series.crawls.append(crawl("first", fleet, archive))
        series.crawls.append(crawl("repeat, unchanged", fleet, archive))
    limit = product.CONCURRENT_REQUESTS_PER_DOMAIN
    series.checks = {f"no host above {limit} simultaneous requests": all(
        0 < c.extra[key] <= limit for c in series.crawls
        for key in ("most simultaneous requests to one host",
                    "same, counted in the crawler's downloader"))}
    return series
