"""The post's author, from what the page declares for this post before what it says about the site.

Order, most deliberate first:

1. JSON-LD article ``author`` (object, list, ``@id``): written per post by SEO plugins, Hugo
   themes, jekyll-seo-tag, Ghost, Substack, Medium, unless the visible byline names another.
2. Marked-up authorship inside the post: schema.org microdata (``itemprop=author`` with its
   ``itemprop=name``), the h-entry's ``p-author`` (its h-card's ``p-name``), ``rel=author`` links,
   hCard ``.vcard .fn``, a link to the blog's own ``/author/<name>`` page named like its slug.
3. The visible byline inside the post: ``.byline`` and its kin, then a short line of the post's
   header or meta that reads "By X", "Posted by X", "Written by X" (Hugo's Ananke, Pelican).
4. Page-wide meta: ``<meta name=author>``, ``article:author`` when it is a name (Hexo writes the
   site's author there; Medium a profile URL), Ghost's "Written by" Twitter label.

A visible byline that names someone the JSON-LD author does not is believed over the JSON-LD:
themes fill that from one site-wide setting too (Doks' ``schemaAuthor``, "Henk Verlinde", its
own author, on every post), while a byline printed in the post names this post's writer. Where
they agree the JSON-LD stands (it lists every co-author; a byline may show the first).

Meta comes last because themes fill it from the site's configuration (Hugo's ``params.author``,
Jekyll's ``site.author``, Hexo's ``author``): a byline in the post names this post's writer.
Comment threads, author boxes ("About the author", "View all posts by") and site headers are
never read: their names are not the post's byline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lxml.html import HtmlElement

from archive.extract import jsonld
from archive.extract.dom import Selector, clean, css, meta, metas, select, text_of
from archive.extract.terms import in_chrome, link_path, slug

_MICRODATA = css("[itemprop~='author']")
_MICRODATA_NAME = css("[itemprop~='name']")
_P_AUTHOR = css(".h-entry .p-author, .hentry .p-author")
_P_NAME = css(".p-name, .fn")
_REL_AUTHOR = css('a[rel~="author"]')
_HCARD = css(".author .fn, .vcard .fn, .author-name, .author .name")
_LINKS = css("a[href]")
# core/post-author-name (WordPress 6.2+) and core/post-author's name paragraph (6.1, TT3 1.0).
_BYLINE = css(".byline, .wp-block-post-author-name, .wp-block-post-author__name, .post-author, "
              ".author, .entry-author, .post-byline, .article-author")
_META_LINES = css("header p, header div, header span, header address, footer p, footer address, "
                  "address, .post-meta, .entry-meta, .article-meta, .post-info, .meta")
_BYLINE_PREFIX = re.compile(
    r"^(?:(?:posted|written|published|authored)\s+by|by|von|par|por|door|di|av|author\s*:|"
    r"autor\s*:|auteur\s*:)\s+", re.IGNORECASE)
# Where a name in a byline line ends: a date, a separator, "on"/"in"/"at" and what follows.
_NAME_END = re.compile(r"\s*(?:[|·•,;@(\u2013\u2014]|\s-\s|\s(?:on|in|at)\s|\s\d).*$",
                       re.IGNORECASE | re.DOTALL)
_AUTHOR_PAGES = re.compile(r"/(?:author|authors|contributors|profile|people|@)/?([^/]+)/?$",
                           re.IGNORECASE)
_MAX_NAME = 80
_MAX_WORDS = 6


def read_author(
    root: HtmlElement, post: HtmlElement, graph: list[jsonld.Entity], art: jsonld.Entity
) -> str | None:
    """The post's author (see the module docstring for the order), or None."""
    declared = _jsonld_author(graph, art)
    visible = _visible_author(post)
    if declared and (not visible or _agree(declared, visible)):
        return declared
    return visible or _meta_author(root)


def _agree(declared: str, visible: str) -> bool:
    """One names the other: a byline shows the first co-author, or adds screen-reader words."""
    a, b = declared.casefold(), visible.casefold()
    return a in b or b in a


