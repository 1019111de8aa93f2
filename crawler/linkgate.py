"""Which links the blog spider may follow: scope, WordPress traps, endless pagination and calendars.

A hostile or merely badly built site can offer links without end: ``?page=N`` that always has a
next page, a calendar widget linking month after month into the future, a page with 100,000 links.
``LinkGate`` bounds each of them with a setting, counts every refusal under
``discovery/<via>/...`` and logs the first refusal of each kind per host at INFO, so the log says
what happened without one line per link.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scrapy.crawler import Crawler
from scrapy.http import TextResponse
from scrapy.linkextractors import LinkExtractor

from archive.urls import is_trap, site_of
from crawler.config import crawl_config
from crawler.limits import anchor_count, parsed_part

logger = logging.getLogger(__name__)
PAGE_PARAMS = frozenset({"page", "paged", "pg", "cpage"})
_PAGE_PATH = re.compile(r"/page/(\d+)/?$")
_DATE_ARCHIVE = re.compile(r"^/(\d{4})(?:/\d{1,2}){0,2}/?$")
FIRST_BLOG_YEAR = 1990


class LinkGate:
    def __init__(self, sites: Collection[str], stats: Any, max_links: int, max_page: int,
                 last_year: int) -> None:
        self.sites = sites
        self.stats = stats
        self.max_links = max_links
        self.max_page = max_page
        self.last_year = last_year
        self._logged: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, sites: Collection[str]) -> LinkGate:
        config = crawl_config(crawler).discovery  # checked at start-up (crawler/config.py)
        return cls(sites, crawler.stats, config.max_links_per_page, config.max_page,
                   datetime.now(UTC).year + 1)

    def links(self, response: TextResponse, extractor: LinkExtractor) -> list[str]:
        """The page's links, at most ``DISCOVERY_MAX_LINKS_PER_PAGE`` of them.

        Counting anchors is cheap; running the link extractor over 100,000 of them is not (about
        20 s), so a page over the cap is read only up to its first ``max_links`` anchors. A huge
        page is read only up to ``PARSE_MAX_BYTES`` (``crawler.limits.parsed_part``)."""
        part = parsed_part(response)
        anchors = int(float(part.xpath("count(//a[@href] | //area[@href])").get() or 0))
        if part is not response:
            anchors = max(anchors, anchor_count(response.body))
        response = part
        if anchors <= self.max_links:
            return [link.url for link in extractor.extract_links(response)]
        self.stats.inc_value("discovery/links/capped_pages")
        logger.warning("%s has %d links: following only the first %d "
                       "(DISCOVERY_MAX_LINKS_PER_PAGE)", response.url, anchors, self.max_links)
        capped = LinkExtractor(deny_extensions=None, unique=True, restrict_xpaths=(
            f"(//a[@href] | //area[@href])[position() <= {self.max_links}]"))
        return [link.url for link in capped.extract_links(response)][:self.max_links]

    def allow(self, url: str, via: str = "links") -> bool:
        """True when ``url`` may be requested; else counted and (once per kind and host) logged."""
        refusal = self._refusal(url)
        if refusal is None:
            return True
        kind, why = refusal
        self.stats.inc_value(f"discovery/{via}/{kind}")
        host = urlsplit(url).hostname or ""
        if (kind, host) not in self._logged:
            self._logged.add((kind, host))
            logger.info("Not following %s (%s, found via %s); further %s links to %s are only "
                        "counted in discovery/%s/%s", url, why, via, kind, host, via, kind)
        return False

    def _refusal(self, url: str) -> tuple[str, str] | None:
        parts = urlsplit(url)
        if site_of(url) not in self.sites:
            host = parts.hostname or ""
            if any(label.startswith("xn--") for label in host.split(".")):
                return "offsite_idn", f"IDN host {_unicode_host(host)} is outside the crawl scope"
            return "offsite", "outside the crawl scope"
        if is_trap(url):
            return "trap", "a WordPress trap URL"
        number = _page_number(parts.path, parts.query)
        if number is not None and number > self.max_page:
            return "pagination_capped", f"page {number} > DISCOVERY_MAX_PAGE={self.max_page}"
        archive = _DATE_ARCHIVE.match(parts.path)
        if archive and not FIRST_BLOG_YEAR <= int(archive.group(1)) <= self.last_year:
            return "calendar_capped", (f"a date archive outside {FIRST_BLOG_YEAR}-"
                                       f"{self.last_year}: an endless calendar")
        return None


def _page_number(path: str, query: str) -> int | None:
    numbers = [int(value) for key, value in parse_qsl(query)
               if key.lower() in PAGE_PARAMS and value.isdigit()]
    match = _PAGE_PATH.search(path)
    if match:
        numbers.append(int(match.group(1)))
    return max(numbers) if numbers else None


def _unicode_host(host: str) -> str:
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host
