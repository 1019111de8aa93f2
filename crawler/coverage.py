"""How completely a site's own inventories list its posts, and what the crawl did about it.

An inventory is complete when it is meant to list every post and was read to its end: a sitemap,
the WordPress REST API, a platform API paged to its last page (Blogger's feed, Substack's archive,
Tumblr's ``/api/read``), a WordPress feed paged until a page came back empty. A feed read without
paging lists only the latest posts (Ghost's ``/rss/`` 15, Substack's ``/feed`` 20, Medium's 10), and
a budget that stopped an inventory leaves it partial too.

While a site's discovery runs, the posts that only partial inventories list are held back; when it
is idle the site is judged once: complete, or partial and its links are followed to fill the gap
(``DISCOVERY_FOLLOW_LINKS``). The held posts are asked for then, so that their links are followed
too. The run report keeps each site's ``inventory`` section (``ProgressReporter``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.discovery import Entry

COMPLETE_KINDS = {"sitemap": "a sitemap lists every page it covers",
                  "rest": "the WordPress REST API lists every post",
                  "blogger_feed": "Blogger's feed paged with start-index to its end",
                  "substack_archive": "Substack's /api/v1/archive paged by offset to its end",
                  "tumblr_api": "Tumblr's /api/read paged by start to its end"}
CAPPED_FEEDS = {"medium_feed": "Medium's feed lists only the latest stories"}


@dataclass
class Inventory:
    kind: str               # sitemap, feed, rest, blogger_feed, substack_archive, tumblr_api...
    url: str                # its first document
    pages: int = 0          # documents read
    entries: int = 0        # entries listed (an entry listed twice counts twice)
    complete: bool = False
    reason: str = ""
    last_first: str = ""    # the first entry of the last page: a page repeated ends the paging

    def report(self) -> dict[str, Any]:
        return {"kind": self.kind, "url": self.url, "pages": self.pages, "entries": self.entries,
                "complete": self.complete, "reason": self.reason}


@dataclass
class Coverage:
    """One site's inventories, the posts held back while they are read, and the verdict."""

    home: str
    scope: str = "/"
    platform: str = ""
    evidence: str = ""
    inventories: dict[str, Inventory] = field(default_factory=dict)
    held: list[tuple[str, Entry]] = field(default_factory=list)  # (via, entry)
    decided: bool = False
    paging: bool = False    # a WordPress feed is being paged: its posts are asked for at once
    links: str = ""         # "partial", "none" (no inventory listed a post), "off", or ""

    def inventory(self, kind: str, key: str, url: str) -> Inventory:
        """The record of one inventory (``key`` groups its pages), created on first use."""
        record = self.inventories.get(key)
        if record is None:
            record = self.inventories[key] = Inventory(kind, url)
        return record

    def read_complete(self, kind: str, key: str, url: str, count: int) -> Inventory:
        """A page of an inventory meant to be complete: complete until a bound or error says not."""
        record = self.inventory(kind, key, url)
        if record.pages == 0:
            record.complete, record.reason = True, COMPLETE_KINDS.get(kind, "")
        record.pages += 1
        record.entries += count
        return record

    def read_feed(self, kind: str, key: str, url: str, count: int) -> Inventory:
        """A page of a feed: partial until its paging reaches an empty page."""
        record = self.inventory(kind, key, url)
        record.pages += 1
        record.entries += count
        if not record.complete:
            what = CAPPED_FEEDS.get(kind, "a feed read without paging lists only its latest entries")
            record.reason = f"{what} ({record.entries} here)"
        return record

    def feed_page(self, key: str, url: str, page: int, count: int) -> None:
        """A page of a feed; an empty page 2.. ends a WordPress feed's paging: it was complete."""
        record = self.inventories.get(key)
        if page > 1 and not count:
            if record is not None and record.entries:
                record.complete = True
                record.reason = (f"a WordPress feed paged with ?paged= to its end "
                                 f"({record.pages} pages)")
        elif count:
            self.read_feed("feed", key, url, count)

    def stopped(self, key: str, why: str) -> None:
        """An inventory a bound, a failure or a repeated page ended before its end."""
        record = self.inventories.get(key)
        if record is not None:
            record.complete, record.reason = False, why

    def unusable(self, why: str) -> None:
        """The complete inventories listed nothing usable: none of them counts as complete."""
        for record in self.inventories.values():
            if record.complete:
                record.complete, record.reason = False, why

    @property
    def complete(self) -> bool:
        return any(i.complete and i.entries for i in self.inventories.values())

    @property
    def listed(self) -> int:
        return sum(i.entries for i in self.inventories.values())

    def why_partial(self) -> str:
        """``medium_feed: Medium's feed lists only the latest stories; ...``"""
        if not any(i.entries for i in self.inventories.values()):
            return "no sitemap, feed or API lists a post"
        return "; ".join(f"{i.kind}: {i.reason}" for i in self.inventories.values()
                         if i.entries and not i.complete)

    def hold(self, via: str, entries: list[Entry]) -> None:
        self.held.extend((via, entry) for entry in entries)

    def release(self) -> list[tuple[str, list[Entry]]]:
        """The held entries, grouped by the inventory that listed them, in the order listed."""
        groups: dict[str, list[Entry]] = {}
        for via, entry in self.held:
            groups.setdefault(via, []).append(entry)
        self.held = []
        return list(groups.items())

    def report(self) -> dict[str, Any]:
        """The site's part of the run report's ``inventory`` section."""
        return {"home": self.home, "platform": self.platform or None,
                "platform_evidence": self.evidence or None, "scope": self.scope,
                "complete": self.complete, "reason": None if self.complete else self.why_partial(),
                "entries": self.listed, "links_followed": self.links in ("partial", "none"),
                "links": self.links or None,
                "inventories": [i.report() for i in self.inventories.values()]}


def stopped_by(budget: int, setting: str) -> str:
    """Why a budget left an inventory partial: ``stopped by DISCOVERY_MAX_REST_PAGES (5)``."""
    return f"stopped by {setting} ({budget})"


def inventory_key(step: str, url: str) -> str:
    """Which inventory a discovery document belongs to: a feed is its URL without the page (each
    feed its own), the others one per kind (every sitemap of a site is its sitemap)."""
    return url.split("?")[0] if step == "feed" else step


def inventory_of(spider: object) -> dict[str, Any] | None:
    """The ``inventory`` section of the run report: every site's coverage (None: no blog spider)."""
    coverage = getattr(spider, "coverage", None)
    if not isinstance(coverage, dict):
        return None
    return {site: value.report() for site, value in sorted(coverage.items())
            if isinstance(value, Coverage)}
