"""Post metadata: title, author, taxonomy, language, canonical URL, site name, image.

Each field is read from the most deliberate source first (Open Graph and JSON-LD are written for
machines), then from theme markup, so a theme that renders the byline oddly does not change the
result. Taxonomy links are only read inside the post, never from sidebar widgets.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from archive.extract import jsonld
from archive.extract.dom import (
    Selector,
    attr,
    classes,
    clean,
    css,
    first,
    meta,
    metas,
    only_match,
    select,
    text_of,
    unique,
)
from archive.urls import join_url

POST_CONTAINERS = tuple(css(c) for c in (
    "article.post", "article.type-post", "article.hentry", ".hentry", "div.post",
    "[itemtype*='BlogPosting']", "main article", "article", "main",
))
_SITE_TITLE = css(".site-title, #site-title, .wp-block-site-title, #blog-title, #header h1")
_AUTHOR_BOXES = frozenset(
    {"author-info", "author-bio", "saboxplugin-wrap", "author-box", "elementor-author-box"}
)
_CANONICAL = css('link[rel="canonical"]')
_TITLES = css(".entry-title, .wp-block-post-title, .post-title, .storytitle")
_TITLE, _H1 = css("title"), css("h1")
# core/post-author-name (WordPress 6.2+) and core/post-author's name paragraph (6.1, TT3 1.0).
_BYLINE = css(".byline, .wp-block-post-author-name, .wp-block-post-author__name, .post-author")
_AUTHOR_LINKS = css('a[rel~="author"]')
_AUTHOR_NAME = css(".author .fn, .author-name, .vcard .fn")
_DECORATIONS = css(".tag-hash, [aria-hidden='true']")
_CATEGORY_LINKS = css(".cat-links a, .taxonomy-category a, .post-categories a, "
                      ".entry-taxonomies .category-links a")
_REL_CATEGORY = css('a[rel~="category"]')
_TAG_LINKS = css(".tags-links a, .taxonomy-post_tag a, .post-tags a")
_REL_TAG = css('a[rel~="tag"]')
_CATEGORY_BOXES = frozenset({"cat-links", "category-links", "post-categories", "taxonomy-category"})
_POST_CLASSES = frozenset({"hentry", "type-post", "post"})
_TITLE_SEPARATORS = (" \u2013 ", " \u2014 ", " - ", " | ", " « ", " » ", " · ", " :: ")
_BYLINE_PREFIX = re.compile(r"^(by|von|par|por|door|di|av)\s+", re.IGNORECASE)


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
    return Metadata(
        canonical_url=join_url(url, canonical) if canonical else None,
        title=_title(root, post, art, site),
        author=_author(root, post, graph, art),
        categories=_categories(root, post, art),
        tags=_tags(root, post, art),
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
        text_of(first(root, _TITLE)),
        text_of(first(post, _H1)),
    )
    return next((_strip_site(c, site) for c in candidates if c), None)


def _author(
    root: HtmlElement, post: HtmlElement, graph: list[jsonld.Entity], art: jsonld.Entity
) -> str | None:
    byline = text_of(first(post, _BYLINE))
    candidates = (
        jsonld.name_of(graph, art.get("author")),
        meta(root, "author", "article:author_name"),
        next((text_of(a) for a in select(post, _AUTHOR_LINKS) if not _in_author_box(a)), None),
        text_of(first(post, _AUTHOR_NAME)),
        clean(_BYLINE_PREFIX.sub("", byline)) if byline else None,
    )
    return next((c for c in candidates if c and not c.startswith("http")), None)


def _in_author_box(el: HtmlElement) -> bool:
    """Author boxes link "View all posts by ..." with rel=author; the byline is elsewhere."""
    return any(classes(a) & _AUTHOR_BOXES for a in el.iterancestors())


def _in_categories(el: HtmlElement) -> bool:
    """Kadence and others mark category links ``rel="tag"``; their container says otherwise."""
    boxes = (classes(a) for a in el.iterancestors())
    # The post element itself carries ``category-<slug>`` classes (a category named "links" gives
    # ``category-links``), so only boxes *inside* the post count.
    return any(b & _CATEGORY_BOXES and not b & _POST_CLASSES for b in boxes)


def _link_text(a: HtmlElement) -> str | None:
    """A taxonomy link's name without the decoration some themes print in it (Kadence's ``#``)."""
    if not select(a, _DECORATIONS):
        return text_of(a)
    a = copy.deepcopy(a)
    for el in select(a, _DECORATIONS):
        el.drop_tree()
    return text_of(a)


def _links(post: HtmlElement, selector: Selector) -> list[str]:
    return [t for t in (_link_text(a) for a in select(post, selector)) if t]


def _first_nonempty(*sources: list[str]) -> tuple[str, ...]:
    return next((unique(s) for s in sources if s), ())


def _categories(root: HtmlElement, post: HtmlElement, art: jsonld.Entity) -> tuple[str, ...]:
    return _first_nonempty(
        _links(post, _CATEGORY_LINKS),
        _links(post, _REL_CATEGORY),
        metas(root, "article:section"),
        jsonld.strings(art.get("articleSection")),
    )


def _tags(root: HtmlElement, post: HtmlElement, art: jsonld.Entity) -> tuple[str, ...]:
    rel_tag = [
        t for a in select(post, _REL_TAG)
        if "category" not in (a.get("rel") or "").split() and not _in_categories(a)
        and (t := _link_text(a))
    ]
    return _first_nonempty(
        _links(post, _TAG_LINKS),
        rel_tag,
        metas(root, "article:tag"),
        jsonld.strings(art.get("keywords")),
    )


def _jsonld_image(art: jsonld.Entity) -> str | None:
    image = art.get("image")
    if isinstance(image, list):
        image = image[0] if image else None
    if isinstance(image, dict):
        image = image.get("url")
    return jsonld.text(image)
