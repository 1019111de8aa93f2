"""Downloader middlewares: scope and trap filtering, User-Agent, and the WARC capture point."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from archive import __version__
from archive.urls import is_trap, site_of
from archive.warc.capture import Capture, WarcLocation
from crawler.bodies import truncation_of, warc_truncated
from crawler.config import crawl_config
from crawler.meta import (
    CAPTURE_STARTED,
    CAPTURED_AT,
    PARTIAL_RESPONSE,
    REQUISITE,
    REVISIT,
    ROBOTS,
    TRUNCATED,
    WARC_LOCATION,
)
from crawler.protocols import scope_of
from crawler.recrawl import ResourceRecrawl, page_revisit, prior_of, refers_to
from crawler.warc import WarcSink

logger = logging.getLogger(__name__)


class ScopeMiddleware:
    """Never fetch a WordPress trap, nor a page outside the start URLs' hosts.

    Page requisites (``REQUISITE`` meta) pass: they are files a captured page loads, from the
    blog's host or a CDN, asked for once each and never followed, so neither rule applies (an
    avatar's ``?s=96`` is not WordPress search). Trackers are refused where they are asked for
    (``crawler/spiders/requisites.py``, ``ARCHIVE_REQUISITE_SKIP_HOSTS``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if (request.meta.get(ROBOTS) or request.meta.get(REQUISITE)
                or request.url.endswith("/robots.txt")):
            return
        if is_trap(request.url):
            self.stats.inc_value("discovery/trap_skipped")
            raise IgnoreRequest(f"trap URL: {request.url}")
        sites = scope_of(self.crawler.spider)
        if sites and site_of(request.url) not in sites:
            self.stats.inc_value("discovery/offsite_skipped")
            raise IgnoreRequest(f"outside the crawl scope: {request.url}")


class ContactUserAgentMiddleware:
    """Name the project and a contact in every request, as polite archivists do."""

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgentMiddleware:
        config = crawl_config(crawler)
        agent = crawler.settings.get("USER_AGENT") or f"blogarchive/{__version__}"
        contact = config.run.contact
        if contact and contact not in agent:
            agent = f"blogarchive/{__version__} (+{contact})"
        if config.archive.operator:
            agent += f" operated by {config.archive.operator}"
        return cls(agent)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        request.headers.setdefault(b"User-Agent", self.user_agent.encode("utf-8"))


class CaptureMiddleware:
    """Write every response to the WARC exactly as received, before anything can drop it.

    Sits closest to the downloader, so bodies are still content-encoded and redirects, error pages
    and retries pass through here too. Responses served from Scrapy's HTTP cache are not captures.
    Page requisites (``meta[REQUISITE]``) are revalidated and deduplicated against the archive's
    resources (``ResourceRecrawl``), so the last headers added before the wire are the validators.
    """

    def __init__(self, sink: WarcSink, stats: Any, resources: ResourceRecrawl | None = None) -> None:
        self.sink = sink
        self.stats = stats
        self.resources = resources
        # payload digest -> fired once a requisite with it is written and catalogued: while the
        # writer has it, an identical requisite waits, so it becomes a revisit as it did when
        # writing was synchronous (crawler/warc.py)
        self.writing: dict[str, Deferred[None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureMiddleware:
        return cls(WarcSink.for_crawler(crawler), crawler.stats,
                   ResourceRecrawl.for_crawler(crawler))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        request.meta[CAPTURE_STARTED] = datetime.now(UTC)
        if self.resources is not None:
            self.resources.prepare(request)

    async def process_response(self, request: Request, response: Response,
                               spider: Spider | None = None) -> Response:
        if "cached" in response.flags:
            return response
        capture = capture_from(request, response)
        location = await self._store(request, capture)
        request.meta[WARC_LOCATION] = location
        request.meta[CAPTURED_AT] = capture.started
        self.stats.inc_value(f"archive/captures/{response.status // 100}xx")
        return response

    async def process_exception(self, request: Request, exception: Exception,
                                spider: Spider | None = None) -> None:
        """A download that timed out after its headers: what arrived, ``WARC-Truncated: time``.

        The exception goes on (retried as Scrapy does, then logged as failed by the spider)."""
        partial = request.meta.pop(PARTIAL_RESPONSE, None)  # a Response never enters a queue
        if partial is None:
            return
        request.meta[WARC_LOCATION] = await self.sink.write(capture_from(request, partial))
        request.meta.pop(TRUNCATED, None)
        self.stats.inc_value(f"archive/captures/{partial.status // 100}xx")
        self.stats.inc_value("crawl/truncated/time")
        logger.warning("%s: no data for DOWNLOAD_TIMEOUT=%g s after %d bytes of the body; the "
                       "part received is captured with WARC-Truncated: time", request.url,
                       request.meta.get("download_timeout", 0), len(partial.body))

    async def _store(self, request: Request, capture: Capture) -> WarcLocation:
        """A full response record, or a revisit when an archived post came back unchanged."""
        if capture.resource_type and self.resources is not None:
            return await self._store_requisite(request, capture, self.resources)
        page = page_revisit(request, capture)
        if page is not None:  # a page that is not a post, unchanged (crawler/recrawl.py)
            refers, not_modified = page
            request.meta[REVISIT] = "server-not-modified" if not_modified \
                else "identical-payload-digest"
            self.stats.inc_value("pages/revisited/" + ("not_modified" if not_modified
                                                       else "identical"))
            return await self.sink.write_revisit(capture, refers, not_modified=not_modified)
        prior = prior_of(request)
        if prior is not None and capture.status == 304:
            request.meta[REVISIT] = "server-not-modified"
            self.stats.inc_value("archive/revisits/not_modified")
            return await self.sink.write_revisit(capture, refers_to(prior), not_modified=True)
        if (prior is not None and 200 <= capture.status < 300 and capture.body
                and capture.payload_digest == prior.payload_digest):
            request.meta[REVISIT] = "identical-payload-digest"
            self.stats.inc_value("archive/revisits/identical")
            return await self.sink.write_revisit(capture, refers_to(prior), not_modified=False)
        return await self.sink.write(capture)

    async def _store_requisite(self, request: Request, capture: Capture,
                               resources: ResourceRecrawl) -> WarcLocation:
        """A 304 to a revalidation, or a payload the archive already holds under any URL: a
        revisit; anything else in full, remembered (and catalogued) for later revisits."""
        first = self.writing.get(capture.payload_digest)
        if first is not None:  # the same bytes are being written: refer to them once they are
            await maybe_deferred_to_future(first)
        revisit = resources.revisit_of(capture)
        if revisit is not None:
            refers, not_modified = revisit
            why = "server-not-modified" if not_modified else "identical-payload-digest"
            request.meta[REVISIT] = why
            self.stats.inc_value("requisites/revisited/"
                                 + ("not_modified" if not_modified else "identical"))
            return await self.sink.write_revisit(capture, refers, not_modified=not_modified)
        done: Deferred[None] = Deferred()
        self.writing.setdefault(capture.payload_digest, done)
        try:
            location = await self.sink.write(capture)
            resources.captured(capture, location)
        finally:
            if self.writing.get(capture.payload_digest) is done:
                del self.writing[capture.payload_digest]
            done.callback(None)
        return location


def capture_from(request: Request, response: Response) -> Capture:
    started = request.meta.get(CAPTURE_STARTED) or datetime.now(UTC)
    return Capture(
        url=request.url.split("#", 1)[0],
        started=started,
        method=request.method,
        request_headers=_header_list(request.headers),
        request_body=request.body or b"",
        protocol=getattr(response, "protocol", None) or "HTTP/1.1",
        status=response.status,
        response_headers=_header_list(response.headers),
        body=response.body,
        ip_address=str(response.ip_address) if response.ip_address else None,
        truncated=warc_truncated(truncation_of(request, response)),  # crawler/bodies.py
        resource_type=_resource_type(request),
    )


def _resource_type(request: Request) -> str | None:
    """A requisite's kind for ``WARC-Resource-Type`` (``archive/warc/records.py``)."""
    kind = request.meta.get(REQUISITE)
    if not kind:
        return None
    return kind if isinstance(kind, str) else "other"


def _header_list(headers: Any) -> list[tuple[str, str]]:
    """Every value of every header (``getlist``), so repeated headers such as Set-Cookie survive.

    Decoded as Latin-1: one character per received byte, lossless, so the record builder
    (``archive/warc/records.py`` ``WireHeaders``) writes back exactly the bytes the server sent,
    raw UTF-8 included."""
    lines: list[tuple[str, str]] = []
    for name in headers:
        for value in headers.getlist(name):
            lines.append((name.decode("latin-1"), value.decode("latin-1")))
    return lines
