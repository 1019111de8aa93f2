"""Progress lines while a crawl runs; a summary line and a JSON run report when it ends.

Scrapy's LogStats speaks of pages and items; people watching an archive crawl want posts found,
archived and failed, and the rate. The report (``runs/<start>-<pid>.json`` in the archive) keeps
every stats counter, so scripts and monitoring can read what a run did.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from archive.layout import write_atomic
from crawler.config import archive_config

logger = logging.getLogger("blogarchive.progress")


class ProgressReporter:
    def __init__(self, stats: Any, interval: float, runs_dir: Path) -> None:
        self.stats = stats
        self.interval = interval
        self.runs_dir = runs_dir
        self.started_at = datetime.now(UTC)
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressReporter:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 30.0)
        if interval <= 0:
            raise NotConfigured("PROGRESS_INTERVAL is 0: progress lines are off")
        runs_dir = archive_config(crawler).archive_dir / "runs"
        reporter = cls(crawler.stats, interval, runs_dir)
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
        self.write_report(reason)

    def report(self) -> None:
        logger.info("Progress: %s", self.line())

    def line(self) -> str:
        get = self.stats.get_value
        elapsed = max(time.monotonic() - self.started, 1e-6)
        archived = int(get("posts/archived", 0))
        failed = int(get("posts/failed", 0)) + int(get("extract/failed", 0))
        return (f"{int(get('posts/found', 0))} posts found, {archived} archived, "
                f"{failed} failed, {int(get('archive/warc/records', 0)) // 2} captures, "
                f"{int(get('archive/warc/bytes', 0)) / 1e6:.1f} MB WARC, "
                f"{archived / elapsed * 60:.1f} posts/min, {elapsed:.0f} s")

    def write_report(self, reason: str) -> Path:
        """Every counter of the run as JSON, written atomically into ``ARCHIVE_DIR/runs``."""
        stamp = self.started_at.strftime("%Y%m%dT%H%M%SZ")
        path = self.runs_dir / f"{stamp}-{os.getpid()}.json"
        stats = {k: (v.isoformat() if isinstance(v, datetime) else v)
                 for k, v in self.stats.get_stats().items()}
        report = {"started": self.started_at.isoformat(), "finished": datetime.now(UTC).isoformat(),
                  "reason": reason, "summary": self.line(), "stats": stats}
        write_atomic(path, json.dumps(report, indent=2, sort_keys=True, default=str).encode())
        return path
