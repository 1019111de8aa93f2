"""A stopping crawl stops reading callbacks' output: Ctrl-C ends the crawl within seconds.

Scrapy's first SIGINT closes the spider gracefully: no new download starts, but the engine waits
until every response in progress is processed, and a response is in progress until its callback's
output has been read to the end. A discovery callback may yield a great many requests (a REST API
claiming 100,000,000 pages gave a generator of that many; a sitemap index lists up to 50,000
sitemaps), each pickled into the disk queue: the crawl went on for minutes after Ctrl-C while the
scratch queue grew to 955 MB. ``StopOutputOnClose`` ends such output at the first request seen
once the engine is stopping: requests are not archive data (the next run discovers them again),
and everything already fetched is in the WARC before any callback runs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

logger = logging.getLogger(__name__)
STAT = "crawl/stopping/output_dropped"


class StopOutputOnClose:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopOutputOnClose:
        return cls(crawler)

    def stopping(self) -> bool:
        """True once Ctrl-C (engine stopped) or a close (disk full, max_posts...) has begun."""
        engine = self.crawler.engine
        if engine is None:
            return True
        slot = engine._slot  # Scrapy has no public "closing" flag; this is what close() sets
        return not engine.running or (slot is not None and slot.closing is not None)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for output in result:
            if isinstance(output, Request) and self.stopping():
                self._dropped(response)
                return
            yield output

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for output in result:
            if isinstance(output, Request) and self.stopping():
                self._dropped(response)
                return
            yield output

    def _dropped(self, response: Response) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(STAT)
        if self.crawler.stats.get_value(STAT) == 1:
            logger.info("Stopping: the rest of what %s led to is not queued (found again by the "
                        "next run); counted in %s", response.url, STAT)
