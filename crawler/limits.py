"""Hostile servers: size limits that keep what arrived, Retry-After, redirect loops, odd bodies.

Each guard ends a bad case with one clear log line and a stats counter, and the crawl goes on.
Everything here runs *after* the capture point (``CaptureMiddleware``, order 950) has written the
response to the WARC, so a refused response is still archived as sent. Cut bodies (too large,
cut by the server, a cut gzip stream, stalled) are ``crawler/bodies.py``'s:

- ``BoundedCompressionMiddleware``: Scrapy's decompression, which already stops at
  ``DOWNLOAD_MAXSIZE`` decoded bytes (gzip bombs); this counts it.
- ``ContentGuardMiddleware``: binary data served as ``text/html`` is not parsed (UTF-16, by BOM
  or header, is sniffed decoded: its NUL bytes are text); a page whose
  declared charset is wrong is logged (the extractor detects the real one); a page over
  ``PARSE_MAX_BYTES`` is logged and counted: the crawler reads only its start (``parsed_part``).
- ``RetryAfterMiddleware``: 429/503 with ``Retry-After`` wait that long (at most
  ``RETRY_AFTER_MAX`` seconds, without blocking the reactor), then retry.
- ``GuardedRedirectMiddleware``: redirect loops, chains over ``REDIRECT_MAX_TIMES`` and
  redirects leaving the crawl scope are refused with a log line.
"""

from __future__ import annotations

import codecs
import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

from archive.extract.encoding import normalize_label, utf16_codec
from archive.extract.page_type import PARSE_MAX_BYTES, prefix
from archive.urls import canonical_url, site_of
from crawler.codings import DECODED
from crawler.meta import DONT_RETRY, HANDLE_HTTPSTATUS_LIST, REDIRECT_URLS, REQUISITE
from crawler.protocols import scope_of

logger = logging.getLogger(__name__)
SCAN_STEP = 1 << 20  # bytes of a page decoded or lowered at once when the whole page is scanned
BOM_ORDERED = frozenset({"utf-16", "utf-32"})  # decoded whole: without a BOM, in native order
SNIFF = 4096
BINARY_SHARE = 0.1                 # control bytes in the first 4 KiB that make a body binary
# Control bytes that do not occur in text (C0 minus tab, newline, form feed, carriage return, ESC).
_BINARY_CONTROLS = bytes(b for b in range(0x20) if b not in b"\t\n\r\f\x1b")
_NOT_CONTROL = bytes(b for b in range(256) if b not in _BINARY_CONTROLS)


class BoundedCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression (stops at DOWNLOAD_MAXSIZE decoded bytes), counting gzip bombs,
    and taking the body the download handler decoded already when it has (``crawler/codings.py``).
    """

    known: bytes | None = None  # the response's decoded body, while it is being processed

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        self.known = DECODED.pop(response, None)
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            if self.stats:
                self.stats.inc_value("crawl/decompression_bomb")
            raise
        finally:
            self.known = None

    def _handle_encoding(self, body: bytes, content_encoding: list[bytes],
                         max_size: int) -> tuple[bytes, list[bytes]]:
        """One content-coding, decoded already and within this request's size limit: taken."""
        known = self.known
        if known is not None and len(content_encoding) == 1 and (
                not max_size or len(known) <= max_size):
            to_decode, to_keep = self._split_encodings(content_encoding)
            if len(to_decode) == 1 and not to_keep:
                return known, []
        decoded: tuple[bytes, list[bytes]] = super()._handle_encoding(
            body, content_encoding, max_size)
        return decoded


