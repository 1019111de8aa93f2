"""Discovery for the ``blog`` spider: which pages list a blog's posts, asked for in the order that is
cheapest for the site and most complete for us.

robots.txt ``Sitemap:`` lines and the usual sitemap locations, RSS/Atom feeds, the WordPress REST
API, and only when none of them lists a post, following links inside the blog. What to do with the
posts they list is ``BlogSpider``'s (``crawler/spiders/blog.py``): the hooks at the top of
``InventorySpider``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from archive.urls import is_trap, site_of
from crawler import discovery
from crawler.config import DiscoveryConfig, crawl_config
from crawler.discovery import Entry
from crawler.items import PostItem, SeenItem
from crawler.limits import parsed_part  # hostile sites: a huge page is read from its start
from crawler.linkgate import LinkGate  # hostile sites: bounded link following
from crawler.meta import FEED_PAGE, HANDLE_HTTPSTATUS_LIST, REST_PAGE, REST_ROOT, STEP
from crawler.options import CrawlOptions
from crawler.sites import SiteState

logger = logging.getLogger(__name__)
SITEMAP_PROBES = ("wp-sitemap.xml", "sitemap_index.xml", "sitemap.xml")
MISSING = [404, 410, 403, 400, 401, 500, 502, 503]
DISCOVERY_PRIORITY = 100
HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class InventorySpider(Spider):
    """Reads a site's inventories and hands every post they list to ``_candidates``."""

    options: CrawlOptions
    sites: set[str]
    site_states: dict[str, SiteState]
    links: LinkExtractor
    trust_inventory: bool = False

    # -- what the posts side (BlogSpider) does with what discovery finds -------------------
    def _candidates(self, state: SiteState, entries: Iterable[Entry], via: str,
                    complete: bool) -> Iterator[Request | SeenItem]:
        raise NotImplementedError

    def _page_results(self, response: Response, via: str) -> Iterator[PostItem]:
        raise NotImplementedError

    def _follow(self, urls: Iterable[str]) -> Iterator[Request]:
        raise NotImplementedError

    def _revisit_known(self, site: str | None = None) -> Iterator[Request]:
        raise NotImplementedError

    def _discover_site(self, home: str) -> Iterator[Request]:
        state = self.site_states[site_of(home)]
        yield from self._discover(state, urljoin(home, "/robots.txt"), self.parse_robots, "robots")
        yield from self._discover(state, home, self.parse_home, "home")

    def _discover(self, state: SiteState, url: str, callback: Any, step: str,
                  meta: dict[str, Any] | None = None) -> Iterator[Request]:
        if is_trap(url) or not state.claim(url):
            return
        self.crawler.stats.inc_value(f"discovery/{step}/requests")
        yield Request(url, callback=callback, errback=self.discovery_failed, dont_filter=True,
                      priority=DISCOVERY_PRIORITY,
                      meta={STEP: step, HANDLE_HTTPSTATUS_LIST: MISSING, **(meta or {})})

    def parse_robots(self, response: Response) -> Iterator[Request]:
        state = self._state(response)
        listed = []
        if response.status == 200:
            listed = list(sitemap_urls_from_robots(response.body, base_url=response.url))
            self.crawler.stats.inc_value("discovery/robots/sitemaps", len(listed))
        probes = [urljoin(state.home, "/" + name) for name in SITEMAP_PROBES]
        for url in [*listed, *probes]:
            yield from self._discover(state, url, self.parse_sitemap, "sitemap")
        yield from self._finished(state)

    def parse_sitemap(self, response: Response) -> Iterator[Request | SeenItem]:
        state = self._state(response)
        if response.status == 200:
            yield from self._read_sitemap(state, response)
        else:
            self.crawler.stats.inc_value("discovery/sitemap/missing")
        yield from self._finished(state)

    def _read_sitemap(self, state: SiteState, response: Response) -> Iterator[Request | SeenItem]:
        doc = discovery.parse_sitemap(self._unzip(response))
        if not doc.valid:
            self._bad_input(response, "discovery/sitemap/malformed", "malformed sitemap")
        if doc.is_index:
            for entry in doc.entries:
                if discovery.wanted_sitemap(entry.url):
                    yield from self._discover(state, entry.url, self.parse_sitemap, "sitemap")
            return
        self.crawler.stats.inc_value("discovery/sitemap/urls", len(doc.entries))
        yield from self._candidates(state, doc.entries, "sitemap", complete=True)

    def parse_home(self, response: Response) -> Iterator[Request | PostItem]:
        state = self._state(response)
        if response.status != 200:
            self._bad_input(response, "discovery/home/failed", "home page did not answer 200")
        elif is_html(response):
            assert isinstance(response, TextResponse)
            yield from self._feeds_and_api(state, parsed_part(response))
            state.home_links = self.link_gate.links(response, self.links)  # hostile: capped
            yield from self._page_results(response, "home")
        yield from self._finished(state)

    def _feeds_and_api(self, state: SiteState, response: TextResponse) -> Iterator[Request]:
        feeds = response.xpath(
            "//link[@rel='alternate'][contains(@type,'rss') or contains(@type,'atom')]/@href")
        urls = [response.urljoin(href) for href in feeds.getall()
                if "/comments/feed" not in href]
        for url in [*urls, urljoin(state.home, "/feed/")]:
            yield from self._discover(state, url, self.parse_feed, "feed")
        api = response.xpath("//link[@rel='https://api.w.org/']/@href").get()
        header = b"".join(response.headers.getlist(b"Link")).decode("latin-1")
        if api or "api.w.org" in header:
            root = response.urljoin(api) if api else urljoin(state.home, "/wp-json/")
            yield from self._rest_page(state, root, 1)

    def parse_feed(self, response: Response) -> Iterator[Request | SeenItem]:
        state = self._state(response)
        if response.status == 200:
            entries, well_formed = discovery.parse_feed(self._unzip(response), response.url)
            if not well_formed:
                self._bad_input(response, "discovery/feed/malformed", "malformed feed")
            self.crawler.stats.inc_value("discovery/feed/entries", len(entries))
            yield from self._candidates(state, entries, "feed", complete=False)
            page = int(response.meta.get(FEED_PAGE, 1))
            wordpress_feed = response.url.rstrip("/").split("?")[0].endswith("/feed")
            if entries and wordpress_feed:
                if page < self.discovery_config.max_page:
                    state.feed_next.append(_feed_page(response.url, page + 1))
                else:
                    self.crawler.stats.inc_value("discovery/feed/pagination_capped")
        yield from self._finished(state)

    def _rest_page(self, state: SiteState, root: str, page: int) -> Iterator[Request]:
        per_page = self.discovery_config.rest_per_page
        url = urljoin(root, f"wp/v2/posts?per_page={per_page}&page={page}"
                            "&_fields=id,link,date_gmt,modified_gmt")
        yield from self._discover(state, url, self.parse_rest, "rest",
                                  {REST_ROOT: root, REST_PAGE: page})

    def parse_rest(self, response: Response) -> Iterator[Request | SeenItem]:
        state = self._state(response)
        entries = discovery.parse_rest_posts(self._unzip(response)) if response.status == 200 else None
        if entries is None:
            self.crawler.stats.inc_value("discovery/rest/unavailable")
        else:
            self.crawler.stats.inc_value("discovery/rest/posts", len(entries))
            yield from self._candidates(state, entries, "rest", complete=True)
            page = int(response.meta[REST_PAGE])
            total = int(response.headers.get(b"X-WP-TotalPages", b"1") or 1)
            if page == 1:
                for number in range(2, total + 1):
                    yield from self._rest_page(state, response.meta[REST_ROOT], number)
        yield from self._finished(state)

    def discovery_failed(self, failure: Failure) -> Iterator[Request]:
        request = _request_of(failure)
        self._log_failure(failure, f"discovery/{request.meta.get(STEP, 'other')}/failed")
        yield from self._finished(self.site_states[site_of(request.url)])

    def _finished(self, state: SiteState) -> Iterator[Request]:
        """When a site's discovery is idle: page the feed, else follow links, else nothing."""
        if not state.done():
            return
        if state.inventory_posts == 0 and state.feed_next:
            pages, state.feed_next = state.feed_next, []
            for url in pages:
                page = int(url.rsplit("paged=", 1)[1])
                yield from self._discover(state, url, self.parse_feed, "feed", {FEED_PAGE: page})
        elif state.candidates == 0 and not state.following and self._may_follow():
            state.following = True
            self.crawler.stats.inc_value("discovery/links/fallback_sites")
            logger.info("No sitemap, feed or REST API lists posts on %s: following links",
                        state.home)
            yield from self._follow(state.home_links)
        if self.trust_inventory and state.pending == 0 and not state.revisited:
            state.revisited = True  # inventories read: ask for the archived posts they vouch not for
            yield from self._revisit_known(site_of(state.home))

    def _may_follow(self) -> bool:
        return self.discovery_config.follow_links

    # -- helpers ---------------------------------------------------------------------------
    @cached_property
    def discovery_config(self) -> DiscoveryConfig:
        return crawl_config(self.crawler).discovery

    # --- hostile sites (crawler/linkgate.py): bounded links, bounded gunzip --------------------
    @cached_property
    def link_gate(self) -> LinkGate:
        return LinkGate.from_crawler(self.crawler, self.sites)

    def _unzip(self, response: Response) -> bytes:
        try:
            return _unzip(response, self.settings.getint("DOWNLOAD_MAXSIZE"))
        except ValueError:  # scrapy's _DecompressionMaxSizeExceeded: a gzip bomb
            self._bad_input(response, "crawl/decompression_bomb",
                            "gzip body expands beyond DOWNLOAD_MAXSIZE, not parsed")
            return b""
    # --- end hostile sites ------------------------------------------------------------------

    def _state(self, response: Response) -> SiteState:
        return self.site_states[site_of(response.request.url if response.request else response.url)]

    def _bad_input(self, response: Response, counter: str, reason: str) -> None:
        self.crawler.stats.inc_value(counter)
        logger.warning("%s: %s (HTTP %s, captured in the WARC)", response.url, reason,
                       response.status)

    def _log_failure(self, failure: Failure, counter: str) -> None:
        request = _request_of(failure)
        error = failure.value
        if isinstance(error, HttpError):
            status = error.response.status
            reason = f"HTTP {status}"
            self.crawler.stats.inc_value(f"crawl/http_error/{status}")
        else:
            reason = f"{type(error).__name__}: {failure.getErrorMessage()}"
        if "IgnoreRequest" in reason:
            self.crawler.stats.inc_value("crawl/ignored")
            logger.debug("%s: skipped (%s)", request.url, reason)
            return
        self.crawler.stats.inc_value(counter)
        logger.warning("%s: failed (%s)", request.url, reason)


def is_html(response: Response) -> bool:
    content_type = response.headers.get(b"Content-Type", b"") or b""
    return isinstance(response, TextResponse) and any(t in content_type for t in HTML_TYPES)


def _unzip(response: Response, max_size: int = 0) -> bytes:
    body = response.body
    if body[:2] == b"\x1f\x8b":
        from scrapy.utils.gz import gunzip
        return bytes(gunzip(body, max_size=max_size))
    return body


def _request_of(failure: Failure) -> Request:
    """The request an errback's failure is about (Scrapy sets it; Twisted does not declare it)."""
    request: Request = failure.request  # type: ignore[attr-defined]
    return request


def _feed_page(url: str, page: int) -> str:
    base = url.split("?")[0]
    return f"{base}?paged={page}"
