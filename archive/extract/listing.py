"""Pages that are never posts, on any engine: archives, pagination, search, static and 404 pages.

What a page says it is outranks what its markup looks like, because themes reuse one article
template everywhere: Hugo marks every regular page ``og:type`` article (About too), Hexo's
landscape renders About as a dated ``h-entry`` with BlogPosting microdata, Ghost gives a static
page a JSON-LD ``Article`` with a publication date. What each of them does get right is the page
kind it declares:

- ``og:type`` ``website`` or ``profile``: Ghost (every context but a post), Hugo's internal
  template (list pages), Hexo's ``open_graph`` (every page but a post), jekyll-seo-tag (pages
  without a date) all say so;
- a JSON-LD page type that is not an article (``AboutPage``, ``CollectionPage``, ``ProfilePage``,
  ``SearchResultsPage``...);

either of them only when no JSON-LD article is declared beside it.

A page the site's own navigation links to as itself is a static page (About, Contact, Projects):
themes put pages in the main menu and posts in sections, and mark the current menu item (Hugo's
starter theme ``aria-current="page"``, Doks ``active``). It is the one generalising mark on those
two Hugo themes, whose About pages otherwise look like posts: the starter theme prints About with
its ``<time>`` and nothing else (no Open Graph, no JSON-LD), Doks declares ``og:type`` article
with ``article:published_time`` on every page, and Hugo's default feed and sitemap list About
beside the posts. Breadcrumbs (which may link the page itself) and in-page links (a table of
contents, "skip to content") are no menu.

The URL is the last resort: tag, category, label, author and date archives, ``/page/N/``,
``/pageN/``, ``indexN.html`` and search. It vetoes the markup's signals but not a JSON-LD
article that names the page itself, so a post that really lives under ``/archive/`` is kept.
A date archive (``/2021/``, ``/2021/01/``, ``/2021/01/15/``: nothing after the date) that links
to pages dated inside it is a listing even then: jekyll-archives' year and month pages declare a
``BlogPosting`` naming themselves (jekyll-seo-tag). WordPress posts live one segment deeper
(``/2021/01/15/slug/``), so their URL is no date archive at all.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from lxml import etree
from lxml.html import HtmlElement

from archive.extract import jsonld
from archive.extract.dom import css, first, meta, select, text_of
from archive.extract.evidence import Page, declared_article, page_key
from archive.urls import BadURL, join_url, split_url

NOT_ARTICLE_OG_TYPES = frozenset({"website", "profile", "blog"})
PAGE_TYPES = frozenset(
    {"AboutPage", "ContactPage", "CollectionPage", "ProfilePage", "SearchResultsPage",
     "ItemList", "CheckoutPage", "FAQPage", "QAPage", "MediaGallery", "ImageGallery"})
TAXONOMY_SEGMENTS = frozenset(
    {"tag", "tags", "category", "categories", "label", "labels", "tagged", "author", "authors",
     "archive", "archives"})
_PAGINATION_TAIL = re.compile(r"(/page/?\d+|/index\d+\.html?)/?$", re.IGNORECASE)
_DATE_TAIL = re.compile(r"/(19|20)\d\d(/(0?[1-9]|1[0-2])(/(0?[1-9]|[12]\d|3[01]))?)?/?$")
_LINKS = etree.XPath("//a/@href")
_MENU_LINKS = etree.XPath(
    "//*[self::nav or @role='navigation']//a[@href]"
    "[not(ancestor-or-self::*[contains(translate(concat(@class, ' ', @aria-label, ' ', @id),"
    " 'BREADCRUMB', 'breadcrumb'), 'breadcrumb')])]/@href")
_PAGE_QUERY = frozenset({"page", "paged"})
_SEARCH_QUERY = frozenset({"s", "q", "query", "search"})
_NOT_FOUND = re.compile(
    r"""(?ix)^\W*(
      (error\s*)?404(\s*error)?(\W+(page\s+)?not\s+found)?
    | ((page|content|nothing)\s+)?not\s+found
    | oops!?\W+that\s+page\s+can.t\s+be\s+found
    )\W*$""")
_TITLE, _H1 = css("title"), css("h1")
_TITLE_SEPARATORS = re.compile(r"\s+[|\u2013\u2014:-]\s+|\s+\u00b7\s+")


def declared_not_article(root: HtmlElement, graph: list[jsonld.Entity]) -> str | None:
    """Why the page's own metadata says it is no article (None when it does not say so).

    A JSON-LD article outweighs ``og:type`` website: sites do write website on their posts
    (a Django blog of trafilatura's test pages), and Ghost, whose static pages carry both, says
    what they are in its body classes first."""
    if declared_article(graph) is not None:
        return None
    og_type = (meta(root, "og:type") or "").strip().lower()
    if og_type in NOT_ARTICLE_OG_TYPES:
        return f"og-type-{og_type}"
    kinds = {t for entity in graph for t in jsonld.types(entity)}
    return "json-ld-page-type" if kinds & PAGE_TYPES else None


def archive_url(url: str) -> str | None:
    """``pagination``, ``search``, ``taxonomy`` or ``date-archive`` when the URL is one of those."""
    try:
        parts = split_url(url)
    except BadURL:
        return None
    query = {key.lower(): value for key, value in parse_qsl(parts.query)}
    if _SEARCH_QUERY & query.keys():
        return "search"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    paged = _PAGINATION_TAIL.search(path)
    if paged or any(query.get(key, "").isdigit() for key in _PAGE_QUERY):
        return "pagination"
    segments = [s.lower().removesuffix(".html") for s in path.split("/") if s]
    if segments[:1] == ["search"]:
        return "search"
    for index, segment in enumerate(segments):
        if segment in TAXONOMY_SEGMENTS and len(segments) - index - 1 <= 2:
            return "taxonomy"
    return "date-archive" if _DATE_TAIL.search(path) else None


def menu_page(root: HtmlElement, page: Page, url: str) -> bool:
    """The site's navigation links to this very page (not the home page, not a fragment)."""
    try:
        if not split_url(url).path.strip("/"):
            return False
    except BadURL:
        return False
    hrefs = _MENU_LINKS(root)
    for href in hrefs if isinstance(hrefs, list) else []:
        text = str(href).strip()
        if text and "#" not in text and page_key(join_url(url, text)) in page.keys:
            return True
    return False


def date_archive_lists(root: HtmlElement, page: Page, url: str) -> bool:
    """A date-archive URL whose page links to another page of the site dated inside it (the
    link's path holds the archive's date and more): a year, month or day listing."""
    try:
        path = re.sub(r"/{2,}", "/", split_url(url).path or "/")
    except BadURL:
        return False
    tail = _DATE_TAIL.search(path)
    if tail is None:
        return False
    date = tail.group().rstrip("/") + "/"
    hrefs = _LINKS(root)
    for href in hrefs if isinstance(hrefs, list) else []:
        target = join_url(url, str(href))
        if not page.is_other_page(url, str(href)):
            continue
        try:
            linked = split_url(target).path or "/"
        except BadURL:
            continue
        _, found, rest = linked.partition(date)
        if found and rest.strip("/"):
            return True
    return False


def not_found_page(root: HtmlElement) -> bool:
    """A soft 404: the title (without the site name) or a top heading says "not found" (any
    ``<h1>``: the first is often the site's name, as in the Eleventy base blog v5's header)."""
    title = text_of(first(root, _TITLE)) or ""
    headings = [text_of(h1) or "" for h1 in select(root, _H1)]
    parts = [*_TITLE_SEPARATORS.split(title), title, *headings]
    return any(_NOT_FOUND.match(part) for part in parts if part)
