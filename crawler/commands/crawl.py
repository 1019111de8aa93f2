"""``scrapy crawl`` that checks the blog spider's arguments and every crawl setting first.

Scrapy reports an exception raised while building a spider or a component as a traceback and
carries on; a bad ``since``, ``SCALE_WORKER_TIMEOUT`` or an unwritable ``ARCHIVE_DIR`` should instead
stop the run before the reactor starts, with one line saying what to fix (``crawler/config.py``)
and exit status 2 for cron. A full ``ARCHIVE_DIR`` at start (the last run stopped on a full disk
and nothing was freed) is one line too, exit status 1: the lock file and the crash recovery are
the first to write.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from archive.catalog.health import CatalogDamaged, check_catalog
from archive.config import ConfigError
from archive.layout import Layout
from archive.lock import ArchiveLock, ArchiveLocked, WorkerLock
from archive.maintain.recovery import recover
from archive.maintain.workers import recover_dead_workers
from crawler import redact
from crawler.addons import worker_shard
from crawler.config import CrawlConfig, check_writable
from crawler.diskfull import is_disk_full
from crawler.jobstate import JobGuard
from crawler.options import CrawlOptions
from crawler.report import OUTCOME_KEY
from crawler.sitelist import gone_after, with_registered

logger = logging.getLogger(__name__)
CHECKED_SPIDERS = {"blog"}
EXIT_LOCKED = 75  # EX_TEMPFAIL: cron wrappers may retry later
SPIDER_ARGS = ("url", "since", "until", "max_posts", "full", "revalidate")


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        redact.install(self.settings, opts.spargs)  # no password in "Overridden settings"
        if len(args) != 1:
            super().run(args, opts)  # Scrapy's own usage error
            return
        try:
            config = self._check(args[0], opts.spargs)
        except ConfigError as error:
            raise UsageError(str(error), print_help=False) from None
        self._run(args[0], opts, config)

    def _run(self, name: str, opts: argparse.Namespace, config: CrawlConfig) -> None:
        """Scrapy's crawl, keeping the crawler to turn a failed run into exit status 1."""
        assert self.crawler_process is not None and self.settings is not None
        layout = Layout(config.archive.archive_dir)
        shard = worker_shard(self.settings)  # scale-out: archive lock shared, own shard lock
        lock = WorkerLock(layout, shard) if shard else ArchiveLock(layout.lock_path)
        try:
            lock.acquire(wait=config.run.lock_wait)
        except ArchiveLocked as error:
            print(f"scrapy: error: {error}; try again later, or wait for it with "
                  "-s ARCHIVE_LOCK_WAIT=SECONDS", file=sys.stderr)
            self.exitcode = EXIT_LOCKED
            return
        except OSError as error:
            self._archive_full(config, error)
            return
        if lock.took_over:
            logger.warning("Took over a stale archive lock left by %s", lock.took_over)
        try:
            try:
                check_catalog(layout.catalog_path)  # one line naming `reindex`, not a traceback
                _recover(layout, shard)
                job = JobGuard.start(self.settings.get("JOBDIR"))  # a killed run's JOBDIR is reset
            except CatalogDamaged as error:
                raise UsageError(str(error), print_help=False) from None
            except OSError as error:
                self._archive_full(config, error)
                return
            crawler = self._create_crawler(name)
            job.watch(crawler)
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            lock.release()
        failed = crawler.stats is not None and crawler.stats.get_value(OUTCOME_KEY) == "failed"
        if self.crawler_process.bootstrap_failed or failed:
            self.exitcode = 1

    def _archive_full(self, config: CrawlConfig, error: OSError) -> None:
        """One line for a full disk before the crawl starts; any other OSError is a bug."""
        if not is_disk_full(error):
            raise error
        print(f"scrapy: error: ARCHIVE_DIR={config.archive.archive_dir} is full "
              f"({error.strerror}): free some space, then run the same command again (the last "
              "run's unfinished WARC is recovered then)", file=sys.stderr)
        self.exitcode = 1

    def _check(self, name: str, spargs: dict[str, str]) -> CrawlConfig:
        assert self.settings is not None
        return check_crawl(self.settings, name, spargs)


def check_crawl(settings: Any, name: str, spargs: dict[str, str]) -> CrawlConfig:
    """Every setting (and the blog spider's arguments) checked before the reactor starts.

    Also called by ``blogarchive crawl`` (``crawler/run.py``) before Scrapy logs anything, so a
    bad argument there is one line.
    """
    if name in CHECKED_SPIDERS:
        if "sites" in spargs:  # -a sites=all: the archive's blog list (crawler/sitelist.py)
            archive = CrawlConfig.from_settings(settings).archive
            with_registered(spargs, archive.archive_dir)
        CrawlOptions.parse(*(spargs.get(arg) for arg in SPIDER_ARGS))
        gone_after(settings)
    config = CrawlConfig.from_settings(settings)
    check_writable(config.archive)
    return config


def _recover(layout: Layout, shard: str | None) -> None:
    """Finish what a crashed crawl left (``.open`` WARCs, catalog rows) before writing more."""
    report = recover_dead_workers(layout, shard) if shard else recover(layout)
    if report:
        logger.warning(
            "Recovered after a crash: finished %s, cut %d bytes of partial records into %s, "
            "removed %d catalog rows without a capture, re-extracted %d posts",
            report.finished, report.cut_bytes, report.invalid or "nothing", report.rows_removed,
            report.reextracted)
    if report.busy:
        logger.warning("WARC files still held by a writer process, left for the next start: %s",
                       ", ".join(report.busy))
    if report.missing:
        logger.warning("WARC files named in the catalog cannot be read, their rows kept: %s "
                       "(mount or restore them; `blogarchive verify` checks)",
                       ", ".join(report.missing))
