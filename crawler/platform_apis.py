"""Read one page of a hosted platform's own inventory: its posts, and the page after it.

Pure functions over response bodies, like ``crawler.discovery``. Each answers an ``ApiPage``: the
entries, the URL of the next page on the blog's own host (None at the end), and whether the answer
was one at all. Paging never trusts a server to end it: a next page must start further on than
this one, and an empty page ends the inventory (``InventorySpider`` also caps the page count).

- Blogger's Atom feed names its next page ``rel="next"`` on www.blogger.com (outside the crawl
  scope); the same ``start-index`` is asked on the blog's own host. Without that link, the
  OpenSearch ``startIndex`` and ``totalResults`` tell where the next page starts.
- Substack's ``/api/v1/archive`` is a JSON list; the next ``offset`` is this one plus the posts
  this page held (a page shorter than asked is not trusted to be the last: an empty one is).
- Tumblr's ``/api/read`` (API v1, XML) says ``<posts start total>``; the next ``start`` follows.
- Medium's feed links every story with a ``?source=rss-...`` tracking query: dropped, so the post
  is asked for once, under the URL its page declares canonical.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from archive.urls import join_url
from archive.when import parse_iso
from crawler.discovery import Entry, parse_feed

OPENSEARCH = "{http://a9.com/-/spec/opensearchrss/1.0/}"
ATOM = "{http://www.w3.org/2005/Atom}"
TRACKING_PARAMS = frozenset({"source"})  # Medium's ?source=rss-<user id>------2


@dataclass(frozen=True)
class ApiPage:
    entries: list[Entry]
    next_url: str | None   # on the blog's own host; None when this page ends the inventory
    valid: bool            # False: not an answer of this API (an error page, broken markup)
    total: int | None = None  # the posts the platform says it has, when it says so


def with_query(url: str, **params: int | str) -> str:
    """``url`` with these query parameters set, the others kept in place."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({key.replace("_", "-"): str(value) for key, value in params.items()})
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def _number(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def _xml(body: bytes) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        return etree.fromstring(body, parser) if body.strip() else None
    except etree.XMLSyntaxError:
        return None


def blogger_page(body: bytes, url: str) -> ApiPage:
    """A page of ``/feeds/posts/default`` (Atom, with OpenSearch counts)."""
    entries, well_formed = parse_feed(body, url)
    root = _xml(body)
    if root is None or etree.QName(root).localname != "feed":
        return ApiPage([], None, False)
    asked = dict(parse_qsl(urlsplit(url).query))
    start = _number(root.findtext(f"{OPENSEARCH}startIndex")) or _number(
        asked.get("start-index")) or 1
    total = _number(root.findtext(f"{OPENSEARCH}totalResults"))
    size = _number(asked.get("max-results")) or len(entries)
    following = _next_start(root)
    if following is None and total is not None and start + len(entries) <= total:
        following = start + len(entries)
    if not entries or following is None or following <= start:
        return ApiPage(entries, None, well_formed, total)
    return ApiPage(entries, with_query(url, start_index=following, max_results=size),
                   well_formed, total)


def _next_start(root: etree._Element) -> int | None:
    """The ``start-index`` of the feed's ``rel="next"`` link, wherever it points."""
    for link in root.iterchildren(f"{ATOM}link"):
        if link.get("rel") == "next":
            return _number(dict(parse_qsl(_query(link.get("href") or ""))).get("start-index"))
    return None


def _query(url: str) -> str:
    try:
        return urlsplit(url).query
    except ValueError:  # hostile input: an invalid IPv6 host, a bad port
        return ""


def substack_page(body: bytes, url: str) -> ApiPage:
    """A page of ``/api/v1/archive?sort=new&offset=N&limit=M`` (a JSON list of posts)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ApiPage([], None, False)
    posts = data.get("posts") if isinstance(data, dict) else data
    if not isinstance(posts, list):
        return ApiPage([], None, False)
    entries = [entry for post in posts if isinstance(post, dict)
               for entry in _substack_entry(post, url)]
    if not posts:
        return ApiPage([], None, True)
    offset = _number(dict(parse_qsl(urlsplit(url).query)).get("offset")) or 0
    return ApiPage(entries, with_query(url, offset=offset + len(posts)), True)


def _substack_entry(post: dict[str, object], url: str) -> list[Entry]:
    link, slug, stamp = post.get("canonical_url"), post.get("slug"), post.get("post_date")
    if not isinstance(link, str) or not link:
        link = join_url(url, f"/p/{slug}") if isinstance(slug, str) and slug else None
    if link is None:
        return []
    return [Entry(link, parse_iso(stamp) if isinstance(stamp, str) else None)]


def tumblr_page(body: bytes, url: str) -> ApiPage:
    """A page of ``/api/read?start=N&num=M`` (Tumblr API v1, XML)."""
    root = _xml(body)
    posts = root.find("posts") if root is not None and root.tag == "tumblr" else None
    if posts is None:
        return ApiPage([], None, False)
    entries = []
    for post in posts.iterchildren("post"):
        link = post.get("url-with-slug") or post.get("url")
        if link:
            entries.append(Entry(join_url(url, link), _tumblr_date(post.get("date-gmt"))))
    start = _number(posts.get("start")) or 0
    total = _number(posts.get("total"))
    following = start + len(entries)
    if not entries or (total is not None and following >= total):
        return ApiPage(entries, None, True, total)
    size = _number(dict(parse_qsl(urlsplit(url).query)).get("num")) or len(entries)
    return ApiPage(entries, with_query(url, start=following, num=size), True, total)


def _tumblr_date(text: str | None) -> datetime | None:
    """``2012-05-11 10:07:04 GMT``."""
    return parse_iso(text.replace(" GMT", "+00:00")) if text else None


def medium_page(body: bytes, url: str) -> ApiPage:
    """Medium's RSS feed: the latest stories, without their tracking query; never a next page."""
    entries, well_formed = parse_feed(body, url)
    clean = [Entry(untracked(e.url), e.modified) for e in entries]
    return ApiPage(clean, None, well_formed or bool(entries))


def untracked(url: str) -> str:
    """``url`` without Medium's ``source`` tracking parameter."""
    try:
        parts = urlsplit(url)
    except ValueError:  # kept as listed: the spider logs, counts and skips it
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k not in TRACKING_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(kept)))


READERS: dict[str, Callable[[bytes, str], ApiPage]] = {
    "blogger_feed": blogger_page, "substack_archive": substack_page,
    "tumblr_api": tumblr_page, "medium_feed": medium_page}
