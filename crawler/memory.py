"""Give freed heap memory back to the system while a crawl runs (glibc ``malloc_trim``).

A crawl allocates and frees page bodies, parse trees and WARC buffers of every size all the time.
glibc only returns memory from the top of its heap, so the holes left between long-lived objects
stay in the process: measured on a 3,000-post crawl, the crawler's heap grew to 224 MB while the
Python objects alive never passed 41 MB (tracemalloc). ``malloc_trim(0)`` releases those free
pages (``madvise``) without moving anything; called every few seconds it held the same crawl at
about 150 MB. Elsewhere than glibc (musl, macOS) the extension does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


def _malloc_trim() -> Any:
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


MALLOC_TRIM = _malloc_trim()


def trim() -> bool:
    """Return free heap pages to the system; False when the C library has no ``malloc_trim``."""
    if MALLOC_TRIM is None:
        return False
    MALLOC_TRIM(0)
    return True


class MemoryTrim:
    """Scrapy extension: ``trim()`` every ``MEMORY_TRIM_INTERVAL`` seconds (0 switches it off)."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MemoryTrim:
        interval = crawler.settings.getfloat("MEMORY_TRIM_INTERVAL", 5.0)
        if interval <= 0 or MALLOC_TRIM is None:
            raise NotConfigured("MEMORY_TRIM_INTERVAL is 0 or the C library has no malloc_trim")
        return cls(crawler, interval)

    def opened(self) -> None:
        self.loop = task.LoopingCall(self.run)
        self.loop.start(self.interval, now=False)

    def run(self) -> None:
        trim()
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("memory/trims")

    def closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
