"""The crawl's one WARC writer, in a process of its own: started with the crawl, closed when the
spider closes."""

from __future__ import annotations

import errno
import logging
import platform
import socket
from collections.abc import Callable
from functools import partial
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future

from archive import __version__
from archive.config import ArchiveConfig
from archive.layout import Layout
from archive.warc.capture import Capture, WarcLocation
from archive.warc.records import RECONSTRUCTION_NOTE, RefersTo
from archive.warc.service import WriterSettings
from crawler.addons import worker_shard
from crawler.config import archive_config
from crawler.diskfull import stop_crawl
from crawler.warcprocess import WarcProcess, WriterGone

logger = logging.getLogger(__name__)
WARC_FAILED = "warc_failed"


class WarcSink:
    """Hands captures to the WARC writer process and waits for their places in the WARC.

    Every capture is answered before its response goes on (the caller awaits ``write``), so a
    response is on disk before anything can drop it, as when the crawler wrote it itself."""

    def __init__(self, process: WarcProcess, stats: Any,
                 on_failure: Callable[[str, bool], None] | None = None) -> None:
        self.process = process
        self.stats = stats
        self.on_failure = on_failure
        self.failed: str | None = None  # after a failed write nothing more is appended

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> WarcSink:
        config = archive_config(crawler)
        info = warcinfo_fields(config, crawler.settings.get("USER_AGENT", ""),
                               crawler.settings.getbool("ROBOTSTXT_OBEY"))
        settings = WriterSettings(
            Layout(config.archive_dir).warc_dir, config.warc_prefix, info,
            max_size=config.warc_max_size, store_credentials=config.store_credentials,
            host=worker_shard(crawler.settings))
        stopping = partial(stop_for_warc, crawler)
        sink = cls(WarcProcess.start(settings, lambda why: stopping(why, False)),
                   crawler.stats, stopping)
        crawler.signals.connect(sink.close, signal=signals.spider_closed)
        return sink

    async def write(self, capture: Capture) -> WarcLocation:
        return await self._ask(("capture", capture))

    async def write_revisit(self, capture: Capture, refers: RefersTo,
                            not_modified: bool) -> WarcLocation:
        return await self._ask(("revisit", capture, refers, not_modified))

    async def close(self) -> None:
        if self.process.gone is not None:
            return
        answer = await maybe_deferred_to_future(self.process.ask(("close",)))
        self.stats.set_value("archive/warc/files", len(answer[1]))

    async def _ask(self, message: tuple[Any, ...]) -> WarcLocation:
        if self.failed is not None:
            raise IgnoreRequest(self.failed)
        try:
            answer = await maybe_deferred_to_future(self.process.ask(message))
        except WriterGone as gone:
            raise IgnoreRequest(str(gone)) from gone
        if answer[0] != "ok":
            _, disk_full, error = answer
            self.failed = f"cannot write the WARC: {error}"
            if self.on_failure is not None:
                self.on_failure(error, disk_full)
            raise IgnoreRequest(self.failed)
        self.stats.inc_value("archive/warc/records", 2)
        self.stats.inc_value("archive/warc/bytes", answer[2])
        location: WarcLocation = answer[1]
        return location


def stop_for_warc(crawler: Crawler, error: str, disk_full: bool) -> None:
    """A full disk stops the crawl as everywhere (``crawler/diskfull.py``); any other failure
    to write the WARC, or its writer ending, stops it too: nothing could be captured any more."""
    if disk_full:
        stop_crawl(crawler, OSError(errno.ENOSPC, error))
        return
    logger.error("Cannot write the WARC: %s. Stopping the crawl; what was written so far is kept "
                 "and the unfinished .open WARC is recovered at the next start.", error)
    if crawler.engine is not None and crawler.engine.spider is not None:
        deferred_from_coro(crawler.engine.close_spider_async(reason=WARC_FAILED))


def warcinfo_fields(config: ArchiveConfig, user_agent: str, robots: bool) -> dict[str, str]:
    """What a future reader needs to know about how these captures were made."""
    return {
        "software": f"blogarchive/{__version__} (Scrapy, warcio; Python {platform.python_version()})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "robots": "obey" if robots else "ignore",
        "http-header-user-agent": user_agent,
        "operator": config.operator,
        "hostname": socket.gethostname(),
        "http-headers": RECONSTRUCTION_NOTE,
        "credentials": "stored" if config.store_credentials
        else "Authorization and Cookie request headers not stored",
    }
