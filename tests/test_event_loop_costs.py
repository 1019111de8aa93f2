"""The shortcuts issue 21 took on the crawler's event loop keep what they skip unneeded."""

from __future__ import annotations

import inspect

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.misc import is_generator_with_return_value
from scrapy.utils.test import get_crawler

from crawler import settings
from crawler.limits import SCAN_STEP, _decodes
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


@pytest.mark.parametrize("at", [0, SCAN_STEP - 3, SCAN_STEP * 2 + 5, SCAN_STEP * 3 - 7])
def test_may_refresh_finds_the_word_anywhere_in_a_large_page(at: int) -> None:
    """Pages over ``SCAN_STEP`` are scanned a MiB at a time: the word is found across a step's
    end as anywhere else, and a large page without it is still skipped."""
    filler = b"<p>Some words</p>" * (SCAN_STEP * 3 // 17)
    assert may_refresh(filler[:at] + b"REFRESH" + filler[at:], "utf-8")
    assert not may_refresh(filler, "utf-8")


@pytest.mark.parametrize(("codec", "expected"), [("utf-8", True), ("ascii", False)])
def test_a_large_page_is_checked_against_its_charset_whole(codec: str, expected: bool) -> None:
    """The charset check decodes a page a MiB at a time: a character split by a step's end is
    whole, and a byte the charset forbids far into the page is still found."""
    body = b"a" * (SCAN_STEP - 1) + "é".encode() + b"b" * (2 * SCAN_STEP)
    assert _decodes(body, codec) is expected
    assert _decodes(body + b"\xff", "utf-8") is False
    assert _decodes(body[:SCAN_STEP], "utf-8") is False  # cut inside the character


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
