"""robots.txt fetched once per host per crawl, for both of its readers.

Scrapy's ``RobotsTxtMiddleware`` fetches a host's robots.txt before the first request to it, to obey
it; discovery asks for the same file for its ``Sitemap:`` lines (``crawler/spiders/inventory.py``).
Both went to the network: two fetches and two WARC records per blog (6 of the demo's 60 captures,
with the home page's). Here the middleware keeps the response of its own fetch (captured once, by
``CaptureMiddleware``, as any download) and answers discovery's request with it, marked
``cached`` so it is not written again. Whatever comes first, the one fetch is Scrapy's own:
discovery's request waits for it like any other request to that host, then reads the very
response the rules were parsed from.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from archive.urls import site_of
from crawler.meta import STEP


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's middleware, whose robots.txt response also answers discovery's ``robots`` step."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._responses: dict[str, Response | Exception] = {}  # per host until discovery reads it

    async def process_request(self, request: Request,  # type: ignore[override]
                              spider: Spider | None = None) -> Response | None:
        await super().process_request(request)  # fetches robots.txt first if needed, as ever
        if request.meta.get(STEP) != "robots":
            return None
        netloc = urlparse_cached(request).netloc
        if netloc not in self._responses:  # fetched before its blog was known (a move): fetch
            return None
        response = self._responses.pop(netloc)
        if isinstance(response, Exception):
            request.meta["dont_retry"] = True  # Scrapy's fetch was retried already
            raise response  # discovery's errback sees why, as if it had asked itself
        self.crawler.stats.inc_value("discovery/robots/shared")
        flags = [*response.flags, "cached"]  # CaptureMiddleware wrote it already
        return response.replace(request=request, flags=flags)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if self._wanted(netloc):
            self._responses[netloc] = response
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if self._wanted(netloc):
            self._responses[netloc] = exc  # discovery's request fails the same way
        super()._robots_error(exc, netloc)

    def _wanted(self, netloc: str) -> bool:
        """Only a crawled blog's host: a CDN's robots.txt is never asked for by discovery."""
        return site_of(f"http://{netloc}/") in (getattr(self.crawler.spider, "site_states", None) or {})
