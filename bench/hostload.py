"""A Scrapy extension for the benchmarks: the most requests one host had in transfer at once.

Counted in Scrapy's downloader, whose slots are the per-host politeness (one slot a host, with
``CONCURRENT_REQUESTS_PER_DOMAIN`` transfers at most): a slot's ``transferring`` set grows when a
request starts and shrinks when one ends, so it is largest just before some transfer ends. Its size
is read when ``response_downloaded`` fires, which Scrapy sends before it frees the slot (read after
``request_left_downloader`` instead, the slot may already hold the next request, one too many).
Exact with no sampling, except where the largest count ends in failed transfers only. The figure
lands in the crawl's stats, hence in its run report: ``bench/hostload/max_transferring`` and
``bench/hostload/hosts``.

Enabled by ``python -m bench.recrawl`` with ``-s EXTENSIONS=...`` (``settings_with``); it is not
part of the product.
"""

from __future__ import annotations

import json
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler import settings as product

STAT = "bench/hostload/max_transferring"


class HostLoad:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.peaks: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostLoad:
        extension = cls(crawler)
        crawler.signals.connect(extension.downloaded, signal=signals.response_downloaded)
        return extension

    def downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        engine = self.crawler.engine
        if engine is None or self.crawler.stats is None:
            return
        downloader = engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        size = len(slot.transferring)
        if size > self.peaks.get(key, 0):
            self.peaks[key] = size
            self.crawler.stats.max_value(STAT, size)
            self.crawler.stats.set_value("bench/hostload/hosts", len(self.peaks))


def settings_with() -> tuple[str, ...]:
    """``-s EXTENSIONS=...``: the product's extensions plus this one."""
    extensions: dict[str, Any] = {**product.EXTENSIONS, f"{__name__}.HostLoad": 900}
    return ("-s", f"EXTENSIONS={json.dumps(extensions)}")
