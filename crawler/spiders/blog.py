"""The ``blog`` spider: discover every post of a blog, fetch each once, hand posts to the pipelines.

Discovery (robots.txt, sitemaps, feeds, the REST API, links) is ``InventorySpider``'s
(``crawler/spiders/inventory.py``); this module turns what it lists into post requests, conditional
when the post is archived (which archived posts a repeat asks for at all: ``RepeatSpider``,
``crawler/spiders/repeat.py``), and the answers into items; every page it parses also asks for its
requisites (``RequisitesSpider``, ``crawler/spiders/requisites.py``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from twisted.python.failure import Failure
from w3lib.html import get_meta_refresh

from archive.urls import canonical_url, site_of
from crawler.discovery import Entry
from crawler.items import GoneItem, PageItem, PostItem, SeenItem
from crawler.ledger import Ledger
from crawler.limits import SCAN_STEP
from crawler.meta import (
    DISCOVERED_VIA,
    FOLLOWING,
    HANDLE_HTTPSTATUS_LIST,
    PAGE_PRIOR,
    PRIOR,
    REVISIT,
)
from crawler.options import CrawlOptions
from crawler.protocols import Frontier
from crawler.recrawl import conditional_headers, load_page_priors, load_priors
from crawler.sites import SiteState
from crawler.spiders.guarded import is_html
from crawler.spiders.moves import MovesSpider
from crawler.spiders.pages import PageReading, PagesSpider, captured_at
from crawler.spiders.repeat import RepeatSpider

logger = logging.getLogger(__name__)


class BlogSpider(RepeatSpider, MovesSpider, PagesSpider):
    name = "blog"

    def __init__(self, url: str | None = None, since: str | None = None,
                 until: str | None = None, max_posts: str | None = None,
                 full: str | None = None, revalidate: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.options = CrawlOptions.parse(url, since, until, max_posts, full, revalidate)
        self.sites = {site_of(u) for u in self.options.start_urls}
        self.site_states = {site_of(u): SiteState(home=u) for u in self.options.start_urls}
        # Canonical URLs claimed for fetching, seen as posts, and the archive's priors: on disk,
        # so memory does not grow with the blog (crawler/ledger.py).
        self.ledger = Ledger()
        self.links = LinkExtractor(deny_extensions=None, unique=True)
        self.frontier: Frontier | None = None  # scale-out: SharedScheduler when REDIS_URL is set
        self.revalidated: set[str] = set()  # sites whose archived posts are all asked for again
        self.notes: list[str] = []          # for the run report: why a site was checked otherwise

    def closed(self, reason: str) -> None:
        self.ledger.close()

    async def start(self) -> AsyncIterator[Request]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        load_priors(self.crawler, self.ledger, sorted(self.sites))
        if not self.options.full:
            load_page_priors(self.crawler, self.ledger)
        self._plan(sorted(self.sites))
        for home in self.options.start_urls:
            if self.frontier is None or self.frontier.claim_discovery(home):
                yield from self._discover_site(home)
        for site in sorted(self.revalidated):
            yield from self._revisit_known(site)

    # -- scale-out (crawler/scale.py): sites of other workers, start URLs pushed to Redis ------
    def join_site(self, home: str) -> None:
        """Take part in crawling a site another worker started: scope, state and priors."""
        site = site_of(home)
        if site not in self.sites:
            self.sites.add(site)
            self.site_states[site] = SiteState(home=home)
            load_priors(self.crawler, self.ledger, [site])
            self._plan([site])

    def start_site(self, home: str, discover: bool) -> Iterator[Request]:
        """A start URL received while running: its discovery (when ours) and archived posts."""
        self.join_site(home)
        if discover:
            yield from self._discover_site(home)
        if site_of(home) in self.revalidated:
            yield from self._revisit_known(site_of(home))

    # -- posts -----------------------------------------------------------------------------
    def _candidates(self, state: SiteState, entries: Iterable[Entry], via: str,
                    complete: bool) -> Iterator[Request | SeenItem]:
        for entry in entries:
            url = self._canonical(entry.url, via)
            if url is None:
                continue
            if not self.link_gate.allow(url, via):  # hostile sites: scope, traps (logged)
                self.crawler.stats.inc_value(f"discovery/{via}/out_of_scope")
                continue
            if complete:
                state.inventory_posts += 1
            state.candidates += 1  # listed by an inventory: no need to follow links
            if url == self._canonical(state.home, "home"):  # read by discovery already
                self.crawler.stats.inc_value(f"discovery/{via}/home")
                continue
            prior = self.ledger.prior(url) if state.trusted else None
            if prior is not None and not prior.deleted_at:
                yield from self._judge_entry(state, prior, entry, via)
                continue
            if prior is None and self._page_vouched(state, url, entry):
                continue  # a listing the inventory dates before its capture: not asked for
            if not self.ledger.claim(url):
                continue
            if entry.modified and self.options.since and entry.modified < self.options.since:
                self.crawler.stats.inc_value("discovery/skipped_before_since")
                continue
            self.crawler.stats.inc_value("posts/candidates")
            yield self._page_validators(state, self._post_request(url, via))

    def _post_request(self, url: str, via: str, validators: bool = True) -> Request:
        """``validators=False``: a post known to have changed (a new comment) is asked for in
        full, as a server that dates a page by its post alone would answer 304."""
        prior = None if self.options.full else self.ledger.prior(url)
        meta: dict[str, Any] = {DISCOVERED_VIA: via}
        headers: dict[str, str] = {}
        if prior is not None:
            meta.update({PRIOR: prior, HANDLE_HTTPSTATUS_LIST: [304, 404, 410]})
            headers = conditional_headers(prior) if validators else {}
        return Request(url, callback=self.parse_page, errback=self.page_failed, meta=meta,
                       headers=headers)

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        """A post or page: its items and requests (the page is read by a worker: pages.py)."""
        prior = response.meta.get(PRIOR)
        if prior is not None and (response.status in (304, 404, 410) or response.meta.get(REVISIT)):
            for known in self._known_result(prior.url, response):
                yield known
            return
        following = bool(self._state(response).following or response.meta.get(FOLLOWING))
        if response.meta.get(PAGE_PRIOR) is not None and (
                response.status == 304 or response.meta.get(REVISIT)) and (
                not following or response.status == 304):
            for request in self._page_unchanged(response, following):
                yield request
            return
        via = response.meta.get(DISCOVERED_VIA, "links")
        if not is_html(response):
            self._bad_input(response, "crawl/not_html", "not an HTML page")
            return
        assert isinstance(response, TextResponse)
        reading = await self._read(response, via, self._parsed(response, via))
        for result in self._page_output(response, via, reading):
            yield result
        following = following or self._state(response).following  # may have begun meanwhile
        if following:
            for link in self._follow(self.link_gate.links(response, self.links)):  # capped
                yield link

    def _page_unchanged(self, response: Response, following: bool) -> Iterator[Request]:
        """A page that is not a post came back unchanged (a revisit is written). Once the site's
        links are followed, a bare 304 is asked for again in full: its links may lead to posts no
        inventory lists (a same-payload answer has its body, and is parsed as usual)."""
        if not following:
            self.crawler.stats.inc_value("pages/unchanged")
            return
        self.crawler.stats.inc_value("pages/refetched_for_links")
        meta = {DISCOVERED_VIA: response.meta.get(DISCOVERED_VIA, "links"), FOLLOWING: True}
        yield Request(response.url, callback=self.parse_page, errback=self.page_failed,
                      meta=meta, dont_filter=True)

    def _page_results(self, response: TextResponse,
                      via: str) -> Iterator[PostItem | PageItem | Request]:
        """The home page (an HTML answer: ``parse_home``), read on the event loop: discovery
        reads it synchronously, and parsel's tree of it is there for the requisites."""
        yield from self._page_output(response, via, self._read_here(response, via, parsed=True))

    def _parsed(self, response: Response, via: str) -> bool:
        """Whether parsel parses the page anyway: the home page, pages whose links are followed
        (its tree is reused for the requisites)."""
        return via == "home" or bool(self._state(response).following
                                     or response.meta.get(FOLLOWING))

    def _page_output(self, response: TextResponse, via: str,
                     reading: PageReading) -> Iterator[PostItem | PageItem | Request]:
        if reading.kind.is_post:  # the item first: a crawl that stops drops requests, never it
            yield from self._post_item(response, reading, via)
        else:
            self.crawler.stats.inc_value("crawl/pages/not_post")
            yield from self._page_item(response)
        yield from self._refresh(response)
        yield from reading.requisites  # its stylesheets, images, scripts, a post's attachments

    def _known_result(self, url: str, response: Response) -> Iterator[SeenItem | GoneItem]:
        captured = captured_at(response)
        self.ledger.see(url)
        if response.status in (404, 410):
            logger.info("%s: HTTP %d, marking the archived post deleted", url, response.status)
            yield GoneItem(url=url, seen_gone=captured, status=response.status)
        else:
            self.crawler.stats.inc_value("posts/unchanged")
            yield SeenItem(url=url, captured_at=captured)

    def _follow(self, urls: Iterable[str], via: str = "links",
                following: bool = True) -> Iterator[Request]:
        for raw in urls:
            url = self._canonical(raw, via)
            if url is None:
                continue  # a URL that cannot be requested (logged, counted)
            url = self.link_gate.clean(url)  # no session ids
            if self.ledger.is_claimed(url) or not self.link_gate.follow(url, via):
                continue  # hostile sites: scope, traps, the link budget (logged, counted)
            self.ledger.claim(url)
            self.crawler.stats.inc_value(f"discovery/{via}/followed")
            # An archived post reached by a link before its revisit is asked for conditionally too.
            request = self._post_request(url, via)
            request.meta[FOLLOWING] = following
            request.priority = self.link_gate.priority(url)  # posts before listings
            yield request

    def _refresh(self, response: TextResponse) -> Iterator[Request]:
        """A ``<meta http-equiv=refresh>`` target, asked for as an ordinary link of the page.

        Scrapy's MetaRefreshMiddleware is off (``METAREFRESH_ENABLED``): it replaced the page by
        its target, so a post refreshing to itself was dropped as a duplicate, one refreshing
        off-site as off-site, and a ``javascript:`` target (even one written inside a script)
        failed the request. The page is a page like any other; a tag inside ``<script>`` is text.
        """
        if not may_refresh(response.body, response.encoding):
            return
        try:
            _, target = get_meta_refresh(response.body, response.url, response.encoding,
                                         ignore_tags=("script",))
        except ValueError as error:  # w3lib joins the target: a bad port or IPv6 host
            self._skip_url("refresh", f"meta refresh of {response.url}: {error}")
            return
        url = self._canonical(target, "refresh") if target else None
        if url is None:
            return
        if url == canonical_url(response.url):
            self.crawler.stats.inc_value("discovery/refresh/self")
            return
        following = bool(response.meta.get(FOLLOWING) or self._state(response).following)
        yield from self._follow([url], "refresh", following)

    def page_failed(self, failure: Failure) -> None:
        self._log_failure(failure, "posts/failed")


def may_refresh(body: bytes, encoding: str) -> bool:
    """False when the page cannot hold a ``<meta http-equiv=refresh>``: w3lib decodes and scans
    the whole page to find one, and almost no page has one (issue 21's profile). Pages in an
    encoding that is not ASCII-compatible (UTF-16, UTF-32) are always scanned."""
    if encoding.lower().replace("-", "").startswith(("utf16", "utf32")):
        return True
    if len(body) <= SCAN_STEP:
        return b"refresh" in body.lower()
    # A MiB at a time (overlapping by the word's length): a 50 MB page lowered at once was a
    # second copy of it at the crawler's peak of memory.
    return any(b"refresh" in body[start:start + SCAN_STEP + 6].lower()
               for start in range(0, len(body), SCAN_STEP))
