"""Per-site discovery bookkeeping: which inventories answered, and when to fall back to links.

Discovery requests are counted while in flight; when a site has none left, the spider decides the
next step (page through the feed, or follow links) from what the inventories found.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

logger = logging.getLogger(__name__)


class Claim(Enum):
    NEW = "new"          # ask for it
    SEEN = "seen"        # asked for already
    CAPPED = "capped"    # the step's budget for this site is spent


@dataclass
class SiteState:
    home: str
    pending: int = 0
    requested: set[str] = field(default_factory=set)   # discovery URLs asked for (deduplication)
    inventory_posts: int = 0       # post URLs from sitemaps and the REST API (complete inventories)
    candidates: int = 0            # post URLs from any source
    feed_next: list[str] = field(default_factory=list)  # WordPress feed pages still to read
    home_links: list[str] = field(default_factory=list)
    following: bool = False
    revisited: bool = False        # archived posts of this site settled (trust mode)
    # -- a repeat that trusts the inventories (crawler/spiders/wprest.py, BlogSpider._settle) --
    trusted: bool = False          # archived, not revalidated this run: inventories decide
    wordpress_api: bool = False    # a REST API was asked for: its comments endpoint must answer
    comments_asked: bool = False
    commented: set[str] = field(default_factory=set)  # archived posts with a comment since capture
    signal_lost: str = ""          # why the posts an inventory vouched for are asked for anyway
    asked: Counter[str] = field(default_factory=Counter)   # discovery requests per step
    capped: Counter[str] = field(default_factory=Counter)  # refused by the step's budget
    capped_logged: set[str] = field(default_factory=set)  # budgets already logged for this site

    def claim(self, url: str, step: str = "other", budget: int | None = None) -> Claim:
        """NEW the first time a discovery URL is seen for this site, while ``step`` has budget."""
        if url in self.requested:
            return Claim.SEEN
        if budget is not None and self.asked[step] >= budget:
            self.capped[step] += 1
            return Claim.CAPPED
        self.asked[step] += 1
        self.requested.add(url)
        self.pending += 1
        return Claim.NEW

    def done(self) -> bool:
        """Mark one discovery request finished; True when none is left in flight."""
        self.pending -= 1
        return self.pending == 0

    def stop(self, stats: Any, step: str, bound: str, count: int = 1) -> None:
        """Count what a discovery bound stops (``discovery/capped/<step>``); log it once per site."""
        stats.inc_value(f"discovery/capped/{step}", count)
        if step in self.capped_logged:
            return
        self.capped_logged.add(step)
        logger.warning("%s: %s reached: no more %s requests for this site (what it stops is "
                       "counted in discovery/capped/%s)", self.home, bound, step.replace("_", " "),
                       step)
