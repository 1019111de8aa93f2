"""A blog whose home page could not even be connected to is asked for nothing more in this run.

A blog that is down (connection refused, unknown host, no route) would otherwise cost every request
discovery and the archive's own list of its posts make, each tried ``RETRY_TIMES`` more times at
AutoThrottle's pace: with a 2,000-post archive, hours of a nightly run spent on a host that does not
answer. Once its home page failed so after its retries (``crawler/spiders/moves.py``), the
requests still to come for that host are dropped here, counted in ``sites/unreachable/skipped``;
the few already on their way finish as they do. An HTTP error on the home page (a 503, a 404),
a connection reset or a time-out is a server that is there: the blog is crawled as usual. The
blog list counts the failed run (``crawler/sitehealth.py``) and tries again next time.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from archive.urls import site_of
from crawler.meta import REQUISITE


class UnreachableSiteMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnreachableSiteMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        down: set[str] = getattr(self.crawler.spider, "unreachable", set())
        if down and not request.meta.get(REQUISITE) and site_of(request.url) in down:
            self.crawler.stats.inc_value("sites/unreachable/skipped")
            raise IgnoreRequest(f"{site_of(request.url)} did not answer: {request.url}")
