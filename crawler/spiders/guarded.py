"""What every page the blog spider reads may be: hostile. One place skips bad input, says so and
counts it, so no malformed URL, gzip bomb or failed request ends the list it came in.

Each skip is logged (the first of its kind per host at least) and counted under ``discovery/`` or
``crawl/``; the response itself is already in the WARC (the capture middleware runs first).
"""

from __future__ import annotations

import logging
from functools import cached_property

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.urls import BadURL, web_url
from crawler.linkgate import LinkGate  # hostile sites: bounded link following

logger = logging.getLogger(__name__)
HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class GuardedSpider(Spider):
    sites: set[str]

    @cached_property
    def link_gate(self) -> LinkGate:
        return LinkGate.from_crawler(self.crawler, self.sites)

    def _unzip(self, response: Response) -> bytes:
        try:
            return unzip_body(response, self.settings.getint("DOWNLOAD_MAXSIZE"))
        except ValueError:  # scrapy's _DecompressionMaxSizeExceeded: a gzip bomb
            self._bad_input(response, "crawl/decompression_bomb",
                            "gzip body expands beyond DOWNLOAD_MAXSIZE, not parsed")
            return b""

    def _canonical(self, url: str, via: str) -> str | None:
        """``web_url``: the canonical form of a URL that can be requested, or None for one that
        cannot (unparseable, relative, not http): logged, counted and skipped, so one bad entry
        never ends the list it came in."""
        try:
            return web_url(url)
        except BadURL as error:
            self._skip_url(via, str(error))
            return None

    def _skip_url(self, via: str, why: str) -> None:
        self.crawler.stats.inc_value("discovery/bad_url")
        self.crawler.stats.inc_value(f"discovery/{via}/bad_url")
        logger.warning("Skipped a URL that cannot be requested, found via %s: %s", via, why)

    def _bad_input(self, response: Response, counter: str, reason: str) -> None:
        self.crawler.stats.inc_value(counter)
        logger.warning("%s: %s (HTTP %s, captured in the WARC)", response.url, reason,
                       response.status)

    def _log_failure(self, failure: Failure, counter: str) -> None:
        request = request_of(failure)
        error = failure.value
        if isinstance(error, HttpError):
            status = error.response.status
            reason = f"HTTP {status}"
            self.crawler.stats.inc_value(f"crawl/http_error/{status}")
        else:
            reason = f"{type(error).__name__}: {failure.getErrorMessage()}"
        if "IgnoreRequest" in reason:
            self.crawler.stats.inc_value("crawl/ignored")
            logger.debug("%s: skipped (%s)", request.url, reason)
            return
        self.crawler.stats.inc_value(counter)
        logger.warning("%s: failed (%s)", request.url, reason)


def is_html(response: Response) -> bool:
    content_type = response.headers.get(b"Content-Type", b"") or b""
    return isinstance(response, TextResponse) and any(t in content_type for t in HTML_TYPES)


def unzip_body(response: Response, max_size: int = 0) -> bytes:
    body = response.body
    if body[:2] == b"\x1f\x8b":
        from scrapy.utils.gz import gunzip
        return bytes(gunzip(body, max_size=max_size))
    return body


def request_of(failure: Failure) -> Request:
    """The request an errback's failure is about (Scrapy sets it; Twisted does not declare it)."""
    request: Request = failure.request  # type: ignore[attr-defined]
    return request
