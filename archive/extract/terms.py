"""Categories and tags as the post shows them, on any engine, and never a generator's section.

What the post shows comes first, in this order for each of categories and tags:

1. links in a theme's taxonomy box (WordPress ``.cat-links``, ``.tags-links``; Hexo's
   ``.article-category``, ``.article-tag-list``; PaperMod's ``.post-tags``);
2. ``rel="category"`` and ``rel="tag"`` links (WordPress, Blogger labels, Hexo);
3. links to the blog's own taxonomy pages (``/categories/x/``, ``/category/x.html``, ``/tags/x/``,
   ``/tag/x``, ``/search/label/x``) whose text names the term of the URL, in a short meta line
   of the post, not in a sentence (Hugo themes, Pelican, Eleventy, Ghost, Medium);
4. links after a visible label ("Tags:", "Labels:", "Categories:", "Filed under"): all the links
   of a short line, or the run of links right after the label in a longer one ("Posted in
   <a>Notes</a> on <date> by <a>Author</a>", Doks).

Then what the page declares for machines: ``article:tag``, Pelican's ``<meta name=tags>``,
microdata and JSON-LD ``keywords`` for tags; ``article:section`` and JSON-LD ``articleSection``
for categories. A declared tag list wins over the visible one only when it holds every visible
tag and more (Ghost shows the primary tag, declares all of them).

A section is dropped when it is the generator's content section, not a category: Hugo writes
``article:section`` "posts" for every page under ``content/posts/``. The evidence is that it
equals the URL's first path segment, or the name of a listing the page links to (breadcrumb,
menu), while no link on the page treats it as a taxonomy term.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import unquote, urlsplit

from lxml.html import HtmlElement

from archive.extract import jsonld
from archive.extract.dom import (
    Selector,
    classes,
    clean,
    css,
    metas,
    select,
    text_of,
    unique,
)

_CATEGORY_LINKS = css(".cat-links a, .taxonomy-category a, .post-categories a, "
                      ".entry-taxonomies .category-links a, .article-category a")
_TAG_LINKS = css(".tags-links a, .taxonomy-post_tag a, .post-tags a, .article-tag-list a")
_REL_CATEGORY, _REL_TAG = css('a[rel~="category"]'), css('a[rel~="tag"]')
_LINKS = css("a[href]")
_KEYWORDS = css("[itemprop~='keywords']")
_DECORATIONS = css(".tag-hash, [aria-hidden='true']")
_CATEGORY_BOXES = frozenset({"cat-links", "category-links", "post-categories", "taxonomy-category"})
_POST_CLASSES = frozenset({"hentry", "type-post", "post"})
_BLOCKS = frozenset({"p", "li", "dd", "div", "footer", "header", "section", "td", "address", "ul"})
_SEPARATOR = re.compile(r"[,;/|&\u00b7]?|and|und|et|y", re.IGNORECASE)
_MAX_LABEL_TEXT = 40  # text of a meta line besides its links: "Tags:", "Filed under", commas
_CHROME_CLASSES = frozenset({
    "author-info", "author-bio", "saboxplugin-wrap", "author-box", "elementor-author-box",
    "comment", "comments", "comment-list", "commentlist", "comments-area", "comment-body",
    "comment-author", "comment-meta", "widget", "sidebar", "site-header", "site-footer",
    "related", "related-posts", "jp-relatedposts", "navigation", "post-navigation", "paginav",
})
_CHROME_IDS = frozenset({"comments", "respond", "sidebar", "secondary", "site-header", "footer"})
_CHROME_TAGS = frozenset({"nav"})
_TERM = r"(?:[^/?#]+/)*([^/?#]+?)(?:\.html?)?/?$"
_CATEGORY_PATH = re.compile(r"/(?:categories|category|kategorie|categorie|categoria|rubrique)/"
                            + _TERM, re.IGNORECASE)
_TAG_PATH = re.compile(r"/(?:tags|tag|tagged|labels?|search/label|schlagwort|etiqueta)/" + _TERM,
                       re.IGNORECASE)
_CATEGORY_LABEL = re.compile(
    r"^(?:categor(?:y|ies)|filed under|posted in|kategorien?|cat[ée]gories?|categor[ií]as?|"
    r"rubriques?)\s*:?$", re.IGNORECASE)
_TAG_LABEL = re.compile(
    r"^(?:tags?|tagged(?: with| as)?|labels?|keywords|schlagw(?:ö|oe)rter|schlagworte|"
    r"[ée]tiquettes?|etiquetas?|mots-cl[ée]s)\s*:?$", re.IGNORECASE)


def slug(text: str) -> str:
    """A term as engines spell it in URLs: ``Field notes`` -> ``field-notes``, ``Cafés`` -> ``cafes``."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "-", plain.casefold()).strip("-")


