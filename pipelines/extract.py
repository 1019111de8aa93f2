"""Turn a post's HTML into clean text and metadata, in worker processes (``archive.pool``).

The WARC capture was written before this step, so a page whose extraction fails is kept: the
catalog records the reason and ``blogarchive reindex`` can try again later.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archive.pool import DEFAULT_FUNCTION, ExtractionPool, failed
from crawler.items import PostItem

logger = logging.getLogger(__name__)


class ExtractPipeline:
    def __init__(self, stats: Any, pool: ExtractionPool | None) -> None:
        self.stats = stats
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        if not settings.getbool("EXTRACT_ENABLED", True):
            return cls(crawler.stats, None)
        workers = settings.getint("EXTRACT_WORKERS", 0) or os.cpu_count() or 1
        timeout = settings.getfloat("EXTRACT_TIMEOUT", 60.0)
        if workers < 1 or timeout <= 0:
            raise NotConfigured("EXTRACT_WORKERS and EXTRACT_TIMEOUT must be above 0")
        pool = ExtractionPool(workers, timeout,
                              max_pending=settings.getint("EXTRACT_MAX_PENDING", 0) or 4 * workers,
                              function=settings.get("EXTRACT_FUNCTION") or DEFAULT_FUNCTION)
        crawler.stats.set_value("extract/workers", workers)
        return cls(crawler.stats, pool)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.pool is not None:
            self.pool.close()

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, PostItem):
            return item  # unchanged or deleted posts: nothing to extract
        if self.pool is None:
            item.extraction = failed("extraction switched off (EXTRACT_ENABLED=False)")
            self.stats.inc_value("extract/skipped")
            return item
        item.extraction = await self.pool.extract(item.body, item.fetched_url, item.encoding,
                                                  item.captured_at)
        if item.extraction.get("reason"):
            self.stats.inc_value("extract/failed")
            logger.warning("%s: extraction incomplete (%s)", item.fetched_url,
                           item.extraction["reason"])
        else:
            self.stats.inc_value("extract/ok")
        if not item.extraction.get("published") and item.extraction.get("date_reason"):
            self.stats.inc_value("extract/no_date")  # e.g. "31 February 2022": left empty
            logger.info("%s: no publication date (%s)", item.fetched_url,
                        item.extraction["date_reason"])
        return item
