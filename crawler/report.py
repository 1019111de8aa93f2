"""What a crawl is doing and what it did: progress lines, a summary line, a JSON run report.

Scrapy's LogStats speaks of pages and items; people watching an archive crawl want posts found,
new, changed, unchanged, deleted and failed, and the rate, and the page requisites fetched with
them (revisited, failed, skipped by reason). At the end the run report
(``runs/<start>-<pid>.json`` in the archive) keeps the summary and every stats counter, and the
outcome decides the exit status, so cron and monitoring can act on a failed crawl.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from archive.layout import write_atomic
from crawler.config import crawl_config
from crawler.coverage import inventory_of
from crawler.protocols import scope_of
from crawler.revalidation import report_of

logger = logging.getLogger("blogarchive.report")
OUTCOME_KEY = "run/outcome"
SECTIONS = "_blogarchive_report_sections"  # the crawler attribute holding extra report sections


def add_report_section(crawler: Crawler, name: str, build: Callable[[], Any]) -> None:
    """Another component's part of the run report (e.g. ``site_health``), built when written."""
    vars(crawler).setdefault(SECTIONS, {})[name] = build


@dataclass(frozen=True)
class RunSummary:
    found: int
    new: int
    changed: int
    unchanged: int
    deleted: int
    failed: int
    captures: int
    bytes_written: int
    duration: float
    requisites: int = 0               # page requisites and attachments fetched (any status 2xx)
    requisite_bytes: int = 0          # their bodies, decoded
    requisites_revisited: int = 0     # of them, stored as revisit records
    requisites_failed: int = 0
    requisites_skipped: dict[str, int] = field(default_factory=dict)  # by reason
    requisites_known: int = 0         # archived already: not asked for (no revalidation)
    partial_inventories: int = 0      # sites whose inventories list only some posts
    links_filled: int = 0             # of them, sites whose links were followed to fill the gap

    @classmethod
    def from_stats(cls, stats: Any, duration: float) -> RunSummary:
        def get(key: str) -> int:
            return int(stats.get_value(key, 0) or 0)
        return cls(found=get("posts/found") + get("posts/unchanged"), new=get("posts/new"),
                   changed=get("posts/changed"), unchanged=get("posts/unchanged"),
                   deleted=get("posts/deleted"),
                   failed=get("posts/failed") + get("extract/failed"),
                   captures=get("archive/warc/records") // 2,
                   bytes_written=get("archive/warc/bytes"), duration=round(duration, 3),
                   requisites=get("requisites/fetched"), requisite_bytes=get("requisites/bytes"),
                   requisites_revisited=get("requisites/revisited"),
                   requisites_failed=get("requisites/failed"),
                   requisites_skipped=_skipped(stats),
                   requisites_known=get("requisites/known_skipped"),
                   partial_inventories=get("discovery/inventory/partial_sites"),
                   links_filled=get("discovery/links/partial_sites")
                   + get("discovery/links/fallback_sites"))

    def line(self) -> str:
        rate = (self.new + self.changed) / max(self.duration, 1e-6) * 60
        return (f"{self.found} posts found: {self.new} new, {self.changed} changed, "
                f"{self.unchanged} unchanged, {self.deleted} deleted, {self.failed} failed; "
                f"{self.captures} captures, {self.bytes_written / 1e6:.1f} MB WARC, "
                f"{rate:.1f} posts/min, {self.duration:.0f} s{self.requisites_line()}"
                f"{self.inventory_line()}")

    def inventory_line(self) -> str:
        """``; inventories incomplete on 1 site, links followed on 1`` (the report says why)."""
        if not self.partial_inventories:
            return ""
        sites = "site" if self.partial_inventories == 1 else "sites"
        return (f"; inventories incomplete on {self.partial_inventories} {sites}, links followed on "
                f"{self.links_filled}")

    def requisites_line(self) -> str:
        """``; requisites: 120 fetched (3.4 MB), 2 revisited, 1 failed, 40 archived already,
        skipped 3 tracker``."""
        skipped = {k: v for k, v in self.requisites_skipped.items() if k != "duplicate"}
        if not (self.requisites or self.requisites_failed or skipped or self.requisites_known):
            return ""
        line = (f"; requisites: {self.requisites} fetched ({self.requisite_bytes / 1e6:.1f} MB), "
                f"{self.requisites_revisited} revisited, {self.requisites_failed} failed")
        if self.requisites_known:
            line += f", {self.requisites_known} archived already"

        if skipped:
            line += ", skipped " + ", ".join(f"{n} {why}" for why, n in sorted(skipped.items()))
        return line

    def failure(self, stats: Any, sites: int, max_share: float) -> str | None:
        """Why this run counts as failed, or None when it did its job."""
        unreachable = int(stats.get_value("discovery/home/failed", 0) or 0)
        if sites and unreachable >= sites and self.found == 0:
            return "no site answered"
        fetch_failed = int(stats.get_value("posts/failed", 0) or 0)  # the others are also "new"
        attempted = fetch_failed + self.new + self.changed + self.unchanged + self.deleted
        if attempted and self.failed / attempted > max_share:
            return f"{self.failed} of {attempted} posts failed (more than {max_share:.0%})"
        return None


