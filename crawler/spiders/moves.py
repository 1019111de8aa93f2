"""How each blog's home page answered, and a blog that moved to another host crawled there.

``crawler/sitehealth.py`` reads ``home_answers``, ``home_details`` and ``moves`` when the crawl
ends to keep the blog list's health and each blog's title and feed (``blogarchive sites list``).
A home page whose permanent redirect leaves for another host reaches ``parse_home`` marked by
``crawler/moves.py``; the blog is then started at its new address like any start URL (its own
robots.txt, inventories and archived posts), and the old site's discovery ends there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_base_url
from twisted.python.failure import Failure

from archive.urls import join_url, site_of
from crawler.items import PageItem, PostItem, SeenItem
from crawler.limits import parsed_part
from crawler.meta import STEP
from crawler.moves import MOVED_TO
from crawler.protocols import Frontier
from crawler.sites import SiteState
from crawler.spiders.guarded import is_html, request_of
from crawler.spiders.inventory import InventorySpider

logger = logging.getLogger(__name__)
# Errors that say no connection could be made at all (Scrapy's, and Twisted's that it wraps): the
# host is down. A connection reset or a time-out is a server that is there: its other pages may
# still answer (an inventory is then read without the home page).
NO_CONNECTION = frozenset({
    "DownloadConnectionRefusedError", "CannotResolveHostError", "ConnectionRefusedError",
    "DNSLookupError", "NoRouteError", "TCPTimedOutError"})


class MovesSpider(InventorySpider):
    frontier: Frontier | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.home_answers: dict[str, str | None] = {}  # site: None when it answered 200, else why
        self.moves: dict[str, str] = {}                # site: the new home page it redirected to
        self.home_details: dict[str, tuple[str | None, str | None]] = {}  # site: title, feed URL
        self.unreachable: set[str] = set()             # sites whose home page got no answer

    def start_site(self, home: str, discover: bool) -> Iterator[Request]:
        raise NotImplementedError

    def parse_home(self, response: Response
                   ) -> Iterator[Request | PostItem | PageItem | SeenItem]:
        state = self._state(response)
        target = response.meta.get(MOVED_TO)
        if target:
            yield from self._moved(state, target, response.status)
            return
        site = site_of(state.home)
        self.home_answers[site] = None if response.status == 200 else f"HTTP {response.status}"
        if response.status == 200 and is_html(response):
            assert isinstance(response, TextResponse)
            self.home_details[site] = _title_and_feed(parsed_part(response))
        yield from super().parse_home(response)

    def _moved(self, state: SiteState, target: str, status: int) -> Iterator[Request | SeenItem]:
        self.moves[site_of(state.home)] = target
        logger.warning("%s: moved permanently to %s (HTTP %d): crawling the blog there",
                       state.home, target, status)
        discover = self.frontier is None or self.frontier.claim_discovery(target)
        yield from self.start_site(target, discover)
        yield from self._finished(state)

    def discovery_failed(self, failure: Failure) -> Iterator[Request | SeenItem]:
        request = request_of(failure)
        if request.meta.get(STEP) == "home":
            error, site = failure.value, site_of(request.url)
            if isinstance(error, HttpError):
                self.home_answers[site] = f"HTTP {error.response.status}"
            elif not isinstance(error, IgnoreRequest):
                self.home_answers[site] = f"{type(error).__name__}: {failure.getErrorMessage()}"
                if type(error).__name__ in NO_CONNECTION:  # crawler/unreachable.py
                    self.unreachable.add(site)
                    logger.warning("%s: no connection to the home page (%s): nothing more is "
                                   "asked of this blog in this run", request.url,
                                   self.home_answers[site])
        yield from super().discovery_failed(failure)


def _title_and_feed(response: TextResponse) -> tuple[str | None, str | None]:
    """The home page's title and first feed (not a comments feed): what an OPML export names."""
    title = " ".join((response.xpath("//head/title/text()").get() or "").split()) or None
    feeds = response.xpath("//link[@rel='alternate'][contains(@type,'rss') or "
                           "contains(@type,'atom')]/@href").getall()
    feed = next((join_url(get_base_url(response), href) for href in feeds
                 if "/comments/feed" not in href), None)
    return title, feed
