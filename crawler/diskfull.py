"""A full disk stops the crawl cleanly: one clear error naming ARCHIVE_DIR, reason ``disk_full``.

Whoever hits ENOSPC (the WARC sink, the text store, the SQLite catalog) calls ``stop_crawl``; the
first call logs and closes the spider, later ones only count. Nothing is deleted: the ``.open`` WARC
keeps what reached the disk and the next start recovers it (``archive.maintain.recovery``); text files are
written to a temporary name and renamed, so none is left half-written.
"""

from __future__ import annotations

import errno
import logging
import sqlite3

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)
REASON = "disk_full"
STAT = "archive/disk_full"


def is_disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(error, sqlite3.OperationalError) and "full" in str(error).lower()


def stop_crawl(crawler: Crawler, error: BaseException, where: str | None = None) -> None:
    """Log once, count, and close the spider with reason ``disk_full``.

    ``where`` names the folder when it is not ARCHIVE_DIR (the scheduler's request queue)."""
    assert crawler.stats is not None
    crawler.stats.inc_value(STAT)
    if crawler.stats.get_value(STAT) > 1:
        return
    where = where or f"ARCHIVE_DIR={crawler.settings.get('ARCHIVE_DIR')}"
    logger.error("Disk full: cannot write to %s (%s). Stopping the crawl; free some space and run "
                 "the same command again (the unfinished .open WARC is recovered at the next "
                 "start).", where, error)
    if crawler.engine is not None and crawler.engine.spider is not None:
        deferred_from_coro(crawler.engine.close_spider_async(reason=REASON))
