"""Turn a post's HTML into clean text and metadata, in worker processes (``archive.extract.pool``).

The WARC capture was written before this step, so a page whose extraction fails is kept: the
catalog records the reason and ``blogarchive reindex`` can try again later. The pool is the
crawl's one (``crawler/workers.py``): the spider sends it each page to read, so most posts come
here extracted already, and this step counts the outcome; a post read on the event loop (the home
page) is extracted here.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from archive.extract.model import Extraction
from archive.extract.pool import ExtractionPool
from crawler.config import crawl_config
from crawler.items import PostItem
from crawler.workers import open_pool

logger = logging.getLogger(__name__)


class ExtractPipeline:
    def __init__(self, stats: Any, pool: ExtractionPool | None) -> None:
        self.stats = stats
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        config = crawl_config(crawler).extract
        if not config.enabled:
            return cls(crawler.stats, None)
        pool = open_pool(crawler, config)  # the spider sends its pages to it too
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
        extraction = item.extraction  # read with the page already (crawler/spiders/pages.py)
        if extraction is None:
            extraction = await self.pool.extract(item.body, item.fetched_url, item.encoding,
                                                 item.captured_at)
            item.extraction = extraction
        if extraction.reason:
            self.stats.inc_value("extract/failed")
            if extraction.counter:
                self.stats.inc_value(extraction.counter)  # extract/too_large, extract/unparsable
            logger.warning("%s: extraction incomplete (%s)", item.fetched_url, extraction.reason)
        else:
            self.stats.inc_value("extract/ok")
        if not extraction.published and extraction.date_reason:
            self.stats.inc_value("extract/no_date")  # e.g. "31 February 2022": left empty
            logger.info("%s: no publication date (%s)", item.fetched_url, extraction.date_reason)
        return item
