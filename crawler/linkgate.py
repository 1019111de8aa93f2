"""Which links the blog spider may follow: scope, WordPress traps, endless pagination and calendars.

A hostile or merely badly built site can offer links without end: ``?page=N`` or ``?offset=N``
that always has a next page, a calendar widget linking month after month into the future, day
pages (``?date=2023-01-01``, ``/archive/2023-01-01/``) linking the next day, a session id new on
every page (``;jsessionid=``, ``?sid=``, ``?PHPSESSID=``), relative links that make folders ever
deeper (``a/a/a/...``), a page with 100,000 links. ``LinkGate`` drops session ids (w3lib's
``url_query_cleaner``), refuses each trap by a rule, and stops following a site's links after
``DISCOVERY_MAX_LINK_PAGES`` pages whatever the trap; it counts every refusal under
``discovery/<via>/...`` (the budget under ``discovery/capped/links``) and logs the first refusal of
each kind per host, so the log says what happened without one line per link.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scrapy.crawler import Crawler
from scrapy.http import TextResponse
from scrapy.linkextractors import LinkExtractor
from w3lib.url import url_query_cleaner

from archive.urls import is_trap, site_of
from crawler.config import crawl_config
from crawler.limits import anchor_count, parsed_part

logger = logging.getLogger(__name__)
PAGE_PARAMS = frozenset({"page", "paged", "pg", "cpage", "offset"})
SESSION_PARAMS = frozenset({"jsessionid", "phpsessid", "sid", "sessionid", "session_id", "cfid",
                            "cftoken"})
_PAGE_PATH = re.compile(r"/page/(\d+)/?$")
_DATE_ARCHIVE = re.compile(r"^/(\d{4})(?:/\d{1,2}){0,2}/?$")
_DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")  # one day's listing: ?date=2023-01-01, /2023-01-01/
_TAXONOMY = re.compile(r"/(category|tag|author)(/|$)")
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/?#;]*", re.I)
FIRST_BLOG_YEAR = 1990
LISTING_PRIORITY = -10  # as inventory pages (crawler/spiders/inventory.py): below posts
MAX_PATH_SEGMENTS = 16  # deeper than any blog's permalinks: /a/b/c/... made by relative links


class LinkGate:
    def __init__(self, sites: Collection[str], stats: Any, max_links: int, max_page: int,
                 last_year: int, max_link_pages: int = 10000) -> None:
        self.sites = sites
        self.stats = stats
        self.max_links = max_links
        self.max_page = max_page
        self.last_year = last_year
        self.max_link_pages = max_link_pages
        self.followed: Counter[str] = Counter()  # pages asked for by following links, per site
        self.prefixes: dict[str, str] = {}  # site -> the path its blog owns (medium.com/@ada/)
        self.tracking: dict[str, frozenset[str]] = {}  # site -> its own tracking parameters
        self._logged: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, sites: Collection[str]) -> LinkGate:
        config = crawl_config(crawler).discovery  # checked at start-up (crawler/config.py)
        return cls(sites, crawler.stats, config.max_links_per_page, config.max_page,
                   datetime.now(UTC).year + 1, config.max_link_pages)

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
        if refusal is None and via == "links":
            refusal = _link_trap(url)
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

    def clean(self, url: str) -> str:
        """``url`` without session ids (``;jsessionid=...``, ``?sid=...``): one URL per page."""
        parts = urlsplit(url)
        drop = SESSION_PARAMS | self.tracking.get(site_of(url), frozenset())
        keys = [k for k, _ in parse_qsl(parts.query, keep_blank_values=True) if k.lower() in drop]
        cleaned = _PATH_SESSION.sub("", url.split("?", 1)[0]) + (
            "?" + parts.query if parts.query else "")
        if keys:
            cleaned = url_query_cleaner(cleaned, keys, remove=True, keep_fragments=True)
        if cleaned != url:
            self.stats.inc_value("discovery/links/session_id")
        return cleaned

    def follow(self, url: str, via: str = "links") -> bool:
        """``allow`` for a link, within the site's ``DISCOVERY_MAX_LINK_PAGES``; counts the page."""
        if not self.allow(url, via):
            return False
        site = site_of(url)
        if self.followed[site] >= self.max_link_pages:
            self.stats.inc_value("discovery/capped/links")
            if ("capped", site) not in self._logged:
                self._logged.add(("capped", site))
                logger.warning("%s: DISCOVERY_MAX_LINK_PAGES=%d pages reached by following links: "
                               "no more (the rest is only counted in discovery/capped/links)",
                               site, self.max_link_pages)
            return False
        self.followed[site] += 1
        return True

    @staticmethod
    def priority(url: str) -> int:
        """Scrapy priority of a followed link: a listing (pagination, archives) below a post (0)."""
        parts = urlsplit(url)
        listing = parts.query or _PAGE_PATH.search(parts.path) or _DATE_ARCHIVE.match(
            parts.path) or _TAXONOMY.search(parts.path)
        return LISTING_PRIORITY if listing else 0

    def _refusal(self, url: str) -> tuple[str, str] | None:
        parts = urlsplit(url)
        if site_of(url) not in self.sites:
            host = parts.hostname or ""
            if any(label.startswith("xn--") for label in host.split(".")):
                return "offsite_idn", f"IDN host {_unicode_host(host)} is outside the crawl scope"
            return "offsite", "outside the crawl scope"
        prefix = self.prefixes.get(site_of(url))
        if prefix and not f"{parts.path.rstrip('/')}/".startswith(prefix):
            return "offpath", f"outside the blog's path {prefix} on a shared host"
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


def _link_trap(url: str) -> tuple[str, str] | None:
    """Traps only link following meets (inventories list posts, not these): day pages, folders
    made ever deeper by relative links."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if any(_DAY.match(v) for _, v in parse_qsl(parts.query)) or any(
            _DAY.match(s) for s in segments):
        return "day_archive", "one day's listing: its posts are listed on the home and month pages"
    if len(segments) > MAX_PATH_SEGMENTS:
        return "too_deep", f"more than {MAX_PATH_SEGMENTS} folders deep"
    if _repeats(segments):
        return "repeated_path", "a path repeating its own folders (relative links gone astray)"
    return None


def _repeats(segments: list[str]) -> bool:
    """True when a folder occurs three times, or a run of 1-3 folders comes twice in a row."""
    if any(count >= 3 for count in Counter(segments).values()):
        return True
    return any(segments[i:i + size] == segments[i + size:i + 2 * size]
               for size in (1, 2, 3) for i in range(len(segments) - 2 * size + 1))


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
