"""Scrapy's in-memory stats, without the per-attribute hook Scrapy 2.19 put in front of them.

``StatsCollector.__getattribute__`` (Scrapy 2.19) wraps the stats methods to warn about a
deprecated ``spider`` argument, and runs in Python for every attribute read: each ``inc_value``
reads ``self._stats`` through it, and raises and catches an AttributeError on the way. With
dozens of counters per response (Scrapy's own and ours) it was 2.4 % of the crawler's event loop
with page requisites on (issue 21). Nothing here passes ``spider`` to the stats.
"""

from __future__ import annotations

from typing import Any

from scrapy.statscollectors import MemoryStatsCollector


class PlainStatsCollector(MemoryStatsCollector):
    def __getattribute__(self, name: str) -> Any:
        return object.__getattribute__(self, name)
