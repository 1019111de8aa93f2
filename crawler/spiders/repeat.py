"""What a repeat crawl asks for (README "Scheduled crawls"): the ``blog`` spider's part that decides,
per site, between trusting the inventories and revalidating.

A trusted site's archived posts are judged as the inventories list them (``_judge_entry``): an
inventory date older than the latest capture vouches for the post, a newer one has it asked for at
once, no date leaves it to the end. When the site's discovery is idle (``_settle``), the vouched
posts are unchanged unless the comments endpoint named them or a signal was lost, and the archived
posts nobody listed are asked for once. A revalidated site (``crawler/revalidation.py``) has every
archived post asked for at the start, conditionally, and its archived requisites too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from scrapy import Request

from archive.catalog import Prior
from archive.history import run_reports
from archive.urls import site_of
from archive.when import iso_date
from crawler.config import crawl_config
from crawler.discovery import Entry
from crawler.items import SeenItem
from crawler.ledger import Ledger
from crawler.meta import HANDLE_HTTPSTATUS_LIST, PAGE_PRIOR, PRIOR
from crawler.options import CrawlOptions
from crawler.recrawl import conditional_headers
from crawler.revalidation import revalidated_sites
from crawler.sites import SiteState
from crawler.spiders.guarded import GuardedSpider

logger = logging.getLogger(__name__)


class RepeatSpider(GuardedSpider):
    """Trust or revalidate, per site; ``BlogSpider`` makes the requests."""

    options: CrawlOptions
    ledger: Ledger
    site_states: dict[str, SiteState]
    revalidated: set[str]
    notes: list[str]

    def _post_request(self, url: str, via: str, validators: bool = True) -> Request:
        raise NotImplementedError

    def _note_lost(self, state: SiteState) -> None:
        """The run report's note (also logged) for a site whose signal was lost, once."""
        note = (f"{site_of(state.home)}: {state.signal_lost}: posts were checked with "
                "conditional requests instead")
        self.notes.append(note)
        logger.warning("%s", note)

    def _plan(self, sites: list[str]) -> None:
        """Which sites this run revalidates; the others' archived posts trust the inventories."""
        config = crawl_config(self.crawler)
        archived = [site for site in sites if self.ledger.has_priors(site)]
        due = revalidated_sites(config.recrawl, run_reports(config.archive.archive_dir / "runs"),
                                archived, datetime.now(UTC),
                                self.options.revalidate or self.options.full)
        self.revalidated |= due
        for site in archived:
            self.site_states[site].trusted = site not in due

    def _revisit_known(self, site: str) -> Iterator[Request]:
        """Ask again for every archived post not claimed yet, conditionally: catches edits,
        comments, deletions. Revalidation: all of them; trusting the inventories: those no
        inventory listed (gone, or outside every inventory)."""
        for prior in self.ledger.priors(site):
            if prior.deleted_at or not self.ledger.claim(prior.url):
                continue
            self.crawler.stats.inc_value("posts/known")
            yield self._post_request(prior.url, "archive")

    def _settle(self, state: SiteState) -> Iterator[Request | SeenItem]:
        """Every inventory (and the comments endpoint) answered: the posts they vouched for are
        unchanged, unless a comment came since their capture or a signal was lost; archived
        posts no inventory listed are asked for once."""
        site = site_of(state.home)
        for url in sorted(state.commented):
            if self.ledger.claim(url) or self.ledger.unvouch(url):
                self.crawler.stats.inc_value("posts/commented")
                yield self._post_request(url, "comments", validators=False)
        signal = not state.wordpress_api or (state.comments_asked and not state.signal_lost)
        if state.signal_lost:
            self._note_lost(state)
        for url in self.ledger.vouched(site):
            if signal:
                self.crawler.stats.inc_value("posts/unchanged_by_inventory")
                self.crawler.stats.inc_value("posts/unchanged")
                yield SeenItem(url=url, captured_at=datetime.now(UTC))
            else:
                self.crawler.stats.inc_value("posts/known")
                yield self._post_request(url, "archive")
        yield from self._revisit_known(site)

    # -- pages that are not posts (listings, archives, /about/): remembered since the last run --
    def _page_vouched(self, state: SiteState, url: str, entry: Entry) -> bool:
        """A page that is not a post, on a trusting repeat of a site whose links are not followed,
        that the inventory dates before its capture: not asked for at all (counted). Not claimed,
        so that if the site's links are followed after all, a link still reaches it."""
        changed = entry.changed_before
        if not state.trusted or state.following or changed is None \
                or self.ledger.is_claimed(url):
            return False
        page = self.ledger.page_prior(url)
        if page is None:
            return False
        # Inventories give whole seconds: a change in the capture's own second is not trusted.
        captured = iso_date(page.captured_at).replace(microsecond=0).astimezone(UTC)
        if changed.astimezone(UTC) >= captured:
            return False
        self.crawler.stats.inc_value("pages/unchanged_by_inventory")
        return True

    def _page_validators(self, state: SiteState, request: Request) -> Request:
        """An archived page that is not a post, asked for with its validators while the site's
        links are not followed: a 304 (or, from a server without validators, the same bytes) is
        a revisit and is not parsed (its links are not needed). When links are followed, a
        listing is read in full: its links find the posts."""
        if PRIOR in request.meta or state.following or self.options.full:
            return request
        page = self.ledger.page_prior(request.url)
        if page is None or not page.payload_digest:
            return request
        request.meta[PAGE_PRIOR] = page  # the same bytes again: a revisit (no validators: WordPress)
        headers = conditional_headers(page)
        if headers:
            request.meta[HANDLE_HTTPSTATUS_LIST] = [304]
            request.headers.update(headers)
            self.crawler.stats.inc_value("pages/conditional")
        return request

    def _revalidates(self, url: str) -> bool:
        return site_of(url) in self.revalidated

    def _judge_entry(self, state: SiteState, prior: Prior, entry: Entry,
                     via: str) -> Iterator[Request]:
        """An archived post on a trusting repeat: vouched for (decided in ``_settle``), asked for
        now (the entry says it changed since the capture), or left for ``_settle`` (no date)."""
        changed, url = entry.changed_before, prior.url
        if changed is None:
            return
        # Inventories give whole seconds: an edit in the capture's own second must not be trusted.
        captured = iso_date(prior.captured_at).replace(microsecond=0).astimezone(UTC)
        if changed.astimezone(UTC) < captured:
            if self.ledger.claim(url):
                self.ledger.vouch(url, site_of(state.home))
        elif self.ledger.claim(url) or self.ledger.unvouch(url):
            self.crawler.stats.inc_value("posts/changed_by_inventory")
            self.crawler.stats.inc_value("posts/candidates")
            yield self._post_request(url, via)
