"""The framework's own ceiling: a plain Scrapy ``SitemapSpider`` that fetches every post and keeps nothing.

Run by ``bench/crawl.py`` as ``scrapy runspider`` from a directory outside the project, so Scrapy's
defaults apply (no WARC, no text, no catalog, none of our middlewares), with the same concurrency,
robots.txt rule and reactor as our crawl. What it costs per post is the part of our crawl that no
change of ours can remove while the crawler is Scrapy.
"""

from __future__ import annotations

from typing import Any

from scrapy.http import Response
from scrapy.spiders import SitemapSpider

# Ours' crawl settings in bench/clients.py, where Scrapy's defaults differ (also for
# bare_list_spider.py), and Scrapy at its cheapest: with asyncio, Scrapy 2.13+ starts
# CONCURRENT_ITEMS + 1 tasks for every response whatever its callback yields (100 by default; a
# spider that yields nothing needs 1): plain Scrapy on the posts and their requisites spent 18.4
# and 18.8 ms of CPU per post with 100, 10.0 and 10.3 with 1 (1,000 posts, alternated).
BARE_SETTINGS: dict[str, Any] = {
    "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "ROBOTSTXT_OBEY": True,
    "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False, "CONCURRENT_ITEMS": 1,
}


class BareSitemapSpider(SitemapSpider):
    name = "bare"
    custom_settings = BARE_SETTINGS

    def __init__(self, url: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sitemap_urls = [url.rstrip("/") + "/robots.txt"]

    def parse(self, response: Response) -> None:
        """Nothing is kept: the response is fetched, decoded and dropped."""
