"""Discovery for the ``blog`` spider: which pages list a blog's posts, asked for in the order that is
cheapest for the site and most complete for us.

robots.txt ``Sitemap:`` lines and the usual sitemap locations, RSS/Atom feeds, the WordPress REST
API (and its comments endpoint on a repeat: ``RestSpider``, ``crawler/spiders/wprest.py``), a hosted
platform's own inventories (``PlatformSpider``, ``crawler/spiders/platforms.py``),
and when none of them lists every post, following links inside the blog. What to do with the posts
they list is ``BlogSpider``'s (``crawler/spiders/blog.py``): the hooks at the top of
``InventorySpider``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.response import get_base_url
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from archive.urls import is_trap, join_url, site_of
from crawler import discovery, platforms
from crawler.coverage import inventory_key, stopped_by
from crawler.discovery import Entry
from crawler.items import PageItem, PostItem, SeenItem
from crawler.limits import parsed_part  # hostile sites: a huge page is read from its start
from crawler.meta import FEED_PAGE, HANDLE_HTTPSTATUS_LIST, SITEMAP_DEPTH, STEP
from crawler.options import CrawlOptions
from crawler.sites import Claim, SiteState
from crawler.spiders.guarded import is_html, request_of
from crawler.spiders.wprest import RestSpider

logger = logging.getLogger(__name__)
SITEMAP_PROBES = ("wp-sitemap.xml", "sitemap_index.xml", "sitemap.xml")
MISSING = [404, 410, 403, 400, 401, 500, 502, 503]
DISCOVERY_PRIORITY = 100   # robots.txt and the home page: two per site, they start everything
INVENTORY_PRIORITY = -10   # sitemaps, feeds, REST pages: below posts (0), so that posts listed
                           # so far are fetched before more listings when the budget runs short
ROOT_STEPS = ("robots", "home")
HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class InventorySpider(RestSpider):
    """Reads a site's inventories and hands every post they list to ``_candidates``."""

    options: CrawlOptions
    sites: set[str]
    site_states: dict[str, SiteState]
    links: LinkExtractor

    # -- what the posts side (BlogSpider) does with what discovery finds -------------------
    def _candidates(self, state: SiteState, entries: Iterable[Entry], via: str,
                    complete: bool) -> Iterator[Request | SeenItem]:
        raise NotImplementedError

    def _page_results(self, response: TextResponse,
                      via: str) -> Iterator[PostItem | PageItem | Request]:
        raise NotImplementedError

    def _follow(self, urls: Iterable[str]) -> Iterator[Request]:
        raise NotImplementedError

    def _settle(self, state: SiteState) -> Iterator[Request | SeenItem]:
        raise NotImplementedError

    def _discover_site(self, home: str) -> Iterator[Request]:
        state = self.site_states[site_of(home)]
        self._coverage(state)  # its path scope and the platform its host names, before any link
        yield from self._discover(state, urljoin(home, "/robots.txt"), self.parse_robots, "robots")
        yield from self._discover(state, home, self.parse_home, "home")
        # parse_home also reads the home page as a page (_page_results): a sitemap or a link
        # naming it must not fetch and capture it a second time.
        url = self._canonical(home, "home")
        if url is not None:
            self.ledger.claim(url)

    def _discover(self, state: SiteState, url: str, callback: Any, step: str,
                  meta: dict[str, Any] | None = None, budget: str | None = None
                  ) -> Iterator[Request]:
        """Ask for a discovery document once, within the budget of ``budget`` (default: ``step``)."""
        if self._canonical(url, step) is None or is_trap(url):
            return
        bound = self.discovery_config.budget(budget or step)
        claim = state.claim(url, step, bound[0] if bound else None)
        if claim is Claim.CAPPED and bound:
            self._capped(state, step, bound[1], bound[0])
            self._coverage(state).stopped(inventory_key(step, url), stopped_by(*bound))
        if claim is not Claim.NEW:
            return
        self.crawler.stats.inc_value(f"discovery/{step}/requests")
        priority = DISCOVERY_PRIORITY if step in ROOT_STEPS else INVENTORY_PRIORITY
        yield Request(url, callback=callback, errback=self.discovery_failed, dont_filter=True,
                      priority=priority,
                      meta={STEP: step, HANDLE_HTTPSTATUS_LIST: MISSING, **(meta or {})})

    def parse_robots(self, response: Response) -> Iterator[Request | SeenItem]:
        state = self._state(response)
        listed = []
        if response.status == 200:
            # Joined here, not by Scrapy: one unparseable Sitemap: line must not end the list.
            listed = [join_url(response.url, url) for url in sitemap_urls_from_robots(response.body)]
            self.crawler.stats.inc_value("discovery/robots/sitemaps", len(listed))
        yield from self._sitemaps(state, listed)
        yield from self._finished(state)

    def _sitemaps(self, state: SiteState, listed: list[str]) -> Iterator[Request]:
        """The sitemaps robots.txt lists, then the usual locations: also when robots.txt failed.

        Not for a blog that is one path of a shared host (medium.com/@ada): the host's sitemaps
        list every blog on it."""
        if self._coverage(state).scope != "/":
            self.crawler.stats.inc_value("discovery/sitemap/shared_host")
            return
        probes = [urljoin(state.home, "/" + name) for name in SITEMAP_PROBES]
        for url in platforms.post_sitemaps([*listed, *probes]):
            yield from self._discover(state, url, self.parse_sitemap, "sitemap")

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
            depth = int(response.meta.get(SITEMAP_DEPTH, 0)) + 1
            wanted = platforms.post_sitemaps(
                [e.url for e in doc.entries if discovery.wanted_sitemap(e.url)])
            if wanted and depth > self.discovery_config.max_sitemap_depth:
                self._capped(state, "sitemap_depth", "DISCOVERY_MAX_SITEMAP_DEPTH",
                             self.discovery_config.max_sitemap_depth, len(wanted))
                self._coverage(state).stopped("sitemap", stopped_by(
                    self.discovery_config.max_sitemap_depth, "DISCOVERY_MAX_SITEMAP_DEPTH"))
                return
            for url in wanted:
                yield from self._discover(state, url, self.parse_sitemap, "sitemap",
                                          {SITEMAP_DEPTH: depth})
            return
        self.crawler.stats.inc_value("discovery/sitemap/urls", len(doc.entries))
        if doc.entries:
            self._coverage(state).read_complete("sitemap", "sitemap", response.url,
                                                len(doc.entries))
        yield from self._candidates(state, doc.entries, "sitemap", complete=True)

    def parse_home(self, response: Response
                   ) -> Iterator[Request | PostItem | PageItem | SeenItem]:
        state = self._state(response)
        if response.status != 200:
            self._bad_input(response, "discovery/home/failed", "home page did not answer 200")
            yield from self._discover(state, urljoin(state.home, "/feed/"), self.parse_feed, "feed")
        elif is_html(response):
            assert isinstance(response, TextResponse)
            part = parsed_part(response)
            plan = self._platform_plan(state, part)
            yield from self._platform_apis(state, plan)
            yield from self._feeds_and_api(state, part, plan)
            state.home_links = self.link_gate.links(response, self.links)  # hostile: capped
            yield from self._page_results(response, "home")
        yield from self._finished(state)

    def _feeds_and_api(self, state: SiteState, response: TextResponse,
                       plan: platforms.Plan) -> Iterator[Request]:
        feeds = response.xpath(
            "//link[@rel='alternate'][contains(@type,'rss') or contains(@type,'atom')]/@href")
        base = get_base_url(response)
        urls = [join_url(base, href) for href in feeds.getall() if "/comments/feed" not in href]
        if plan.own_feeds:  # read by the platform's own inventory (paged, or cleaned)
            urls = [url for url in urls if not platforms.path_of(url).startswith(plan.own_feeds)]
        probe = [urljoin(state.home, "/feed/")] if plan.wordpress_feed else []
        for url in [*urls, *probe]:
            yield from self._discover(state, url, self.parse_feed, "feed")
        api = response.xpath("//link[@rel='https://api.w.org/']/@href").get()
        header = b"".join(response.headers.getlist(b"Link")).decode("latin-1")
        if api or "api.w.org" in header:
            root = join_url(base, api) if api else urljoin(state.home, "/wp-json/")
            yield from self._rest_api(state, root)

    def parse_feed(self, response: Response) -> Iterator[Request | SeenItem]:
        state = self._state(response)
        if response.status == 200:
            yield from self._read_feed(state, response)
        elif (page := int(response.meta.get(FEED_PAGE, 1))) > 1:  # WordPress: past the last page
            self._coverage(state).feed_page(inventory_key("feed", response.url), response.url,
                                            page, 0)
        yield from self._finished(state)

    def _read_feed(self, state: SiteState, response: Response) -> Iterator[Request | SeenItem]:
        entries, well_formed = discovery.parse_feed(self._unzip(response), response.url)
        if not well_formed:
            self._bad_input(response, "discovery/feed/malformed", "malformed feed")
        self.crawler.stats.inc_value("discovery/feed/entries", len(entries))
        page = int(response.meta.get(FEED_PAGE, 1))
        key = inventory_key("feed", response.url)
        self._coverage(state).feed_page(key, response.url, page, len(entries))
        yield from self._listed(state, entries, "feed", complete=False)
        wordpress_feed = response.url.split("?")[0].rstrip("/").endswith("/feed")
        if entries and wordpress_feed:
            if page < self.discovery_config.max_page:
                state.feed_next.append(_feed_page(response.url, page + 1))
            else:
                self.crawler.stats.inc_value("discovery/feed/pagination_capped")
                self._coverage(state).stopped(key, stopped_by(page, "DISCOVERY_MAX_PAGE"))

    def discovery_failed(self, failure: Failure) -> Iterator[Request | SeenItem]:
        request = request_of(failure)
        step = request.meta.get(STEP, "other")
        self._log_failure(failure, f"discovery/{step}/failed")
        state = self.site_states[site_of(request.url)]
        if step in ("rest", "comments"):
            what = "the REST API" if step == "rest" else "the comments endpoint"
            self._signal_lost(state, f"{what} did not answer ({failure.getErrorMessage()})")
        if step not in ("sitemap", "feed") or request.meta.get(SITEMAP_DEPTH):  # not a guess
            self._coverage(state).stopped(inventory_key(step, request.url), "a page failed")
        if step == "robots":  # as on a 404: no Sitemap: lines, but the usual places may answer
            yield from self._sitemaps(state, [])
        elif step == "home":  # no <link rel=alternate> to read: the usual feed may still answer
            yield from self._discover(state, urljoin(state.home, "/feed/"), self.parse_feed, "feed")
        yield from self._finished(state)

    def _finished(self, state: SiteState) -> Iterator[Request | SeenItem]:
        """When a site's discovery is idle: page the feed, else judge the site's inventories
        (``_judge``: complete, or partial and links are followed), once."""
        if not state.done():
            return
        cover = self._coverage(state)
        if state.inventory_posts == 0 and state.feed_next:
            cover.paging = True  # a paged feed is meant to end complete: its posts go now
            for via, entries in cover.release():
                yield from self._candidates(state, entries, via, complete=False)
            pages, state.feed_next = state.feed_next, []
            for url in pages:
                page = int(url.rsplit("paged=", 1)[1])
                yield from self._discover(state, url, self.parse_feed, "feed", {FEED_PAGE: page})
        elif not cover.decided:
            yield from self._judge(state)
        if state.trusted and state.pending == 0 and not state.revisited:
            state.revisited = True  # every inventory answered: decide on the archived posts
            yield from self._settle(state)

    def _may_follow(self) -> bool:
        return self.discovery_config.follow_links

    # -- helpers ---------------------------------------------------------------------------
    def _state(self, response: Response) -> SiteState:
        """The site that asked: a discovery request redirected to another site in the crawl (a
        blog that moved) still counts against the pending requests of the site that sent it."""
        request = response.request
        if request is None:
            return self.site_states[site_of(response.url)]
        asked = request.meta.get("redirect_urls") or [request.url]
        return self.site_states[site_of(asked[0])]


def _feed_page(url: str, page: int) -> str:
    base = url.split("?")[0]
    return f"{base}?paged={page}"

