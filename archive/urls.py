"""URL rules shared by the crawler and the reader: one canonical form per post, and WordPress traps.

A post is reachable under many URLs (tracking parameters, fragments, ``?p=ID``, comment pages). The
archive keys posts by one canonical form so a post is fetched and stored once, and the reader can look
a post up by any of the URLs a user pastes.

A URL Python cannot parse (a port out of range, a broken IPv6 host) raises ``BadURL`` here, where
URLs are split, so a caller reading a list skips that one entry (logged and counted) and goes on.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga", "ref_src",
})
TRACKING_PREFIXES = ("utm_",)

# Query keys that turn one post into endless variants or into actions (WordPress and Jetpack).
TRAP_PARAMS = frozenset({
    "replytocom", "share", "like_comment", "like", "nb", "preview", "action", "redirect_to",
    "unapproved", "moderation-hash", "amp", "print", "m", "doing_wp_cron", "s",
})
_TRAP_PATH = re.compile(
    r"""(?ix)
    /wp-login\.php | /wp-admin(/|$) | /xmlrpc\.php | /wp-json/oembed/ | /wp-signup\.php
    | /wp-trackback\.php | /wp-comments-post\.php
    | /[^/]+/(feed|embed|amp|trackback)/?$        # per-post feed, embed, AMP and trackback twins
    | /comment-page-\d+/?$ | /comments/feed/?$
    | /(\d{4}/){1,2}\d{1,2}/page/\d{3,}            # deep calendar pagination
    | /page/\d{4,}/?$                              # absurd pagination
    """
)


class BadURL(ValueError):
    """A URL that cannot be parsed; the message names the URL and what is wrong with it."""


def split_url(url: str) -> SplitResult:
    """``urlsplit``, checked at once: a bad port or IPv6 host raises ``BadURL`` here, not later
    wherever ``.port`` happens to be read first."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port
    except ValueError as error:
        raise BadURL(f"{url!r}: {error}") from None
    return parts


def join_url(base: str, href: str) -> str:
    """``urljoin``; a ``href`` that cannot be parsed comes back as written, so the caller's
    ``canonical_url`` rejects it (``BadURL``) where it can be logged and counted."""
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return href


def canonical_url(url: str) -> str:
    """Drop the fragment, tracking parameters and default ports; lower-case scheme and host.

    Raises ``BadURL`` for a URL that cannot be parsed."""
    parts = split_url(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else (
        f"{host}:{port}")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def web_url(url: str) -> str:
    """``canonical_url`` of a URL a crawler can request (absolute, http or https, with a host);
    ``BadURL`` for anything else (``javascript:``, a relative sitemap ``<loc>``, ``http:///x``)."""
    canonical = canonical_url(url)
    parts = urlsplit(canonical)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadURL(f"{url!r}: not an absolute http(s) URL")
    return canonical


def is_trap(url: str) -> bool:
    """True for URLs a blog crawler must never request: actions, duplicates and endless loops."""
    parts = urlsplit(url)
    keys = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if keys & TRAP_PARAMS:
        return True
    return bool(_TRAP_PATH.search(parts.path))


def site_of(url: str) -> str:
    """The crawl scope a URL belongs to: its host and port (each blog is one site)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def post_key(fetched_url: str, declared: str | None, sites: Collection[str] | None = None) -> str:
    """The key a post is archived under: its declared ``<link rel=canonical>`` when that stays
    within the crawl's sites (default: the fetched URL's own site), else the fetched URL (also
    when the declared one cannot be parsed)."""
    try:
        url = canonical_url(declared) if declared else None
    except BadURL:
        url = None
    if url and site_of(url) in (sites if sites is not None else {site_of(fetched_url)}):
        return url
    return canonical_url(fetched_url)


def url_key(url: str) -> str:
    """One form per URL as the crawler fetched it: percent-encoded as Scrapy sends it, lower-case
    scheme and host, no default port, no fragment, sorted query (a URL a page names and the
    WARC-Target-URI it was captured under compare equal)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    if port and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((parts.scheme.lower(), host, path, query, ""))


def home_url(raw: str) -> str:
    """A blog's home page as ``-a url=`` reads it: https:// when no scheme is given, canonical.

    Raises ``BadURL`` naming the value."""
    url = raw.strip()
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadURL(f"{raw!r} is not an http(s) URL, e.g. https://example.org/")
    return canonical_url(url)
