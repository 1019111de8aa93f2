"""The crawl's extraction workers: one pool, opened by ``ExtractPipeline``, shared with the spider.

The spider sends each page it reads to the same workers (``archive.extract.analysis``): they
decide whether it is a post, list the files it loads and extract a post's text, off the event
loop. Without ``ExtractPipeline`` (or with ``EXTRACT_ENABLED`` off) there is no pool, and the
spider reads its pages itself, as a crawl without extraction always did.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler

from archive.extract.pool import ExtractionPool
from crawler.config import ExtractConfig

_POOLS: WeakKeyDictionary[Crawler, ExtractionPool] = WeakKeyDictionary()


def open_pool(crawler: Crawler, config: ExtractConfig) -> ExtractionPool:
    pool = ExtractionPool(config.workers, config.timeout, max_pending=config.max_pending,
                          function=config.function, max_html_bytes=config.max_html_bytes,
                          nice=config.nice)
    _POOLS[crawler] = pool
    return pool


def shared_pool(crawler: Crawler) -> ExtractionPool | None:
    return _POOLS.get(crawler)
