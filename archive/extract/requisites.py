"""What a captured page needs to replay as it looked (page requisites), and what its post links to.

Read from the markup browsers and the real themes and lazy-load plugins use: ``img src``, ``srcset``
split as browsers split it (a comma inside a URL is part of the URL), ``<picture><source>``, the
lazy-load attributes of WordPress, Jetpack and common plugins (``data-src``, ``data-srcset``,
``data-lazy-src``, ``data-orig-file``...), ``<noscript><img>``, Substack's ``data-attrs`` JSON,
``video``/``audio`` sources and posters, stylesheets, scripts, icons, and ``url()`` in ``style``
attributes and ``<style>`` blocks (``archive/extract/cssurls.py``). Attachments are the links a post
body makes to files (PDF, office documents, images, audio, video).

Pure functions over a parsed tree: the crawler asks them for a page it has captured, ``verify``
asks them for a page it reads back from a WARC, so both agree on what a page needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from archive.extract.cssurls import css_urls, is_font
from archive.urls import join_url

IMAGE, STYLESHEET, SCRIPT, ICON, MEDIA, FONT, ATTACHMENT = (
    "image", "stylesheet", "script", "icon", "media", "font", "attachment")

LAZY_SOURCES = ("data-src", "data-lazy-src", "data-orig-file", "data-large-file", "data-original",
                "data-full-url", "data-medium-file")
LAZY_SRCSETS = ("data-srcset", "data-lazy-srcset")
ICON_RELS = frozenset({"icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed",
                       "mask-icon"})
ATTACHMENT_TYPES = frozenset({
    "pdf", "doc", "docx", "odt", "rtf", "xls", "xlsx", "ods", "csv", "ppt", "pptx", "odp", "epub",
    "zip", "jpg", "jpeg", "png", "gif", "webp", "avif", "svg", "tif", "tiff", "mp3", "m4a", "ogg",
    "oga", "wav", "flac", "mp4", "m4v", "webm", "mov", "ogv"})


@dataclass(frozen=True)
class Requisite:
    url: str
    kind: str  # IMAGE, STYLESHEET, SCRIPT, ICON, MEDIA, FONT or ATTACHMENT


def page_requisites(root: HtmlElement, base_url: str) -> list[Requisite]:
    """Every resource the page loads, each URL once, in document order (absolute http(s) URLs)."""
    return _unique(_base(root, base_url), _references(root))


def attachments(body: HtmlElement, base_url: str, types: frozenset[str] = ATTACHMENT_TYPES
                ) -> list[Requisite]:
    """Files the post body links to (``<a href=...pdf>``), by their extension, each URL once."""
    seen: set[str] = set()
    found: list[Requisite] = []
    for anchor in body.iter("a"):
        url = _absolute(base_url, anchor.get("href") or "")
        if url is None or url in seen:
            continue
        extension = urlsplit(url).path.rsplit("/", 1)[-1].rpartition(".")[2].lower()
        if extension in types:
            seen.add(url)
            found.append(Requisite(url, ATTACHMENT))
    return found


def stylesheet_requisites(css: str, css_url: str) -> list[Requisite]:
    """What a captured stylesheet loads: imported stylesheets, fonts and images, relative to it."""
    return _unique(css_url, _css_references(css))


def _unique(base: str, references: Iterable[tuple[str, str]]) -> list[Requisite]:
    """Absolute http(s) URLs, each once, in the order they are named."""
    seen: set[str] = set()
    found: list[Requisite] = []
    for raw, kind in references:
        url = _absolute(base, raw)
        if url is not None and url not in seen:
            seen.add(url)
            found.append(Requisite(url, kind))
    return found


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset``, split as the HTML standard says (not at every comma)."""
    return [url for url, _ in srcset_candidates(value)]


