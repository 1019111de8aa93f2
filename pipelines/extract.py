"""Turn a post's HTML into clean text and metadata, in worker processes (``archive.extract.pool``).

The WARC capture was written before this step, so a page whose extraction fails is kept: the
catalog records the reason and ``blogarchive reindex`` can try again later.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from archive.config import ConfigError
from archive.extract.model import Extraction
from archive.extract.pool import DEFAULT_FUNCTION, ExtractionPool
from crawler.items import PostItem

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PoolSettings:
    workers: int
    timeout: float
    max_pending: int
    function: str


def pool_settings(settings: Any) -> PoolSettings:
    """The ``EXTRACT_*`` settings, checked: a bad value is a ConfigError that names the fix."""
    workers = settings.getint("EXTRACT_WORKERS", 0) or os.cpu_count() or 1
    timeout = settings.getfloat("EXTRACT_TIMEOUT", 60.0)
    if workers < 1:
        raise ConfigError(f"EXTRACT_WORKERS={workers}: use a number of processes, or 0 for one "
                          "per core")
    if timeout <= 0:
        raise ConfigError(f"EXTRACT_TIMEOUT={timeout:g}: use seconds above 0")
    return PoolSettings(workers, timeout,
                        settings.getint("EXTRACT_MAX_PENDING", 0) or 4 * workers,
                        settings.get("EXTRACT_FUNCTION") or DEFAULT_FUNCTION)


class ExtractPipeline:
    def __init__(self, stats: Any, pool: ExtractionPool | None) -> None:
        self.stats = stats
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        if not crawler.settings.getbool("EXTRACT_ENABLED", True):
            return cls(crawler.stats, None)
        config = pool_settings(crawler.settings)
        pool = ExtractionPool(config.workers, config.timeout, max_pending=config.max_pending,
                              function=config.function)
        crawler.stats.set_value("extract/workers", config.workers)
        return cls(crawler.stats, pool)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.pool is not None:
            self.pool.close()

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, PostItem):
            return item  # unchanged or deleted posts: nothing to extract
        if self.pool is None:
            item.extraction = Extraction.failed(
                item.fetched_url, "extraction switched off (EXTRACT_ENABLED=False)")
            self.stats.inc_value("extract/skipped")
            return item
        extraction = await self.pool.extract(item.body, item.fetched_url, item.encoding,
                                             item.captured_at)
        item.extraction = extraction
        if extraction.reason:
            self.stats.inc_value("extract/failed")
            logger.warning("%s: extraction incomplete (%s)", item.fetched_url, extraction.reason)
        else:
            self.stats.inc_value("extract/ok")
        if not extraction.published and extraction.date_reason:
            self.stats.inc_value("extract/no_date")  # e.g. "31 February 2022": left empty
            logger.info("%s: no publication date (%s)", item.fetched_url, extraction.date_reason)
        return item
