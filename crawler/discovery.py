"""Read post inventories: sitemaps, RSS/Atom feeds and the WordPress REST API.

Pure functions over response bodies, so each format can be tested without a crawl. Malformed input
yields what could be recovered plus a flag, never an exception; a link that cannot be parsed is kept
as written, for the spider to log, count and skip (``archive.urls.BadURL``).

Every date an inventory gives is time-zone aware: one without a zone (a date-only sitemap
``<lastmod>``, RFC 822's ``-0000`` "zone unknown") is read as UTC, in ``Entry`` itself, so no
comparison with ``since`` or a capture time can mix naive and aware datetimes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from lxml import etree
from scrapy.utils.sitemap import Sitemap

from archive.urls import join_url
from archive.when import parse_iso

NON_POST_SITEMAP = re.compile(
    r"(wp-sitemap-(taxonomies|users)-|(category|tag|author|post_tag|format)-sitemap|"
    r"sitemap-(tax|users|authors|categories|tags)|/sitemap-misc)", re.I)
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


# A date-only lastmod names a calendar day in the site's own zone: it ends, at the latest, when that
# day ends at UTC-12, 36 hours after the day's start in UTC.
DAY_ENDS = timedelta(hours=36)
COMMENT_PAGE = re.compile(r"/comment-page-\d+/?$")


@dataclass(frozen=True)
class Entry:
    url: str
    modified: datetime | None = None
    date_only: bool = False        # a day without a time (a sitemap's ``2024-05-01``)
    published_only: bool = False   # the date is when it was published, not last modified (RSS)

    def __post_init__(self) -> None:
        object.__setattr__(self, "modified", as_utc(self.modified))

    @property
    def changed_before(self) -> datetime | None:
        """The moment before which the entry says the post last changed (None: it does not say).

        A publication date says nothing about edits; a day without a time counts as its end, so
        that a capture made the same day is never vouched for."""
        if self.modified is None or self.published_only:
            return None
        return self.modified + DAY_ENDS if self.date_only else self.modified


@dataclass(frozen=True)
class Comment:
    """A comment the WordPress comments endpoint lists: which post, and when (UTC)."""

    post_url: str
    date: datetime


def as_utc(moment: datetime | None) -> datetime | None:
    """The one rule for inventory dates: a date without a time zone is read as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SitemapDoc:
    is_index: bool
    entries: list[Entry]
    valid: bool


def parse_sitemap(body: bytes) -> SitemapDoc:
    """Sitemap index or URL set (Scrapy's own, forgiving parser); ``valid`` is False for broken XML.

    Scrapy's parser recovers from errors silently, so well-formedness is checked separately: a
    broken sitemap still yields what could be read, and is reported.
    """
    try:
        sitemap = Sitemap(body)
        entries = [_sitemap_entry(d["loc"], d.get("lastmod")) for d in sitemap if d.get("loc")]
    except (etree.XMLSyntaxError, StopIteration, ValueError):
        return SitemapDoc(False, [], False)
    valid = sitemap.type in ("urlset", "sitemapindex") and _well_formed(body)
    return SitemapDoc(sitemap.type == "sitemapindex", entries, valid)


def _sitemap_entry(loc: str, lastmod: str | None) -> Entry:
    return Entry(loc, parse_iso(lastmod), date_only=bool(lastmod) and "T" not in str(lastmod))


def _well_formed(body: bytes) -> bool:
    try:
        etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return False
    return True


def wanted_sitemap(url: str) -> bool:
    """Skip sub-sitemaps of taxonomies and users: listings, never posts."""
    return not NON_POST_SITEMAP.search(url)


def parse_feed(body: bytes, base_url: str) -> tuple[list[Entry], bool]:
    """Items of an RSS 2.0 or Atom feed: (entries, well_formed)."""
    well_formed = True
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        well_formed = False
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
        root = etree.fromstring(body, parser) if body.strip() else None
    if root is None:
        return [], False
    entries: list[Entry] = []
    for node in root.iter():
        local = etree.QName(node).localname if isinstance(node.tag, str) else ""
        if local == "item":
            entries.extend(_rss_item(node, base_url))
        elif local == "entry":
            entries.extend(_atom_entry(node, base_url))
    return entries, well_formed


def _rss_item(node: etree._Element, base_url: str) -> list[Entry]:
    link = _child_text(node, "link")
    if not link:
        return []
    date = _child_text(node, "pubDate")
    return [Entry(join_url(base_url, link), parse_rfc822(date), published_only=True)]


def _atom_entry(node: etree._Element, base_url: str) -> list[Entry]:
    href = None
    for child in node:
        if isinstance(child.tag, str) and etree.QName(child).localname == "link" and (
                child.get("rel") in (None, "alternate")):
            href = child.get("href")
            break
    if not href:
        return []
    updated = _child_text(node, "updated")
    date = updated or _child_text(node, "published")
    return [Entry(join_url(base_url, href), parse_iso(date), date_only=bool(date) and "T" not in
                  str(date), published_only=updated is None)]


def _child_text(node: etree._Element, name: str) -> str | None:
    for child in node:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return (child.text or "").strip() or None
    return None


def _json_list(body: bytes) -> list[object] | None:
    """A REST answer's JSON list; None when it is no JSON or no list (an API switched off)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, list) else None


def parse_rest_posts(body: bytes) -> list[Entry] | None:
    """Entries of ``/wp-json/wp/v2/posts``; None when the answer is not a list of posts."""
    data = _json_list(body)
    if data is None:
        return None
    entries = []
    for post in data:
        if isinstance(post, dict) and isinstance(post.get("link"), str):
            modified = post.get("modified_gmt")
            stamp = parse_iso(f"{modified}+00:00") if isinstance(modified, str) else None
            entries.append(Entry(post["link"], stamp))
    return entries


def parse_rest_comments(body: bytes) -> list[Comment] | None:
    """Comments of ``/wp-json/wp/v2/comments``: the post each belongs to (its ``link`` without
    ``#comment-N`` or ``/comment-page-N/``) and its ``date_gmt``; None when not a list."""
    data = _json_list(body)
    if data is None:
        return None
    comments = []
    for comment in data:
        if not isinstance(comment, dict):
            continue
        link, date = comment.get("link"), comment.get("date_gmt")
        stamp = parse_iso(f"{date}+00:00") if isinstance(date, str) else None
        if isinstance(link, str) and stamp is not None:
            post = COMMENT_PAGE.sub("/", link.split("#", 1)[0])
            comments.append(Comment(post, stamp))
    return comments


def parse_rfc822(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return as_utc(parsedate_to_datetime(text))  # "-0000" (zone unknown) gives a naive date
    except (TypeError, ValueError):
        return None