def srcset_candidates(value: str) -> list[tuple[str, str]]:
    """``(url, descriptor)`` pairs of a ``srcset``, split as the HTML standard says.

    A candidate is a URL up to the first whitespace (a comma inside it stays: ``a,b.jpg 2x`` is
    one URL), then an optional descriptor (``2x``, ``640w``) up to the next comma.
    """
    found: list[tuple[str, str]] = []
    position, length = 0, len(value)
    while position < length:
        while position < length and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < length and not value[position].isspace():
            position += 1
        url, descriptor_start = value[start:position], position
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            while position < length and value[position] != ",":
                position += 1
        if url:
            found.append((url, value[descriptor_start:position].strip()))
    return found


def _references(root: HtmlElement) -> Iterator[tuple[str, str]]:
    yield from _links(root)
    for element in root.iter("img", "source", "video", "audio", "track", "input", "embed"):
        yield from _element_sources(element)
    for noscript in root.iter("noscript"):
        yield from _noscript_images(noscript)
    for element in root.iter("script"):
        if element.get("src"):
            yield element.get("src", ""), SCRIPT
    for element in root.iter("style"):
        yield from _css_references(element.text or "")
    for element in root.xpath("//*[@style]"):
        yield from _css_references(element.get("style", ""))
    for element in root.xpath("//*[@data-attrs]"):
        yield from _substack_image(element.get("data-attrs", ""))
    for element in root.xpath("//*[@background]"):
        yield element.get("background", ""), IMAGE


def _css_references(css: str) -> Iterator[tuple[str, str]]:
    for url, is_import in css_urls(css):
        yield url, STYLESHEET if is_import else FONT if is_font(url) else IMAGE


def _links(root: HtmlElement) -> Iterator[tuple[str, str]]:
    for link in root.iter("link"):
        rels = set((link.get("rel") or "").lower().split())
        href = link.get("href") or ""
        if "stylesheet" in rels:
            yield href, STYLESHEET
        elif rels & ICON_RELS:
            yield href, ICON
        elif "preload" in rels or "modulepreload" in rels:
            kind = {"style": STYLESHEET, "script": SCRIPT, "font": FONT, "image": IMAGE}
            yield href, kind.get((link.get("as") or "").lower(), SCRIPT)


def _element_sources(element: HtmlElement) -> Iterator[tuple[str, str]]:
    tag = element.tag
    kind = MEDIA if tag in ("video", "audio", "track", "embed") else IMAGE
    if tag == "source" and element.getparent() is not None and element.getparent().tag in (
            "video", "audio"):
        kind = MEDIA
    if tag == "input" and (element.get("type") or "").lower() != "image":
        return
    for name in ("src", *LAZY_SOURCES):
        if element.get(name):
            yield element.get(name, ""), kind
    for name in ("srcset", *LAZY_SRCSETS):
        for url in srcset_urls(element.get(name) or ""):
            yield url, IMAGE
    if element.get("poster"):
        yield element.get("poster", ""), IMAGE


def _noscript_images(noscript: HtmlElement) -> Iterator[tuple[str, str]]:
    """Lazy-load plugins put the real ``<img>`` in ``<noscript>``; lxml keeps it as text."""
    from lxml import html as lxml_html

    text = noscript.text or ""
    if "<img" not in text.lower():
        return
    try:
        fragment = lxml_html.fragment_fromstring(text, create_parent="div")
    except (ValueError, TypeError):
        return
    for image in fragment.iter("img"):
        yield from _element_sources(image)


def _substack_image(value: str) -> Iterator[tuple[str, str]]:
    try:
        data = json.loads(value)
    except ValueError:
        return
    if isinstance(data, dict) and isinstance(data.get("src"), str):
        yield data["src"], IMAGE


def _base(root: HtmlElement, page_url: str) -> str:
    for base in root.iter("base"):
        if base.get("href"):
            return join_url(page_url, base.get("href", ""))
    return page_url


def _absolute(base: str, raw: str) -> str | None:
    raw = raw.strip()
    if not raw or raw.startswith(("data:", "javascript:", "#", "about:", "blob:", "mailto:")):
        return None
    url = join_url(base, raw).split("#", 1)[0]
    return url if urlsplit(url).scheme in ("http", "https") else None