class ContentGuardMiddleware:
    """Binary bodies labelled ``text/html`` are not parsed; a lying charset is logged."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContentGuardMiddleware:
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if "html" not in content_type or not response.body:
            return response
        sample = response.body[:SNIFF]
        declared = _charset(content_type)
        utf16 = utf16_codec(sample, declared)
        text = sample.decode(utf16, "replace") if utf16 is not None else ""
        if "<" in text:  # UTF-16 markup: its ASCII is half NUL bytes, so sniff the text
            sample = text.encode("utf-8", "replace")
        controls = len(sample.translate(None, _NOT_CONTROL))  # in C: a Python loop cost 0.2 ms
        if controls > BINARY_SHARE * len(sample):
            self.stats.inc_value("crawl/binary_as_html")
            logger.warning("%s: binary data served as %s (HTTP %d, captured in the WARC), "
                           "not parsed", request.url, content_type, response.status)
            raise IgnoreRequest(f"binary data served as text/html: {request.url}")
        if len(response.body) > PARSE_MAX_BYTES:
            self.stats.inc_value("crawl/parsed_prefix")
            logger.warning("%s: page of %d bytes: the post test, feeds and links read only its "
                           "first %d bytes (archived whole in the WARC)", request.url,
                           len(response.body), PARSE_MAX_BYTES)
        codec = normalize_label(declared)
        if codec is not None and not _decodes(response.body, codec):
            self.stats.inc_value("crawl/charset_mismatch")
            logger.warning("%s: declares charset=%s but is not valid %s: the text is decoded "
                           "by detection", request.url, declared, declared)
        return response


def parsed_part(response: TextResponse) -> TextResponse:
    """What the crawler parses of a page (feeds, links): at most its first ``PARSE_MAX_BYTES``.

    A 50 MB page of 3.5 M elements took the crawler 1.6 GB to parse, and libxml2's XPath fails on
    it (``unknown error``, past ~10 M nodes); its first MiB holds the head and the first links.
    """
    if len(response.body) <= PARSE_MAX_BYTES:
        return response
    part = prefix(response.body, PARSE_MAX_BYTES)
    assert isinstance(part, bytes)
    return response.replace(body=part)


_ANCHOR = re.compile(rb"<(?:a|area)\s[^>]*?\bhref\s*=", re.IGNORECASE)


def anchor_count(body: bytes) -> int:
    """Links in a page too large to parse, counted in its bytes (``<a href``, ``<area href``)."""
    return sum(1 for _ in _ANCHOR.finditer(body))


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key == "charset" and value:
            return value.strip("\"' ")
    return None


def _decodes(body: bytes, codec: str) -> bool:
    """Whether the whole body decodes, a MiB at a time: decoding a 50 MB page at once held it a
    second time, as text, at the crawler's peak of memory."""
    try:
        if len(body) <= SCAN_STEP or codecs.lookup(codec).name in BOM_ORDERED:
            body.decode(codec)  # (an incremental UTF-16 decoder insists on a byte order mark)
            return True
        decoder = codecs.getincrementaldecoder(codec)()
        for start in range(0, len(body), SCAN_STEP):
            decoder.decode(body[start:start + SCAN_STEP])
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


class RetryAfterMiddleware:
    """Honour ``Retry-After`` on 429 and 503: wait (capped), then retry; Scrapy retries at once."""

    CODES = (429, 503)

    def __init__(self, crawler: Crawler, max_wait: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off")
        max_wait = crawler.settings.getfloat("RETRY_AFTER_MAX", 30.0)
        if max_wait < 0:
            raise ValueError(f"RETRY_AFTER_MAX={max_wait} must be 0 or more seconds")
        return cls(crawler, max_wait)

    async def process_response(self, request: Request, response: Response,
                               spider: Spider | None = None) -> Request | Response:
        header = response.headers.get(b"Retry-After")
        if (response.status not in self.CODES or not header or request.meta.get(DONT_RETRY)
                or response.status in request.meta.get(HANDLE_HTTPSTATUS_LIST, ())):
            return response
        asked = retry_after_seconds(header.decode("latin-1"))
        if asked is None:
            return response
        assert self.crawler.spider is not None
        retry = get_retry_request(request, spider=self.crawler.spider,
                                  reason=f"HTTP {response.status} Retry-After")
        if retry is None:
            request.meta[DONT_RETRY] = True  # RetryMiddleware would give up a second time
            return response
        wait = min(asked, self.max_wait)
        self.stats.inc_value("crawl/retry_after/waits")
        if asked > self.max_wait:
            self.stats.inc_value("crawl/retry_after/capped")
        logger.info("%s: HTTP %d with Retry-After: %s: retrying in %.1f s%s", request.url,
                    response.status, header.decode("latin-1"), wait,
                    f" (capped by RETRY_AFTER_MAX={self.max_wait:g})" if asked > wait else "")
        from twisted.internet import reactor
        await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))
        return retry


def retry_after_seconds(value: str, now: datetime | None = None) -> float | None:
    """Seconds asked by a ``Retry-After`` value (delta-seconds or HTTP-date); None if unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class GuardedRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects, refusing loops, too long chains and hops out of the crawl scope."""

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        stats = self.crawler.stats
        assert stats is not None
        chain = [*request.meta.get(REDIRECT_URLS, []), request.url]
        target = canonical_url(redirected.url)
        if target in {canonical_url(url) for url in chain}:
            stats.inc_value("crawl/redirect/loop")
            logger.warning("%s: redirect loop back to %s after %d hops: not followed", chain[0],
                           redirected.url, len(chain))
            raise IgnoreRequest(f"redirect loop at {redirected.url}")
        sites = scope_of(self.crawler.spider)
        offsite = sites and site_of(redirected.url) not in sites
        if offsite and not request.meta.get(REQUISITE):  # a CDN may redirect to another CDN
            stats.inc_value("crawl/redirect/offsite")
            logger.info("%s: redirects outside the crawl scope to %s: not followed",
                        request.url, redirected.url)
            raise IgnoreRequest(f"redirect out of scope: {redirected.url}")
        try:
            return super()._redirect(redirected, request, reason)
        except IgnoreRequest:
            stats.inc_value("crawl/redirect/too_many")
            logger.warning("%s: more than REDIRECT_MAX_TIMES=%d redirects (last %s): not followed",
                           chain[0], self.max_redirect_times, redirected.url)
            raise
