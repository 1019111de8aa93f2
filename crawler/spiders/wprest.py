"""The WordPress REST API for the ``blog`` spider: its posts (every post with ``modified_gmt``) and,
on a repeat crawl, its public comments endpoint (which archived posts have a comment since).

WordPress does not change a post's ``modified_gmt`` when someone comments, so a repeat that trusts
the inventories needs a second signal for comments: ``/wp/v2/comments?after=...`` lists the approved
comments since about the previous run. ``after`` compares WordPress's *local* comment date, so it
is asked with a day of margin, and each comment is judged on the client by its ``date_gmt``: one not
older than its post's latest capture (in whole seconds; the same second counts) has the post asked
for again. Until both endpoints have answered no archived post is vouched for (``BlogSpider._settle``
waits until the site's discovery is idle); when either fails (401, 403, switched off, not a list, a
budget), the posts are asked for with conditional requests instead, and the run report says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from urllib.parse import urljoin

from scrapy import Request
from scrapy.http import Response

from archive.urls import site_of
from archive.when import iso_date
from crawler import discovery
from crawler.coverage import stopped_by
from crawler.items import SeenItem
from crawler.ledger import Ledger
from crawler.meta import REST_PAGE, REST_ROOT
from crawler.sites import SiteState
from crawler.spiders.platforms import PlatformSpider

COMMENTS_MARGIN = timedelta(days=1)  # ``after`` is compared with the comment's local date
COMMENT_FIELDS = "id,post,link,date_gmt"
REST_API = "the REST API"
PageRequest = Callable[[SiteState, str, int], Iterator[Request]]


class RestSpider(PlatformSpider):
    """Pages of ``/wp/v2/posts`` and ``/wp/v2/comments``, within ``DISCOVERY_MAX_REST_PAGES`` each."""

    ledger: Ledger

    # -- posts -------------------------------------------------------------------------------
    def _rest_api(self, state: SiteState, root: str) -> Iterator[Request]:
        """The first page of posts and, on a trusting repeat, of comments since the last run."""
        state.wordpress_api = True
        yield from self._rest_page(state, root, 1)
        if state.trusted:
            yield from self._comments_page(state, root, 1)

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
            self._coverage(state).stopped("rest", "a page was no list of posts")
            self._signal_lost(state, f"{REST_API} {_answered(response, 'posts')}")
        else:
            self.crawler.stats.inc_value("discovery/rest/posts", len(entries))
            if entries:
                self._coverage(state).read_complete("rest", "rest", response.url, len(entries))
            yield from self._candidates(state, entries, "rest", complete=True)
            if int(response.meta[REST_PAGE]) == 1:
                yield from self._next_pages(state, response, self._rest_page, "rest")
        yield from self._finished(state)

    def _next_pages(self, state: SiteState, response: Response, page_request: PageRequest,
                    step: str) -> Iterator[Request]:
        """Pages 2.. as many as X-WP-TotalPages says, within the budget."""
        header = (response.headers.get(b"X-WP-TotalPages") or b"1").strip()
        total = int(header) if header.isdigit() else 1
        budget = self.discovery_config.max_rest_pages
        last = min(total, budget)
        for number in range(2, last + 1):
            yield from page_request(state, response.meta[REST_ROOT], number)
        if total > last:  # never loop over what the header claims: 100,000,000 pages were seen
            self._capped(state, step, "DISCOVERY_MAX_REST_PAGES", budget, total - last)
            if step == "rest":
                self._coverage(state).stopped("rest", stopped_by(budget, "DISCOVERY_MAX_REST_PAGES"))
            else:
                self._signal_lost(state, "the comments endpoint lists more pages than "
                                         f"DISCOVERY_MAX_REST_PAGES={budget}")

    # -- comments ----------------------------------------------------------------------------
    def _comments_page(self, state: SiteState, root: str, page: int) -> Iterator[Request]:
        last_seen = self.ledger.last_seen(site_of(state.home))
        if last_seen is None:
            return
        after = (iso_date(last_seen).astimezone(UTC) - COMMENTS_MARGIN).strftime("%Y-%m-%dT%H:%M:%S")
        state.comments_asked = True
        url = urljoin(root, f"wp/v2/comments?after={after}&per_page=100&page={page}"
                            f"&orderby=date_gmt&order=asc&_fields={COMMENT_FIELDS}")
        yield from self._discover(state, url, self.parse_comments, "comments",
                                  {REST_ROOT: root, REST_PAGE: page}, budget="rest")

    def parse_comments(self, response: Response) -> Iterator[Request | SeenItem]:
        state = self._state(response)
        comments = (discovery.parse_rest_comments(self._unzip(response))
                    if response.status == 200 else None)
        if comments is None:
            self.crawler.stats.inc_value("discovery/comments/unavailable")
            self._signal_lost(state, f"the comments endpoint {_answered(response, 'comments')}")
        else:
            self.crawler.stats.inc_value("discovery/comments/listed", len(comments))
            for comment in comments:
                self._judge_comment(state, comment)
            if int(response.meta[REST_PAGE]) == 1:
                yield from self._next_pages(state, response, self._comments_page, "comments")
        yield from self._finished(state)

    def _judge_comment(self, state: SiteState, comment: discovery.Comment) -> None:
        """An archived post whose latest capture is not newer than the comment is asked for."""
        url = self._canonical(comment.post_url, "comments")
        prior = self.ledger.prior(url) if url else None
        if url is None or prior is None or prior.deleted_at:
            return
        captured = iso_date(prior.captured_at).replace(microsecond=0).astimezone(UTC)
        if comment.date >= captured and url not in state.commented:
            state.commented.add(url)
            self.crawler.stats.inc_value("discovery/comments/posts")

    def _signal_lost(self, state: SiteState, why: str) -> None:
        """The site's posts are asked for conditionally. One reason per site: the posts list's
        own failure over the comments endpoint's (the two are asked at once, either may be first)."""
        if state.trusted and (not state.signal_lost or (why.startswith(REST_API)
                              and not state.signal_lost.startswith(REST_API))):
            state.signal_lost = why

    def _capped(self, state: SiteState, step: str, setting: str, budget: int,
                count: int = 1) -> None:
        state.stop(self.crawler.stats, step, f"{setting}={budget}", count)  # counted, logged once


def _answered(response: Response, what: str) -> str:
    """``answered 401``, or ``answered 200 with no list of posts``."""
    if response.status != 200:
        return f"answered {response.status}"
    return f"answered {response.status} with no list of {what}"