def _skipped(stats: Any) -> dict[str, int]:
    """``requisites/skipped/<reason>`` counters, by reason."""
    prefix = "requisites/skipped/"
    return {key[len(prefix):]: int(value or 0) for key, value in stats.get_stats().items()
            if key.startswith(prefix)}


class ProgressReporter:
    def __init__(self, crawler: Crawler, interval: float, runs_dir: Path, max_share: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval = interval
        self.runs_dir = runs_dir
        self.max_share = max_share
        self.started = time.monotonic()
        self.started_at = datetime.now(UTC)
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressReporter:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 30.0)
        if interval < 0:
            raise NotConfigured("PROGRESS_INTERVAL is negative: progress lines are off")
        config = crawl_config(crawler)
        reporter = cls(crawler, interval, config.archive.archive_dir / "runs",
                       config.run.max_failure_share)
        crawler.signals.connect(reporter.opened, signal=signals.spider_opened)
        crawler.signals.connect(reporter.closed, signal=signals.spider_closed)
        return reporter

    def opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        if self.interval > 0:
            self.loop = task.LoopingCall(self.report)
            self.loop.start(self.interval, now=False)

    def summary(self) -> RunSummary:
        return RunSummary.from_stats(self.stats, time.monotonic() - self.started)

    def report(self) -> None:
        logger.info("Progress: %s", self.summary().line())

    def closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        summary = self.summary()
        failure = summary.failure(self.stats, len(scope_of(spider)), self.max_share)
        if reason not in ("finished", "max_posts") and failure is None:
            failure = f"crawl stopped: {reason}"
        self.stats.set_value(OUTCOME_KEY, "failed" if failure else "ok")
        try:
            path: Path | str = self.write_report(reason, summary, failure)
        except OSError as error:  # e.g. the disk is full: the exit status still says it failed
            logger.error("Could not write the run report into %s: %s", self.runs_dir, error)
            path = "not written"
        if failure:
            logger.error("Crawl FAILED (%s): %s. Report: %s", failure, summary.line(), path)
        else:
            logger.info("Crawl finished (%s): %s. Report: %s", reason, summary.line(), path)

    def write_report(self, reason: str, summary: RunSummary, failure: str | None) -> Path:
        """Every counter of the run as JSON, written atomically into ``ARCHIVE_DIR/runs``."""
        stamp = self.started_at.strftime("%Y%m%dT%H%M%SZ")
        path = self.runs_dir / f"{stamp}-{os.getpid()}.json"
        stats = {k: (v.isoformat() if isinstance(v, datetime) else v)
                 for k, v in self.stats.get_stats().items()}
        spider = self.crawler.spider
        report = {"started": self.started_at.isoformat(), "finished": datetime.now(UTC).isoformat(),
                  "reason": reason, "outcome": "failed" if failure else "ok", "failure": failure,
                  "sites": sorted(scope_of(spider)), **asdict(summary),
                  "inventory": inventory_of(spider), **report_of(spider),
                  "summary": summary.line(), "stats": stats}
        report.update({name: build() for name, build in vars(self.crawler).get(SECTIONS, {}).items()})
        write_atomic(path, json.dumps(report, indent=2, sort_keys=True, default=str).encode())
        return path
