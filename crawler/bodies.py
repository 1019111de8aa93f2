"""What arrived of a body: kept when cut, marked truncated before the capture writes it.

``TruncatingDownloadHandler`` is Scrapy's HTTP/1.1 handler, changed where Scrapy drops or hides a
cut body, so the capture middleware writes what arrived with a ``WARC-Truncated`` reason:

- ``length``: a body over ``DOWNLOAD_MAXSIZE`` (Scrapy drops it whole): its first bytes are kept.
- ``disconnect``: ``Content-Length`` larger than what was sent (``DOWNLOAD_FAIL_ON_DATALOSS=False``).
- ``encoding`` (written ``unspecified``, the WARC name for it): a gzip, deflate or br stream that
  stops before its end, whatever the length header said; Scrapy's decompression returns the part
  that decodes, which looked like a complete, short post.
- ``time``: a body stalled past ``DOWNLOAD_TIMEOUT``. Scrapy raises ``DownloadTimeoutError`` and
  drops the bytes; the handler leaves the response so far in ``PARTIAL_RESPONSE`` for the capture
  middleware's ``process_exception``, and the error goes on (retried, then logged as failed).

A response header line longer than Twisted's line limit made Twisted hang up, and the request
failed with "Connection was closed cleanly"; it now fails with ``ResponseHeadTooLong`` naming it.
``CutResponseMiddleware`` logs and counts a truncated response and does not let it be parsed.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
    _ScrapyAgent,
)
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadFailedError, DownloadTimeoutError, IgnoreRequest, StopDownload
from scrapy.http import Response
from scrapy.utils._download_handlers import wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads

from crawler.codings import DECODED, Decoded, decode_to_end
from crawler.meta import PARTIAL_RESPONSE, TRUNCATED

logger = logging.getLogger(__name__)
WARC_NAMES = {"encoding": "unspecified"}  # WARC 1.1 knows length, time, disconnect, unspecified
THREAD_OVER = 8 * 1024  # larger bodies are checked in a thread: 64 MB of zeros is 65 KB of gzip, 126 ms
WHY = {"length": "larger than DOWNLOAD_MAXSIZE={limit}",
       "disconnect": "the server closed the connection before the end of the body",
       "encoding": "the {coding} stream ends before its end: the server sent a cut body"}


def truncation_of(request: Request, response: Response) -> str | None:
    """Why a response's body is cut (``length``, ``time``, ``disconnect``, ``encoding``) or None."""
    reason = request.meta.get(TRUNCATED)
    if reason:
        return str(reason)
    return "disconnect" if "dataloss" in response.flags else None


def warc_truncated(reason: str | None) -> str | None:
    """The ``WARC-Truncated`` value of a reason."""
    return WARC_NAMES.get(reason, reason) if reason else None


class ResponseHeadTooLong(Exception):
    """Twisted's HTTP client refuses a response header line over ``LineReceiver.MAX_LENGTH``."""


class _HeadParser(_LenientHTTPClientParser):
    def lineLengthExceeded(self, line: bytes) -> None:
        raise ResponseHeadTooLong(
            f"a response header line longer than Twisted's limit of {self.MAX_LENGTH} bytes "
            f"({len(line)} bytes without an end of line); the response is lost")


class _HeadProtocol(_LenientHTTP11ClientProtocol):
    def request(self, request: Any) -> Any:
        answer = super().request(request)
        self._parser.__class__ = _HeadParser  # as Scrapy's own lenient protocol does
        return answer


class _HeadFactory(_LenientHTTP11ClientFactory):
    def buildProtocol(self, addr: Any) -> Any:
        return _HeadProtocol(self._quiescentCallback)  # type: ignore[no-untyped-call]


class _KeepingAgent(_ScrapyAgent):
    """Scrapy's agent; on ``DOWNLOAD_TIMEOUT`` after the headers, keeps the response so far."""

    def _cb_timeout(self, result: Any, request: Request, url: str, timeout: float) -> Any:
        try:
            return super()._cb_timeout(result, request, url, timeout)
        except DownloadTimeoutError:
            if self._txresponse is not None:  # Scrapy keeps it "for timeouts"
                txresponse = self._txresponse
                request.meta[TRUNCATED] = "time"
                request.meta[PARTIAL_RESPONSE] = self._cb_bodydone(
                    {"txresponse": txresponse, "body": received_so_far(txresponse),
                     "ip_address": getattr(txresponse, "_scrapy_ip_address", None)}, url)
            raise


