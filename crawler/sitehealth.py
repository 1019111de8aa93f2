"""Each blog's health, recorded when a crawl ends: in the archive's blog list (``sites.sqlite``,
``blogarchive sites list``) and in the run report's ``site_health`` section.

Per blog: did its home page answer (a success resets the consecutive failures; ``SITES_GONE_AFTER``
failures in a row mark it gone), did any post change (new, changed or deleted: read back from the
catalog this crawl wrote), and did it move (``crawler/spiders/moves.py``). Only blogs whose home
page this process asked for are recorded, so scale-out workers each record the blogs they
discovered; a blog not on the list is reported but not added to it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from archive.catalog.sitechanges import changes_since
from archive.layout import Layout
from archive.sites import Outcome, Registry
from crawler.addons import worker_shard
from crawler.config import archive_config
from crawler.report import add_report_section
from crawler.sitelist import gone_after

logger = logging.getLogger(__name__)


class SiteHealth:
    def __init__(self, root: Path, catalog: Path, gone_after: int) -> None:
        self.root = root
        self.catalog = catalog
        self.gone_after = gone_after
        self.started = datetime.now(UTC)
        self.section: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteHealth:
        layout = Layout(archive_config(crawler).archive_dir)
        shard = worker_shard(crawler.settings)
        extension = cls(layout.root, layout.shard_path(shard) if shard else layout.catalog_path,
                        gone_after(crawler.settings))
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        add_report_section(crawler, "site_health", lambda: extension.section)
        return extension

    def opened(self, spider: Spider) -> None:
        self.started = datetime.now(UTC)

    def outcomes(self, spider: Spider) -> tuple[list[Outcome], dict[str, str]]:
        """Each blog's outcome in this run (a moved blog's under its new site), and the moves."""
        answers: dict[str, str | None] = getattr(spider, "home_answers", {})
        moves: dict[str, str] = getattr(spider, "moves", {})
        details: dict[str, tuple[str | None, str | None]] = getattr(spider, "home_details", {})
        changes: Counter[str] = changes_since(self.catalog, self.started.isoformat())
        found = [Outcome(site, error is None, error, changes[site], *details.get(site, (None, None)))
                 for site, error in sorted(answers.items())]
        return found, moves

    def closed(self, spider: Spider, reason: str) -> None:
        if not getattr(spider, "home_answers", None):
            return  # no blog's home page asked for: another spider, or the crawl stopped early
        try:
            found, moves = self.outcomes(spider)
        except sqlite3.Error as error:  # a damaged catalog is the crawl's report to tell
            logger.error("Could not read this crawl's changes from %s: %s", self.catalog, error)
            return
        if reason not in ("finished", "max_posts"):  # stopped: a home page may have been cut off
            found = [outcome for outcome in found if outcome.answered]
        self.section = {o.site: {"answered": o.answered, "error": o.error, "changes": o.changes}
                        for o in found}
        for old, new in moves.items():
            self.section.setdefault(old, {})["moved_to"] = new
        if not Registry.exists(self.root):
            return
        try:
            self._record(found, moves)
        except (sqlite3.Error, OSError) as error:  # e.g. locked past the busy timeout, disk full
            logger.error("Could not record the blogs' health in %s: %s", self.root, error)

    def _record(self, found: list[Outcome], moves: dict[str, str]) -> None:
        with Registry.open(self.root) as registry:
            for old, new in sorted(moves.items()):
                registry.move(old, new)
            for outcome in found:
                if registry.record(outcome, self.gone_after):
                    entry = registry.get(outcome.site)
                    assert entry is not None
                    self.section[outcome.site].update(status=entry.status,
                                                      failures=entry.failures)
        states = Counter(str(v.get("status", "not listed")).split(" ")[0]
                         for v in self.section.values() if "answered" in v)
        logger.info("Blog list health: %s", ", ".join(f"{n} {s}" for s, n in sorted(states.items())))
