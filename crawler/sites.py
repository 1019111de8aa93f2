"""Per-site discovery bookkeeping: which inventories answered, and when to fall back to links.

Discovery requests are counted while in flight; when a site has none left, the spider decides the
next step (page through the feed, or follow links) from what the inventories found.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    revisited: bool = False        # archived posts of this site asked for again (trust mode)

    def claim(self, url: str) -> bool:
        """True the first time a discovery URL is seen for this site."""
        if url in self.requested:
            return False
        self.requested.add(url)
        self.pending += 1
        return True

    def done(self) -> bool:
        """Mark one discovery request finished; True when none is left in flight."""
        self.pending -= 1
        return self.pending == 0