def link_path(href: str) -> str:
    """The decoded path of a link (``/tags/%E6%97%A5%E6%9C%AC/`` -> ``/tags/日本/``)."""
    try:
        return unquote(urlsplit(href).path)
    except ValueError:
        return ""


def taxonomy_link(a: HtmlElement) -> bool:
    """A link to a taxonomy page of the blog: ``rel=tag``/``category`` or a tag/category URL."""
    rel = set((a.get("rel") or "").split())
    path = link_path(a.get("href") or "")
    return bool(rel & {"tag", "category"}) or bool(_TAG_PATH.search(path) or _CATEGORY_PATH.search(path))


def link_text(a: HtmlElement) -> str | None:
    """A taxonomy link's name without the decoration some themes print in it (Kadence's ``#``)."""
    hidden = select(a, _DECORATIONS)
    if not hidden:
        return text_of(a)
    if hidden[0] is a:
        return None  # the whole link is decoration
    a = copy.deepcopy(a)
    for el in select(a, _DECORATIONS):
        el.drop_tree()
    return text_of(a)


def read_terms(
    root: HtmlElement, post: HtmlElement, art: jsonld.Entity, url: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(categories, tags) of the post in ``post`` (see the module docstring). Each visible source
    is read only when the ones before it found nothing."""
    links = select(post, _LINKS)
    categories = _choose((
        lambda: _names(post, _CATEGORY_LINKS),
        lambda: _names(post, _REL_CATEGORY),
        lambda: _taxonomy(post, links, _CATEGORY_PATH),
        lambda: _labelled(post, links, _CATEGORY_LABEL),
    ), _sections(root, art, url))
    tags = _choose((
        lambda: _names(post, _TAG_LINKS),
        lambda: _rel_tags(post),
        lambda: _taxonomy(post, links, _TAG_PATH),
        lambda: _labelled(post, links, _TAG_LABEL),
    ), _declared_tags(root, post, art), exclude=categories)
    return categories, tags


def _choose(
    visible: Iterable[Callable[[], list[str]]], declared: list[str], exclude: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The first visible list; the declared one when nothing is visible, or when it holds every
    visible term and more (terms already read as categories do not count)."""
    shown = next((unique(found) for read in visible if (found := read())), ())
    said = tuple(t for t in unique(declared) if t.casefold() not in {e.casefold() for e in exclude})
    if not shown:
        return said
    folded = {t.casefold() for t in said}
    return said if len(said) > len(shown) and all(t.casefold() in folded for t in shown) else shown


def in_chrome(el: HtmlElement, post: HtmlElement) -> bool:
    """Inside a comment thread, an author box, a widget, navigation or the site's header, within
    ``post`` (Blogger wraps every post in a ``widget``: what is around the post does not count)."""
    for up in (el, *el.iterancestors()):
        if up is post:
            return False
        if (classes(up) & _CHROME_CLASSES or up.get("id") in _CHROME_IDS
                or up.tag in _CHROME_TAGS or up.get("role") in ("navigation", "banner")):
            return True
    return False


def _names(post: HtmlElement, selector: Selector) -> list[str]:
    return [t for a in select(post, selector) if not in_chrome(a, post) and (t := link_text(a))]


def _in_category_box(el: HtmlElement) -> bool:
    """Kadence and others mark category links ``rel="tag"``; their container says otherwise."""
    boxes = (classes(a) for a in el.iterancestors())
    # The post element itself carries ``category-<slug>`` classes (a category named "links" gives
    # ``category-links``), so only boxes *inside* the post count.
    return any(b & _CATEGORY_BOXES and not b & _POST_CLASSES for b in boxes)


def _rel_tags(post: HtmlElement) -> list[str]:
    return [
        t for a in select(post, _REL_TAG)
        if "category" not in (a.get("rel") or "").split() and not _in_category_box(a)
        and not _CATEGORY_PATH.search(link_path(a.get("href") or "")) and not in_chrome(a, post)
        and (t := link_text(a))
    ]


def _names_term(a: HtmlElement, pattern: re.Pattern[str]) -> str | None:
    """The link's text when the link goes to that term's taxonomy page."""
    found = pattern.search(link_path(a.get("href") or ""))
    text = link_text(a) if found else None  # a selector per link: only for taxonomy paths
    return text if found and text and slug(text) == slug(found.group(1)) else None


def _meta_line(block: HtmlElement) -> bool:
    """A short line of links ("Tags: a, b"), not a sentence: little text besides its links."""
    words = len(text_of(block) or "") - sum(len(text_of(x) or "") for x in select(block, _LINKS))
    return words <= _MAX_LABEL_TEXT


def _block(a: HtmlElement) -> HtmlElement | None:
    return next((up for up in a.iterancestors() if up.tag in _BLOCKS), None)


def _taxonomy(post: HtmlElement, links: list[HtmlElement], pattern: re.Pattern[str]) -> list[str]:
    """Links to taxonomy pages in short meta lines; a line counts once one of its links is named
    as its URL's term (Pelican writes 日本 as ``/tag/ri-ben.html``: its neighbours vouch for it)."""
    lines: dict[HtmlElement, list[HtmlElement]] = {}
    for a in links:
        if pattern.search(link_path(a.get("href") or "")) and (block := _block(a)) is not None:
            lines.setdefault(block, []).append(a)
    vouched = (line for block, line in lines.items()
               if any(_names_term(a, pattern) for a in line)
               and _meta_line(block) and not in_chrome(block, post))
    return [t for line in vouched for a in line if (t := link_text(a))]


def _label(el: HtmlElement) -> str | None:
    """The label an element starts with: its own leading text, or a first child without links."""
    lead = clean(el.text)
    if lead:
        return lead
    head = el[0] if len(el) else None
    if head is None or head.tag == "a" or len(head) or not isinstance(head.tag, str):
        return None
    return clean(head.text)


def _labelled(post: HtmlElement, links: list[HtmlElement], label: re.Pattern[str]) -> list[str]:
    """Links after a visible label ("Tags: a, b"): the label starts the link's parent, or an
    ancestor up to three levels up (``<div><span>Tags:</span><ul><li><a>``)."""
    seen: set[HtmlElement] = set()
    for a in links:
        for up in list(a.iterancestors())[:3]:
            if up is post:
                break
            if up in seen:
                continue
            seen.add(up)
            name = _label(up)
            if not (name and len(name) <= _MAX_LABEL_TEXT and label.match(name)) \
                    or in_chrome(up, post):
                continue
            if _meta_line(up):
                return [t for x in select(up, _LINKS) if (t := link_text(x))]
            if run := _run_after(up):
                return run
    return []


def _run_after(el: HtmlElement) -> list[str]:
    """The links right after a label that starts a longer line, up to the first words that are
    no separator: Doks' "Posted in <a>Notes</a>, <a>Writing</a> on <date> by <a>Author</a>"."""
    found: list[str] = []
    for child in el if clean(el.text) else []:
        if child.tag != "a" or not (name := link_text(child)):
            break
        found.append(name)
        if not _SEPARATOR.fullmatch(clean(child.tail) or ""):
            break
    return found


def _declared_tags(root: HtmlElement, post: HtmlElement, art: jsonld.Entity) -> list[str]:
    keywords = list(_microdata_keywords(root, post))
    for found in (metas(root, "article:tag"), metas(root, "tags"), keywords,
                  jsonld.strings(art.get("keywords"))):
        if found:
            return found
    return []


def _microdata_keywords(root: HtmlElement, post: HtmlElement) -> Iterator[str]:
    """``itemprop=keywords`` of the post, or in ``<head>``: a ``<meta content="a,b,">`` (Hugo) or
    a list of links (Hexo; its sidebar's tag cloud carries the same itemprop, and is not read)."""
    head = root.find("head")
    found = [*select(head, _KEYWORDS)] if head is not None else []
    for el in found + [el for el in select(post, _KEYWORDS) if not in_chrome(el, post)]:
        links = select(el, _LINKS)
        if links:
            yield from (t for a in links if (t := link_text(a)))
        else:
            yield from jsonld.strings(el.get("content") or text_of(el) or "")


def _sections(root: HtmlElement, art: jsonld.Entity, url: str) -> list[str]:
    values = metas(root, "article:section") + jsonld.strings(art.get("articleSection"))
    if not values:
        return []
    listings = _listing_names(root, url)
    terms = {slug(t) for a in select(root, _LINKS) if (t := _names_term(a, _CATEGORY_PATH))}
    return [v for v in values if slug(v) in terms or slug(v) not in listings]


def _listing_names(root: HtmlElement, url: str) -> set[str]:
    """Slugs that name the site's content sections rather than categories: the URL's first path
    segment, and the names of links to a top-level listing (``<a href="/posts/">Posts</a>``)."""
    segments = [s for s in link_path(url).split("/") if s]
    names = {slug(segments[0])} if len(segments) > 1 else set()
    for a in select(root, _LINKS):
        parts = [s for s in link_path(a.get("href") or "").split("/") if s]
        text = text_of(a)
        if len(parts) == 1 and text and slug(text) == slug(parts[0]):
            names.add(slug(text))
    return names
