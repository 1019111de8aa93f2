"""Turn a post's HTML into clean text and metadata with ``archive.extract``.

A page that cannot be extracted is kept, not dropped: its capture is already in the WARC, and the
catalog records the failure reason so a later ``reindex`` can try again.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from archive.extract import extract_post
from crawler.items import PostItem

logger = logging.getLogger(__name__)


class ExtractPipeline:
    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, PostItem):
            return item  # unchanged or deleted posts: nothing to extract
        try:
            result = extract_post(item.body, item.fetched_url, encoding=item.encoding,
                                  captured_at=item.captured_at)
            item.extraction = result.to_dict()
        except Exception as error:  # one bad page must never stop the crawl
            logger.exception("%s: extraction failed", item.fetched_url)
            item.extraction = {"text": "", "reason": f"extractor error: {error!r}"}
        if item.extraction.get("reason"):
            self.stats.inc_value("extract/failed")
            logger.warning("%s: extraction incomplete (%s)", item.fetched_url,
                           item.extraction["reason"])
        else:
            self.stats.inc_value("extract/ok")
        return item
