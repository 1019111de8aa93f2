"""Progress lines while a crawl runs, and one summary line when it ends.

Scrapy's LogStats speaks of pages and items; people watching an archive crawl want posts found,
archived and failed, and the rate.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger("blogarchive.progress")


class ProgressReporter:
    def __init__(self, stats: Any, interval: float) -> None:
        self.stats = stats
        self.interval = interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressReporter:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 30.0)
        if interval <= 0:
            raise NotConfigured("PROGRESS_INTERVAL is 0: progress lines are off")
        reporter = cls(crawler.stats, interval)
        crawler.signals.connect(reporter.opened, signal=signals.spider_opened)
        crawler.signals.connect(reporter.closed, signal=signals.spider_closed)
        return reporter

    def opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        logger.info("Crawl finished (%s): %s", reason, self.line())

    def report(self) -> None:
        logger.info("Progress: %s", self.line())

    def line(self) -> str:
        get = self.stats.get_value
        elapsed = max(time.monotonic() - self.started, 1e-6)
        archived = int(get("posts/archived", 0))
        failed = int(get("posts/failed", 0)) + int(get("extract/failed", 0))
        return (f"{int(get('posts/candidates', 0))} posts found, {archived} archived, "
                f"{failed} failed, {int(get('archive/warc/records', 0)) // 2} captures, "
                f"{int(get('archive/warc/bytes', 0)) / 1e6:.1f} MB WARC, "
                f"{archived / elapsed * 60:.1f} posts/min, {elapsed:.0f} s")