def received_so_far(txresponse: Any) -> bytes:
    """What Scrapy's body reader holds of a body that stalled, read from its own buffer: Twisted's
    response keeps the reader it delivers the body to (``_bodyProtocol``), Scrapy's reader keeps
    the bytes (``_bodybuf``). Both are private; ``tests/test_truncated_bodies.py`` checks the
    bytes kept. A copy of every body kept on the side while it arrived (the way before) doubled
    the crawler's memory for a large page."""
    reader = getattr(txresponse, "_bodyProtocol", None)
    buffer = getattr(reader, "_bodybuf", None)
    return buffer.getvalue() if buffer is not None else b""


class TruncatingDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, keeping what arrived of a cut body and saying why it is cut.

    The received bytes are counted (through Scrapy's public ``bytes_received`` signal) to cut a
    body at ``DOWNLOAD_MAXSIZE`` and keep its start; a body that stalls is taken from Scrapy's own
    buffer (``received_so_far``).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.cut_at = self._default_maxsize
        self._default_maxsize = 0  # Scrapy's own check would cancel the download, body and all
        self.stats = crawler.stats
        self.arriving: dict[int, int] = {}  # id(request): bytes of the body so far
        self._pool._factory = _HeadFactory
        crawler.signals.connect(self._bytes_received, signal=signals.bytes_received)

    def _bytes_received(self, data: bytes, request: Request, spider: Spider | None = None) -> None:
        key = id(request)
        if key not in self.arriving:  # http and https handlers both hear the signal
            return
        self.arriving[key] += len(data)
        if self.cut_at and self.arriving[key] > self.cut_at:
            request.meta[TRUNCATED] = "length"
            raise StopDownload(fail=False)

    async def download_request(self, request: Request) -> Response:
        request.meta.pop(TRUNCATED, None)  # a retry carries a copy of the last attempt's meta
        key = id(request)
        self.arriving[key] = 0
        try:
            response = await self._download(request)
        finally:
            del self.arriving[key]
        if request.meta.get(TRUNCATED) == "length":
            return response.replace(body=response.body[:self.cut_at])
        if truncation_of(request, response) is None:
            decoded = await self._decode(response)
            if not decoded.complete:
                request.meta[TRUNCATED] = "encoding"
            elif decoded.body is not None:  # for the decompression middleware (crawler/codings.py)
                DECODED[response] = decoded.body
        return response

    async def _download(self, request: Request) -> Response:
        agent = _KeepingAgent(contextFactory=self._contextFactory,
                              bindAddress=self._bind_address, pool=self._pool, maxsize=0,
                              warnsize=self._default_warnsize,
                              fail_on_dataloss=self._fail_on_dataloss, crawler=self._crawler,
                              tls_verbose_logging=self._tls_verbose_logging)
        try:
            with wrap_twisted_exceptions():
                response: Response = await maybe_deferred_to_future(
                    agent.download_request(request))
                return response
        except DownloadFailedError as error:
            reasons = getattr(error.__cause__, "reasons", [])
            for reason in reasons:
                if reason.check(ResponseHeadTooLong):
                    self.stats.inc_value("crawl/header_too_long")
                    raise reason.value from error
            raise

    async def _decode(self, response: Response) -> Decoded:
        """The body decoded to its end; in two codings or more the outermost is checked only."""
        codings = b",".join(response.headers.getlist(b"Content-Encoding")).decode("latin-1")
        if not codings.strip() or not response.body:
            return Decoded(True)
        *inner, coding = codings.split(",")  # the outermost coding
        if len(response.body) <= THREAD_OVER:
            decoded = decode_to_end(coding, response.body, self.cut_at)
        else:
            decoded = await maybe_deferred_to_future(threads.deferToThread(
                decode_to_end, coding, response.body, self.cut_at))
        return Decoded(decoded.complete) if any(part.strip() for part in inner) else decoded


class CutResponseMiddleware:
    """A truncated body is in the WARC (``WARC-Truncated``); it is not parsed as a page."""

    def __init__(self, stats: Any, limit: int) -> None:
        self.stats = stats
        self.limit = limit

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CutResponseMiddleware:
        return cls(crawler.stats, crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        reason = truncation_of(request, response)
        if reason is None:
            return response
        self.stats.inc_value(f"crawl/truncated/{reason}")
        coding = (response.headers.get(b"Content-Encoding") or b"").decode("latin-1").strip()
        why = WHY.get(reason, reason).format(limit=self.limit, coding=coding.split(",")[-1])
        logger.warning("%s: body cut after %d bytes (%s); captured with WARC-Truncated: %s, "
                       "not parsed", request.url, len(response.body), why,
                       warc_truncated(reason))
        raise IgnoreRequest(f"truncated body ({reason}): {request.url}")