def _visible_author(post: HtmlElement) -> str | None:
    """The author the post itself marks up or shows (readers 2 and 3 of the module docstring)."""
    readers: tuple[Callable[[], str | None], ...] = (
        lambda: _first(_microdata(post)),
        lambda: _first(_h_card(post)),
        lambda: _first(text_of(a) for a in _own(post, _REL_AUTHOR)),
        lambda: _first(text_of(el) for el in _own(post, _HCARD)),
        lambda: _first(_author_page_links(post)),
        lambda: _first(_byline_name(el) for el in _own(post, _BYLINE)),
        lambda: _first(_prefixed_name(el) for el in _own(post, _META_LINES)),
    )
    return next((found for read in readers if (found := read())), None)


def _name(value: str | None) -> str | None:
    """A person's name as found, or None when it is a URL, empty or a sentence."""
    value = clean(value)
    if not value or value.startswith(("http://", "https://", "/")) or len(value) > _MAX_NAME:
        return None
    return value


def _first(values: Iterator[str | None] | list[str | None]) -> str | None:
    return next((n for n in (_name(v) for v in values) if n), None)


def _jsonld_author(graph: list[jsonld.Entity], art: jsonld.Entity) -> str | None:
    """Every author of the article (Substack and news sites list several), joined by commas."""
    value = art.get("author")
    values = value if isinstance(value, list) else [value]
    names = [n for n in (_name(jsonld.name_of(graph, v)) for v in values if v) if n]
    return ", ".join(dict.fromkeys(names)) or None


def _own(post: HtmlElement, selector: Selector) -> Iterator[HtmlElement]:
    """Elements of ``post`` matching ``selector`` that belong to the post, not its chrome."""
    return (el for el in select(post, selector) if not in_chrome(el, post))


def _microdata(post: HtmlElement) -> Iterator[str | None]:
    """``itemprop=author``: its ``itemprop=name``, a ``<meta content>``, else its own text."""
    for el in _own(post, _MICRODATA):
        names = select(el, _MICRODATA_NAME)
        if names:
            yield names[0].get("content") or text_of(names[0])
        elif el.tag in ("meta", "link"):
            yield el.get("content")
        else:
            yield text_of(el)


def _h_card(post: HtmlElement) -> Iterator[str | None]:
    for el in _own(post, _P_AUTHOR):
        names = select(el, _P_NAME)
        yield text_of(names[0]) if names else text_of(el)


def _author_page_links(post: HtmlElement) -> Iterator[str | None]:
    """A link to the blog's page of an author (``/author/grace-hopper.html``), named as its slug."""
    for a in _own(post, _LINKS):
        found = _AUTHOR_PAGES.search(link_path(a.get("href") or ""))
        text = text_of(a)
        if found and text and _squash(text) == _squash(found.group(1).removesuffix(".html")):
            yield text


def _squash(name: str) -> str:
    """``Grace Hopper``, ``grace-hopper`` and ``gracehopper`` alike (Medium's ``/@gracehopper``)."""
    return slug(name).replace("-", "")


def _byline_name(el: HtmlElement) -> str | None:
    """A byline element's name: "By Jane Doe · 3 min read" -> "Jane Doe"."""
    text = text_of(el)
    if not text:
        return None
    rest = _BYLINE_PREFIX.sub("", text)
    return _plausible(_NAME_END.sub("", rest) if rest != text else rest)


def _prefixed_name(el: HtmlElement) -> str | None:
    """A short meta line of the post that starts "By ...": the element after "By", else the text.

    Ananke prints ``<p>By <strong>Name</strong></p>``; Pelican ``<address>By <a>Name</a>``."""
    lead = clean(el.text) or ""
    if not _BYLINE_PREFIX.match(lead + " ") or len(text_of(el) or "") > _MAX_NAME + 30:
        return None
    rest = _BYLINE_PREFIX.sub("", lead + " ").strip()
    return _plausible(text_of(el[0]) if not rest and len(el) else _NAME_END.sub("", rest))


def _plausible(name: str | None) -> str | None:
    """Visible text read as a name only when it reads like one: a few words, not a sentence."""
    name = clean(name)
    if not name or len(name.split()) > _MAX_WORDS or name.endswith((".", ":", "!", "?")):
        return None
    return name


def _meta_author(root: HtmlElement) -> str | None:
    candidates = [meta(root, "author", "article:author_name"), *metas(root, "article:author")]
    if (meta(root, "twitter:label1") or "").casefold() == "written by":
        candidates.append(meta(root, "twitter:data1"))  # Ghost
    return _first(iter(candidates))
