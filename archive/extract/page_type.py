"""Is this page a single post? The crawler uses it to decide which pages deserve a text record.

A post is one dated entry of the blog, and the page must say so. In order, the first that speaks
decides:

1. the engine's own word, where the page shows which engine made it (``engines``): WordPress and
   Ghost body classes, Blogger's view data;
2. the page's declared kind when it is no article: ``og:type`` website or profile, a JSON-LD
   ``AboutPage``/``CollectionPage``... without a JSON-LD article (``listing``), or a "not found"
   title;
3. its entries (``evidence``): several full entries, or only teasers of other pages, is a listing;
4. an archive, pagination or search URL (``listing.archive_url``), unless a JSON-LD article names
   the page itself (a date archive that links to pages dated inside it is a listing even then);
5. a declared post signal (``evidence``): JSON-LD article, ``og:type`` article with a publication
   time, the one dated ``h-entry``/microdata/``<article>``, one post ``div`` with its comments;
6. only for a page the blog's inventory listed (feed item, sitemap, API: ``listed``), a dated
   single-content layout: no entry markup, one ``<time>``;
7. whatever signal 5 or 6 found, a page the site's navigation links to as itself is a menu page
   (About, Contact: ``listing.menu_page``), never a post.

How strict for a page found by following links: everything but the last rule. Such a page can be
anything the site links to (About, a tag page, a project page), and only the page's declared
markup separates a post from those; the bare layout (one date on the page) is trusted only where
the blog itself listed the page as an entry. Undated pages are never posts, listed or not (About,
Contact): a date is a machine-readable one or a visible dateline with a year. Two exceptions keep
what the old rules kept: a JSON-LD article that gives no date at all, and one post ``div`` with
its comment section (old WordPress themes and classic Blogger print the date outside the post).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lxml import etree
from lxml.html import HtmlElement

from archive.extract import engines, evidence, jsonld, listing
from archive.extract.dom import attr, css, parse
from archive.extract.encoding import decode_html
from archive.extract.engines import Verdict
from archive.urls import join_url

_CANONICAL = css('link[rel="canonical"]')
_BODY_TAG = re.compile(r"<body\b", re.IGNORECASE)
_LD_JSON = re.compile(r"ld\+json", re.IGNORECASE)
# The crawler's post test reads at most this much of a page. What decides is at the top (body
# classes, og:type, JSON-LD, the canonical link, the first <article>); the whole of a 50 MB page of
# 3.5 M elements took 1.6 GB to parse, its first MiB ~35 MB (a crawl of it peaked at 360 MB, all
# processes; 2 MiB: 400 MB). The WARC keeps every byte.
PARSE_MAX_BYTES = 1024 * 1024


def _not_article(root: HtmlElement, graph: list[jsonld.Entity]) -> Verdict | None:
    declared = listing.declared_not_article(root, graph)
    return Verdict(False, declared) if declared else None


def decide(root: HtmlElement, url: str, listed: bool) -> Verdict:
    """The verdict on an already parsed page, with the evidence that decided it."""
    verdict = engines.head_verdict(root) or engines.blogger_verdict(root)
    if verdict is not None:
        return verdict
    graph = jsonld.entities(root)
    verdict = _not_article(root, graph)
    if verdict is not None:
        return verdict
    if listing.not_found_page(root):
        return Verdict(False, "not-found")
    page = evidence.Page.of(root, url)
    found = evidence.entries(root, page, url)
    if found.listing or evidence.several_articles(graph, url):
        return Verdict(False, "listing")
    archive = listing.archive_url(url)
    if archive and (not evidence.json_ld_names(graph, page, url)
                    or listing.date_archive_lists(root, page, url)):
        return Verdict(False, archive)
    signal = (evidence.article_declared(graph, root)
              or evidence.entry_signal(root, found, page, url, evidence.page_dated(root, graph)))
    if signal is None and listed and evidence.dated_layout(root, found, page, url):
        signal = "dated-layout"
    if signal is not None and listing.menu_page(root, page, url):
        return Verdict(False, "menu-page")
    return Verdict(signal is not None, signal or "no-post-signal")


def post_page(root: HtmlElement, url: str, listed: bool) -> bool:
    """Decision on an already parsed tree (see ``is_post_page``)."""
    return decide(root, url, listed).is_post


def is_post_page(html: str | bytes, url: str, listed: bool = True) -> bool:
    """Whether the page is a single post (not a listing, archive, search, static or 404 page).

    ``listed``: an inventory of the blog (feed, sitemap, API) lists the page. The archive's
    readers (rebuild, re-extraction, verify) do not know which inventory listed a page, so they
    give every page the benefit of it: the only rule that depends on it (a dated single-content
    layout) never accepts an undated page, a listing or a page its engine calls no post.
    """
    return post_page(parse(decode_html(html).text), url, listed)


class PageKind(NamedTuple):
    is_post: bool
    canonical: str | None  # the declared <link rel=canonical>, absolute (posts only)
    reason: str = ""  # the evidence that decided (``decide``): counted by the crawler


def classify_page(html: str | bytes, url: str, encoding: str | None = None, *, listed: bool,
                  max_bytes: int = PARSE_MAX_BYTES) -> PageKind:
    """``is_post_page`` and the declared canonical URL, as cheaply as possible, for the crawler.

    The crawler used to parse every page twice (lxml here, then parsel for the canonical link),
    and parsel's tree stayed cached on the response while the item waited for an extraction
    worker: with tens of responses waiting, that was the largest part of the crawler's memory.
    Then the one whole-page parse was still 10 % of the crawler's time, so the head and the
    ``<body>`` start tag are parsed first: WordPress and Ghost decide there (body classes), and so
    does a page that declares itself no article (``og:type`` website: Hugo, Hexo, Jekyll and
    Ghost listings). Only when they do not decide is the page parsed, up to its first
    ``max_bytes``. Should lxml still fail, the page counts as a post: the extractor records why
    it has no text, where calling it no post would lose it.
    """
    text = decode_html(prefix(html, max_bytes), encoding).text
    try:
        return _classify(text, url, listed)
    except etree.LxmlError:
        return PageKind(True, None, "unparsable")


def prefix(html: str | bytes, limit: int) -> str | bytes:
    """The first ``limit`` bytes of a page, cut before a ``<`` (never inside a character or tag)."""
    if len(html) <= limit:
        return html
    cut = html.rfind(b"<", 0, limit) if isinstance(html, bytes) else html.rfind("<", 0, limit)
    return html[:cut if cut > 0 else limit]


def _classify(text: str, url: str, listed: bool) -> PageKind:
    head = _head_and_body_tag(text)
    if head is not None:
        root = parse(head)
        verdict = engines.head_verdict(root)
        # A non-article declaration decides here unless the body may hold a JSON-LD article.
        if verdict is None and _LD_JSON.search(text, len(head)) is None:
            verdict = _not_article(root, jsonld.entities(root))
        if verdict is not None:
            return kind_of(root, url, verdict)
    root = parse(text)
    return kind_of(root, url, decide(root, url, listed))


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


def kind_of(root: HtmlElement, url: str, verdict: Verdict) -> PageKind:
    if not verdict.is_post:
        return PageKind(False, None, verdict.reason)
    declared = attr(root, _CANONICAL, "href")
    return PageKind(True, join_url(url, declared) if declared else None, verdict.reason)
