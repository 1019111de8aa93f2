"""Is this page a single post? The crawler uses it to decide which pages deserve a text record.

WordPress says so in ``<body class>`` (``single-post``, ``postid-N``; listings carry ``home``,
``blog``, ``archive``...). Other sites are recognised by what they declare (``og:type``, JSON-LD)
or, failing that, by their shape: exactly one dated ``<article>``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lxml import etree
from lxml.html import HtmlElement

from archive.extract import jsonld
from archive.extract.dom import attr, classes, css, first, meta, parse, select
from archive.extract.encoding import decode_html
from archive.urls import join_url

LISTING_CLASSES = frozenset(
    {"home", "blog", "archive", "category", "tag", "date", "paged", "search", "error404", "page",
     "author", "search-results", "search-no-results", "attachment"}
)

_BODY, _ARTICLE, _TIME = css("body"), css("article"), css("time[datetime]")
_POST_DIV, _COMMENTS = css("div.post, div.hentry"), css("#respond, #comments")
_CANONICAL = css('link[rel="canonical"]')
_BODY_TAG = re.compile(r"<body\b", re.IGNORECASE)
# The crawler's post test reads at most this much of a page. What decides is at the top (body
# classes, og:type, JSON-LD, the canonical link, the first <article>); the whole of a 50 MB page of
# 3.5 M elements took 1.6 GB to parse, its first MiB ~35 MB (a crawl of it peaked at 360 MB, all
# processes; 2 MiB: 400 MB). The WARC keeps every byte.
PARSE_MAX_BYTES = 1024 * 1024


def _wordpress_verdict(body_classes: set[str]) -> bool | None:
    """True/False when the body classes decide, None when they say nothing."""
    if "single-post" in body_classes:
        return True
    if "single" in body_classes and any(c.startswith("postid-") for c in body_classes):
        return True
    if body_classes & LISTING_CLASSES:
        return False
    return None


def _declares_article(root: HtmlElement) -> bool:
    graph = jsonld.entities(root)
    main = jsonld.article(graph)
    if main is not None:
        return True
    mains = [e.get("mainEntity") for e in graph]
    return any(isinstance(m, dict) and jsonld.types(m) & jsonld.ARTICLE_TYPES for m in mains)


def post_page(root: HtmlElement) -> bool:
    """Decision on an already parsed tree (see ``is_post_page``)."""
    verdict = _wordpress_verdict(classes(first(root, _BODY)))
    if verdict is not None:
        return verdict
    articles = select(root, _ARTICLE)
    if len(articles) > 1:
        return False
    if (meta(root, "og:type") or "").lower() == "article" or _declares_article(root):
        return True
    if len(articles) == 1 and select(articles[0], _TIME):
        return True
    # Pre-2.8 themes (Kubrick) and Blogger have no body classes: one post div followed by its
    # comment form or comment section.
    single = len(select(root, _POST_DIV)) == 1
    return single and bool(select(root, _COMMENTS))


def is_post_page(html: str | bytes, url: str) -> bool:
    """Whether the page is a single post (not a listing, archive, search or static page).

    ``url`` is accepted for symmetry with ``extract_post`` and future URL rules; the decision is
    currently made from the markup alone.
    """
    del url
    return post_page(root=parse(decode_html(html).text))


class PageKind(NamedTuple):
    is_post: bool
    canonical: str | None  # the declared <link rel=canonical>, absolute (posts only)


def classify_page(html: str | bytes, url: str, encoding: str | None = None,
                  max_bytes: int = PARSE_MAX_BYTES) -> PageKind:
    """``is_post_page`` and the declared canonical URL, as cheaply as possible, for the crawler.

    The crawler used to parse every page twice (lxml here, then parsel for the canonical link),
    and parsel's tree stayed cached on the response while the item waited for an extraction
    worker: with tens of responses waiting, that was the largest part of the crawler's memory.
    Then the one whole-page parse was still 10 % of the crawler's time, so the head and the
    ``<body>`` start tag are parsed first: WordPress decides there (body classes; canonical link in
    the head). Only when they do not decide is the page parsed, up to its first ``max_bytes``.
    Should lxml still fail, the page counts as a post: the extractor records why it has no text,
    where calling it no post would lose it.
    """
    text = decode_html(prefix(html, max_bytes), encoding).text
    try:
        return _classify(text, url)
    except etree.LxmlError:
        return PageKind(True, None)


def prefix(html: str | bytes, limit: int) -> str | bytes:
    """The first ``limit`` bytes of a page, cut before a ``<`` (never inside a character or tag)."""
    if len(html) <= limit:
        return html
    cut = html.rfind(b"<", 0, limit) if isinstance(html, bytes) else html.rfind("<", 0, limit)
    return html[:cut if cut > 0 else limit]


def _classify(text: str, url: str) -> PageKind:
    head = _head_and_body_tag(text)
    if head is not None:
        root = parse(head)
        verdict = _wordpress_verdict(classes(first(root, _BODY)))
        if verdict is not None:
            return _kind(root, url, verdict)
    root = parse(text)
    return _kind(root, url, post_page(root))


def _head_and_body_tag(text: str) -> str | None:
    """The page up to the end of its first ``<body ...>`` tag (None when there is none).

    A ``<body`` inside a head comment or script cuts that comment or script short: the parse then
    finds no body classes, and the caller falls back to the whole page, as it must.
    """
    start = _BODY_TAG.search(text)
    if start is None:
        return None
    end = text.find(">", start.end())
    return text[:end + 1] if end >= 0 else None


def _kind(root: HtmlElement, url: str, is_post: bool) -> PageKind:
    if not is_post:
        return PageKind(False, None)
    declared = attr(root, _CANONICAL, "href")
    return PageKind(True, join_url(url, declared) if declared else None)
