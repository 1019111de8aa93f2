"""Scrapy's own cost for a list of URLs: a plain spider that fetches each once and keeps nothing.

Run by ``bench/crawl.py`` as ``scrapy runspider`` outside the project (Scrapy's defaults, the
settings of ``bench/bare_spider.py``) with ``-a urls=FILE``: the generated blog's posts and every
file their pages load (``bench.clients.site_urls``), one URL a line. No sitemap is read and no
page is parsed, so what it costs per post is less than any Scrapy crawl that finds those files
itself: the floor of the two-core bound with page requisites (``bench.bounds``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response

from bench.bare_spider import BARE_SETTINGS


class BareListSpider(Spider):
    name = "bare-list"
    custom_settings = BARE_SETTINGS

    def __init__(self, urls: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.urls = Path(urls)

    async def start(self) -> AsyncIterator[Request]:
        """One request per line, read as the scheduler asks for more (the list is not held)."""
        with self.urls.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield Request(line.strip(), callback=self.parse)

    def parse(self, response: Response) -> None:
        """Nothing is kept: the response is fetched, decoded and dropped."""
