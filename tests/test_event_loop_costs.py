"""The shortcuts issue 21 took on the crawler's event loop keep what they skip unneeded."""

from __future__ import annotations

import inspect

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.misc import is_generator_with_return_value
from scrapy.utils.test import get_crawler

from crawler import settings
from crawler.spiders.blog import BlogSpider, may_refresh
from crawler.stats import PlainStatsCollector


def test_no_spider_callback_is_a_generator_returning_a_value() -> None:
    """WARN_ON_GENERATOR_RETURN_VALUE is off (its check parsed a callback's source on every
    response): this test is the check, once, over every generator method of the spider."""
    assert settings.WARN_ON_GENERATOR_RETURN_VALUE is False
    generators = [member for _, member in inspect.getmembers(BlogSpider, inspect.isfunction)
                  if inspect.isgeneratorfunction(member)]
    assert len(generators) > 10
    assert [g.__qualname__ for g in generators if is_generator_with_return_value(g)] == []


@pytest.mark.parametrize(("body", "encoding", "expected"), [
    (b'<meta http-equiv="refresh" content="0; url=/b/">', "utf-8", True),
    (b'<META HTTP-EQUIV="Refresh" CONTENT="5">', "cp1252", True),
    (b"<p>no such tag</p>", "utf-8", False),
    ('<meta http-equiv="refresh" content="0">'.encode("utf-16"), "utf-16", True),
    (b"\x00<\x00p\x00>", "UTF-16LE", True),  # not ASCII-compatible: always scanned
])
def test_may_refresh_skips_only_pages_without_the_word(body: bytes, encoding: str,
                                                       expected: bool) -> None:
    assert may_refresh(body, encoding) is expected


def test_plain_stats_count_as_scrapys() -> None:
    crawler = get_crawler(settings_dict={"STATS_CLASS": settings.STATS_CLASS})
    ours, scrapys = PlainStatsCollector(crawler), MemoryStatsCollector(crawler)
    for stats in (ours, scrapys):
        stats.inc_value("a")
        stats.inc_value("a", 2)
        stats.max_value("m", 3)
        stats.max_value("m", 1)
        stats.set_value("s", "x")
    assert ours.get_stats() == scrapys.get_stats() == {"a": 3, "m": 3, "s": "x"}
