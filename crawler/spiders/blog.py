"""The ``blog`` spider: discover every post of a blog, fetch each once, hand posts to the pipelines.

Discovery runs in the order that is cheapest for the site and most complete for us: robots.txt
``Sitemap:`` lines and the usual sitemap locations, RSS/Atom feeds, the WordPress REST API, and only
when none of them lists a post, following links inside the blog.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from archive.extract.page_type import classify_page
from archive.urls import canonical_url, is_trap, post_key, site_of
from crawler import discovery
from crawler.discovery import Entry
from crawler.items import GoneItem, PostItem, SeenItem
from crawler.ledger import Ledger
from crawler.linkgate import LinkGate  # hostile sites: bounded link following
from crawler.options import CrawlOptions
from crawler.recrawl import conditional_headers, load_priors
from crawler.sites import SiteState

logger = logging.getLogger(__name__)
SITEMAP_PROBES = ("wp-sitemap.xml", "sitemap_index.xml", "sitemap.xml")
MISSING = [404, 410, 403, 400, 401, 500, 502, 503]
DISCOVERY_PRIORITY = 100
HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class BlogSpider(Spider):
    name = "blog"

    def __init__(self, url: str | None = None, since: str | None = None,
                 until: str | None = None, max_posts: str | None = None,
                 full: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.options = CrawlOptions.parse(url, since, until, max_posts, full)
        self.sites = {site_of(u) for u in self.options.start_urls}
        self.site_states = {site_of(u): SiteState(home=u) for u in self.options.start_urls}
        # Canonical URLs claimed for fetching, seen as posts, and the archive's priors: on disk,
        # so memory does not grow with the blog (crawler/ledger.py).
        self.ledger = Ledger()
        self.links = LinkExtractor(deny_extensions=None, unique=True)
        self.frontier: Any = None  # scale-out: crawler.scale.SharedScheduler when REDIS_URL is set

    def closed(self, reason: str) -> None:
        self.ledger.close()

    async def start(self) -> AsyncIterator[Request]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        load_priors(self.crawler, self.ledger, sorted(self.sites))
        for home in self.options.start_urls:
            if self.frontier is None or self.frontier.claim_discovery(home):
                yield from self._discover_site(home)
        self.trust_inventory = self.settings.getbool("RECRAWL_TRUST_INVENTORY")
        if not self.trust_inventory:
            yield from self._revisit_known()

    def _discover_site(self, home: str) -> Iterator[Request]:
        state = self.site_states[site_of(home)]
        yield from self._discover(state, urljoin(home, "/robots.txt"), self.parse_robots, "robots")
        yield from self._discover(state, home, self.parse_home, "home")

    # -- scale-out (crawler/scale.py): sites of other workers, start URLs pushed to Redis ------
    def join_site(self, home: str) -> None:
        """Take part in crawling a site another worker started: scope, state and priors."""
        site = site_of(home)
        if site not in self.sites:
            self.sites.add(site)
            self.site_states[site] = SiteState(home=home)
            load_priors(self.crawler, self.ledger, [site])

    def start_site(self, home: str, discover: bool) -> Iterator[Request]:
        """A start URL received while running: its discovery (when ours) and archived posts."""
        self.join_site(home)
        if discover:
            yield from self._discover_site(home)
        if not getattr(self, "trust_inventory", False):
            yield from self._revisit_known(site_of(home))

    def _revisit_known(self, site: str | None = None) -> Iterator[Request]:
        """Ask again for every archived post, conditionally: catches edits, comments, deletions."""
        for prior in self.ledger.priors(site):
            if prior.deleted_at or not self.ledger.claim(prior.url):
                continue
            self.crawler.stats.inc_value("posts/known")
            yield self._post_request(prior.url, "archive")

    # -- discovery -------------------------------------------------------------------------
    def _discover(self, state: SiteState, url: str, callback: Any, step: str,
                  **meta: Any) -> Iterator[Request]:
        if is_trap(url) or not state.claim(url):
            return
        self.crawler.stats.inc_value(f"discovery/{step}/requests")
        yield Request(url, callback=callback, errback=self.discovery_failed, dont_filter=True,
                      priority=DISCOVERY_PRIORITY,
                      meta={"step": step, "handle_httpstatus_list": MISSING, **meta})

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
        elif _is_html(response):
            assert isinstance(response, TextResponse)
            yield from self._feeds_and_api(state, response)
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
            page = int(response.meta.get("feed_page", 1))
            wordpress_feed = response.url.rstrip("/").split("?")[0].endswith("/feed")
            if entries and wordpress_feed:
                if page < self.settings.getint("DISCOVERY_MAX_PAGE", 1000):
                    state.feed_next.append(_feed_page(response.url, page + 1))
                else:
                    self.crawler.stats.inc_value("discovery/feed/pagination_capped")
        yield from self._finished(state)

    def _rest_page(self, state: SiteState, root: str, page: int) -> Iterator[Request]:
        per_page = self.settings.getint("DISCOVERY_REST_PER_PAGE", 100)
        url = urljoin(root, f"wp/v2/posts?per_page={per_page}&page={page}"
                            "&_fields=id,link,date_gmt,modified_gmt")
        yield from self._discover(state, url, self.parse_rest, "rest", rest_root=root,
                                  rest_page=page)

    def parse_rest(self, response: Response) -> Iterator[Request | SeenItem]:
        state = self._state(response)
        entries = discovery.parse_rest_posts(self._unzip(response)) if response.status == 200 else None
        if entries is None:
            self.crawler.stats.inc_value("discovery/rest/unavailable")
        else:
            self.crawler.stats.inc_value("discovery/rest/posts", len(entries))
            yield from self._candidates(state, entries, "rest", complete=True)
            page = int(response.meta["rest_page"])
            total = int(response.headers.get(b"X-WP-TotalPages", b"1") or 1)
            if page == 1:
                for number in range(2, total + 1):
                    yield from self._rest_page(state, response.meta["rest_root"], number)
        yield from self._finished(state)

    def discovery_failed(self, failure: Failure) -> Iterator[Request]:
        request = failure.request  # type: ignore[attr-defined]
        self._log_failure(failure, f"discovery/{request.meta.get('step', 'other')}/failed")
        yield from self._finished(self.site_states[site_of(request.url)])

    def _finished(self, state: SiteState) -> Iterator[Request]:
        """When a site's discovery is idle: page the feed, else follow links, else nothing."""
        if not state.done():
            return
        if state.inventory_posts == 0 and state.feed_next:
            pages, state.feed_next = state.feed_next, []
            for url in pages:
                page = int(url.rsplit("paged=", 1)[1])
                yield from self._discover(state, url, self.parse_feed, "feed", feed_page=page)
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
        return self.settings.getbool("DISCOVERY_FOLLOW_LINKS", True)

    # -- posts -----------------------------------------------------------------------------
    def _candidates(self, state: SiteState, entries: Iterable[Entry], via: str,
                    complete: bool) -> Iterator[Request | SeenItem]:
        for entry in entries:
            url = canonical_url(entry.url)
            if not self.link_gate.allow(url, via):  # hostile sites: scope, traps (logged)
                self.crawler.stats.inc_value(f"discovery/{via}/out_of_scope")
                continue
            if complete:
                state.inventory_posts += 1
            state.candidates += 1  # listed by an inventory: no need to follow links
            if not self.ledger.claim(url):
                continue
            if self._vouched_unchanged(url, entry):
                self.crawler.stats.inc_value("posts/unchanged_by_inventory")
                self.crawler.stats.inc_value("posts/unchanged")
                yield SeenItem(url=url, captured_at=datetime.now(UTC))
                continue
            if entry.modified and self.options.since and entry.modified < self.options.since:
                self.crawler.stats.inc_value("discovery/skipped_before_since")
                continue
            self.crawler.stats.inc_value("posts/candidates")
            yield self._post_request(url, via)

    def _vouched_unchanged(self, url: str, entry: Entry) -> bool:
        """Trust mode: the inventory's modification date is not newer than our last capture."""
        prior = self.ledger.prior(url) if self.trust_inventory else None
        if not (self.trust_inventory and prior and entry.modified) or prior.deleted_at:
            return False
        # Inventories give whole seconds: an edit in the capture's own second must not be trusted.
        captured = datetime.fromisoformat(prior.captured_at).replace(microsecond=0)
        return entry.modified.astimezone(UTC) < captured.astimezone(UTC)

    def _post_request(self, url: str, via: str) -> Request:
        prior = None if self.options.full else self.ledger.prior(url)
        meta: dict[str, Any] = {"discovered_via": via}
        headers: dict[str, str] = {}
        if prior is not None:
            meta.update(prior=prior, handle_httpstatus_list=[304, 404, 410])
            headers = conditional_headers(prior)
        return Request(url, callback=self.parse_page, errback=self.page_failed, meta=meta,
                       headers=headers)

    def parse_page(self, response: Response) -> Iterator[Any]:
        prior = response.meta.get("prior")
        if prior is not None and (response.status in (304, 404, 410) or response.meta.get("revisit")):
            yield from self._known_result(prior.url, response)
            return
        yield from self._page_results(response, response.meta.get("discovered_via", "links"))
        following = self._state(response).following or response.meta.get("following")
        if following and _is_html(response):
            assert isinstance(response, TextResponse)
            yield from self._follow(self.link_gate.links(response, self.links))  # hostile: capped

    def _page_results(self, response: Response, via: str) -> Iterator[PostItem]:
        if not _is_html(response):
            self._bad_input(response, "crawl/not_html", "not an HTML page")
            return
        assert isinstance(response, TextResponse)
        # From the body, not response.text: the decoded text would stay cached on the response.
        kind = classify_page(response.body, response.url, response.encoding)
        if not kind.is_post:
            self.crawler.stats.inc_value("crawl/pages/not_post")
            return
        url = post_key(response.url, kind.canonical, self.sites)
        if not self.ledger.see(url):
            self.crawler.stats.inc_value("posts/duplicate")
            return
        self.crawler.stats.inc_value("posts/found")
        yield PostItem(url=url, fetched_url=response.url, body=response.body,
                       encoding=response.encoding,
                       captured_at=response.meta.get("captured_at") or datetime.now(UTC),
                       warc=response.meta["warc_location"], discovered_via=via,
                       is_new=not self.ledger.is_known(url),
                       etag=_header(response, b"ETag"),
                       last_modified=_header(response, b"Last-Modified"))

    def _known_result(self, url: str, response: Response) -> Iterator[SeenItem | GoneItem]:
        captured = response.meta.get("captured_at") or datetime.now(UTC)
        self.ledger.see(url)
        if response.status in (404, 410):
            logger.info("%s: HTTP %d, marking the archived post deleted", url, response.status)
            yield GoneItem(url=url, seen_gone=captured, status=response.status)
        else:
            self.crawler.stats.inc_value("posts/unchanged")
            yield SeenItem(url=url, captured_at=captured)

    def _follow(self, urls: Iterable[str]) -> Iterator[Request]:
        for raw in urls:
            url = canonical_url(raw)
            if self.ledger.is_claimed(url) or not self.link_gate.allow(url):  # hostile sites
                continue
            self.ledger.claim(url)
            self.crawler.stats.inc_value("discovery/links/followed")
            # An archived post reached by a link before its revisit is asked for conditionally too.
            request = self._post_request(url, "links")
            request.meta["following"] = True
            yield request

    def page_failed(self, failure: Failure) -> None:
        self._log_failure(failure, "posts/failed")

    # -- helpers ---------------------------------------------------------------------------
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
        request = failure.request  # type: ignore[attr-defined]
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


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _is_html(response: Response) -> bool:
    content_type = response.headers.get(b"Content-Type", b"") or b""
    return isinstance(response, TextResponse) and any(t in content_type for t in HTML_TYPES)


def _unzip(response: Response, max_size: int = 0) -> bytes:
    body = response.body
    if body[:2] == b"\x1f\x8b":
        from scrapy.utils.gz import gunzip
        return bytes(gunzip(body, max_size=max_size))
    return body


def _feed_page(url: str, page: int) -> str:
    base = url.split("?")[0]
    return f"{base}?paged={page}"
