"""Hosted platforms' own inventories, and the verdict on how completely a site's inventories list
its posts (``crawler/coverage.py``): the part of discovery that knows platforms.

The home page says which platform serves the blog (``crawler/platforms.py``); its own inventories
are then asked for and paged (``crawler/platform_apis.py``) next to the generic ones that
``InventorySpider`` reads. When the site's discovery is idle, ``_judge`` decides once: complete, or
partial and its links are followed to fill the gap. Posts only a partial inventory lists wait for
that verdict, so that a page fetched from Medium's ten-story feed has its links followed too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse

from archive.urls import site_of
from crawler import platforms
from crawler.config import DiscoveryConfig, crawl_config
from crawler.coverage import Coverage
from crawler.discovery import Entry
from crawler.items import SeenItem
from crawler.meta import STEP
from crawler.platform_apis import READERS, TRACKING_PARAMS
from crawler.sites import SiteState
from crawler.spiders.guarded import GuardedSpider

logger = logging.getLogger(__name__)
BUDGETS = {"blogger_feed": "feed", "medium_feed": "feed", "substack_archive": "rest",
           "tumblr_api": "rest"}   # the DISCOVERY_MAX_* setting that bounds each API's pages
PARTIAL_KINDS = frozenset({"feed", "medium_feed"})   # never complete by themselves


class PlatformSpider(GuardedSpider):
    """Platform inventories and the completeness verdict; ``InventorySpider`` does the rest."""

    @cached_property
    def discovery_config(self) -> DiscoveryConfig:
        return crawl_config(self.crawler).discovery

    # -- what InventorySpider provides -------------------------------------------------------
    def _discover(self, state: SiteState, url: str, callback: Any, step: str,
                  meta: dict[str, Any] | None = None, budget: str | None = None
                  ) -> Iterator[Request]:
        raise NotImplementedError

    def _candidates(self, state: SiteState, entries: Iterable[Entry], via: str,
                    complete: bool) -> Iterator[Request | SeenItem]:
        raise NotImplementedError

    def _finished(self, state: SiteState) -> Iterator[Request | SeenItem]:
        raise NotImplementedError

    def _follow(self, urls: Iterable[str]) -> Iterator[Request]:
        raise NotImplementedError

    def _may_follow(self) -> bool:
        raise NotImplementedError

    def _state(self, response: Response) -> SiteState:
        raise NotImplementedError

    # -- per-site coverage -------------------------------------------------------------------
    @cached_property
    def coverage(self) -> dict[str, Coverage]:
        """Every site's ``Coverage``, read by the run report (``crawler.coverage.inventory_of``)."""
        return {}

    def _coverage(self, state: SiteState) -> Coverage:
        site = site_of(state.home)
        cover = self.coverage.get(site)
        if cover is None:
            cover = self.coverage[site] = Coverage(state.home, platforms.path_scope(state.home))
            known = platforms.from_url(state.home)
            if known is not None:
                cover.platform, cover.evidence = known.name, known.evidence
            if cover.scope != "/":  # a blog on a shared host (medium.com/@ada): only its path
                self.link_gate.prefixes[site] = cover.scope
        return cover

    def _platform_plan(self, state: SiteState, response: TextResponse) -> platforms.Plan:
        """The platform the home page names, recorded; what to read on it."""
        cover = self._coverage(state)
        if not cover.platform:
            headers = {key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
                       for key, values in response.headers.items()}
            found = platforms.from_page(response.url, headers, response.selector)
            if found is not None:
                cover.platform, cover.evidence = found.name, found.evidence
        if cover.platform == "medium":  # ?source=... on every link: one URL per story
            self.link_gate.tracking[site_of(state.home)] = TRACKING_PARAMS
        if cover.platform:
            self.crawler.stats.inc_value(f"discovery/platform/{cover.platform}")
            logger.info("%s runs on %s (%s)", state.home, cover.platform, cover.evidence)
        known = platforms.Platform(cover.platform, cover.evidence) if cover.platform else None
        return platforms.plan(known, state.home, cover.scope)

    def _platform_apis(self, state: SiteState, plan: platforms.Plan) -> Iterator[Request]:
        for kind, url in plan.apis:
            yield from self._discover(state, url, self.parse_api, kind, budget=BUDGETS[kind])

    # -- a page of a platform's inventory ----------------------------------------------------
    def parse_api(self, response: Response) -> Iterator[Request | SeenItem]:
        state = self._state(response)
        kind = str(response.meta[STEP])
        if response.status == 200:
            yield from self._read_api(state, kind, response)
        else:
            self.crawler.stats.inc_value(f"discovery/{kind}/unavailable")
            self._coverage(state).stopped(kind, f"a page answered HTTP {response.status}")
        yield from self._finished(state)

    def _read_api(self, state: SiteState, kind: str,
                  response: Response) -> Iterator[Request | SeenItem]:
        page = READERS[kind](self._unzip(response), response.url)
        cover = self._coverage(state)
        if not page.valid:
            self._bad_input(response, f"discovery/{kind}/malformed", f"not a {kind} answer")
            cover.stopped(kind, "a page was no answer of this API")
            return
        first = page.entries[0].url if page.entries else ""
        record = cover.inventory(kind, kind, response.url)
        if first and first == record.last_first:  # the server ignores the paging parameter
            cover.stopped(kind, "a page repeated the page before it: paging ignored")
            return
        record.last_first = first
        partial = kind in PARTIAL_KINDS
        if partial:
            cover.read_feed(kind, kind, response.url, len(page.entries))
        else:
            cover.read_complete(kind, kind, response.url, len(page.entries))
        self.crawler.stats.inc_value(f"discovery/{kind}/entries", len(page.entries))
        yield from self._listed(state, page.entries, kind, complete=not partial)
        if page.next_url:
            yield from self._discover(state, page.next_url, self.parse_api, kind,
                                      budget=BUDGETS[kind])

    def _listed(self, state: SiteState, entries: list[Entry], via: str,
                complete: bool) -> Iterator[Request | SeenItem]:
        """Posts an inventory lists: asked for now, or, from a partial inventory while the site's
        verdict is pending, held until ``_judge`` (so their links are followed if need be)."""
        cover = self._coverage(state)
        if complete or cover.decided or cover.paging:
            yield from self._candidates(state, entries, via, complete)
        else:
            cover.hold(via, entries)

    # -- the verdict -------------------------------------------------------------------------
    def _judge(self, state: SiteState) -> Iterator[Request | SeenItem]:
        """Once, when the site's discovery is idle: complete, or partial and links are followed.

        A complete inventory that lists nothing the crawl may ask for (every entry off-site, a
        trap or unparseable) is no inventory: links are followed as when there is none."""
        cover = self._coverage(state)
        cover.decided = True
        if not cover.complete:
            self._partial(state, cover)
        for via, entries in cover.release():
            yield from self._candidates(state, entries, via, complete=False)
        if cover.complete and state.candidates == 0:
            cover.unusable("lists no URL the crawl may ask for (off-site, traps, bad URLs)")
            self._partial(state, cover)
        if cover.links in ("partial", "none"):
            yield from self._follow(state.home_links)

    def _partial(self, state: SiteState, cover: Coverage) -> None:
        stats = self.crawler.stats
        stats.inc_value("discovery/inventory/partial_sites")
        if not self._may_follow():
            cover.links = "off"
            logger.warning("Only partial inventories list posts on %s (%s), and "
                           "DISCOVERY_FOLLOW_LINKS is off: posts they do not list are missed",
                           state.home, cover.why_partial())
            return
        if state.following:
            return
        state.following = True  # before the held posts are asked for: their links count too
        if cover.held or state.candidates:
            cover.links = "partial"
            stats.inc_value("discovery/links/partial_sites")
            logger.info("Only partial inventories list posts on %s (%s): following links to "
                        "fill the gap", state.home, cover.why_partial())
        else:
            cover.links = "none"
            stats.inc_value("discovery/links/fallback_sites")
            logger.info("No sitemap, feed or REST API lists posts on %s: following links",
                        state.home)
