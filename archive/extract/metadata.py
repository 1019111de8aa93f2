"""Post metadata: title, author, taxonomy, language, canonical URL, site name, image.

Each field is read from the most deliberate source first (Open Graph and JSON-LD are written for
machines), then from theme markup, so a theme that renders the byline oddly does not change the
result. The author (``authors.py``) and the categories and tags (``terms.py``) have their own
modules: they are read from the post's own markup on any engine, never from sidebar widgets.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml.html import HtmlElement

from archive.extract import jsonld
from archive.extract.authors import read_author
from archive.extract.dom import attr, clean, css, first, meta, only_match, select, text_of
from archive.extract.terms import read_terms
from archive.urls import join_url

POST_CONTAINERS = tuple(css(c) for c in (
    "article.post", "article.type-post", "article.hentry", ".hentry", "div.post",
    "[itemtype*='BlogPosting']", "main article", "article", "main",
))
_SITE_TITLE = css(".site-title, #site-title, .wp-block-site-title, #blog-title, #header h1")
_CANONICAL = css('link[rel="canonical"]')
_TITLES = css(".entry-title, .wp-block-post-title, .post-title, .storytitle")
_TITLE, _H1, _HEADINGS = css("title"), css("h1"), css("h1, h2")
_TITLE_SEPARATORS = (" \u2013 ", " \u2014 ", " - ", " | ", " « ", " » ", " · ", " :: ")


@dataclass(frozen=True)
class Metadata:
    canonical_url: str | None
    title: str | None
    author: str | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    language: str | None
    site_name: str | None
    image: str | None


def post_root(root: HtmlElement) -> HtmlElement:
    """The element holding the single post (falls back to the whole document)."""
    found = only_match(root, POST_CONTAINERS)
    return root if found is None else found


def read_metadata(
    root: HtmlElement, post: HtmlElement, graph: list[jsonld.Entity], url: str
) -> Metadata:
    """All metadata fields of one page (``post``: see ``post_root``; ``graph``: its JSON-LD)."""
    art = jsonld.article(graph) or {}
    site = _site_name(root, graph, art)
    canonical = attr(root, _CANONICAL, "href")
    image = meta(root, "og:image", "twitter:image") or _jsonld_image(art)
    categories, tags = read_terms(root, post, art, url)
    return Metadata(
        canonical_url=join_url(url, canonical) if canonical else None,
        title=_title(root, post, art, site),
        author=read_author(root, post, graph, art),
        categories=categories,
        tags=tags,
        language=language(root),
        site_name=site,
        image=join_url(url, image) if image else None,
    )


def language(root: HtmlElement) -> str | None:
    """``<html lang>``, else ``og:locale`` (``de_DE`` -> ``de-DE``)."""
    lang = clean(root.get("lang") or root.get("xml:lang"))
    if lang:
        return lang
    locale = meta(root, "og:locale")
    return locale.replace("_", "-") if locale else None


def _site_name(root: HtmlElement, graph: list[jsonld.Entity], art: jsonld.Entity) -> str | None:
    site = meta(root, "og:site_name") or jsonld.name_of(graph, art.get("publisher"))
    if site:
        return site
    website = next((e for e in graph if "WebSite" in jsonld.types(e)), {})
    # Without an SEO plugin WordPress declares no site name; the header's site title is the name.
    return jsonld.text(website.get("name")) or text_of(first(root, _SITE_TITLE))


def _strip_site(title: str | None, site: str | None) -> str | None:
    """``"Post - Site"`` -> ``"Post"``, only when the suffix really is the site's name."""
    if not title or not site:
        return title
    for sep in _TITLE_SEPARATORS:
        if title.endswith(sep + site):
            return title[: -len(sep + site)].strip() or title
    return title


def _title(
    root: HtmlElement, post: HtmlElement, art: jsonld.Entity, site: str | None
) -> str | None:
    candidates = (
        meta(root, "og:title"),
        jsonld.text(art.get("headline")),
        text_of(first(post, _TITLES)),
        _heading_side(text_of(first(root, _TITLE)), post),
        text_of(first(post, _H1)),
    )
    return next((_strip_site(c, site) for c in candidates if c), None)


def _heading_side(title: str | None, post: HtmlElement) -> str | None:
    """``"Site - Post"`` -> ``"Post"`` when the post's heading says which side is the post's
    (Pelican's simple theme declares no site name and puts it first)."""
    if not title:
        return None
    headings = {t for el in select(post, _HEADINGS) if (t := text_of(el))}
    for sep in _TITLE_SEPARATORS:
        head, found, tail = title.partition(sep)
        if found and (side := tail if tail in headings else head if head in headings else None):
            return side
    return title


def _jsonld_image(art: jsonld.Entity) -> str | None:
    image = art.get("image")
    if isinstance(image, list):
        image = image[0] if image else None
    if isinstance(image, dict):
        image = image.get("url")
    return jsonld.text(image)
