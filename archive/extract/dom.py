"""Parsing and small DOM helpers shared by the metadata, date, comment and body readers.

Every reader works on the same lxml tree parsed once from the decoded text. CSS selectors are
compiled once, at import, into module constants (``css(...)``): compiling one costs more than
running it, and a page runs a few hundred of them. Nothing is cached at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from lxml import html as lxml_html
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from archive.extract.simplecss import SimpleSelector, compile_css

Selector = SimpleSelector | CSSSelector

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def parse(text: str) -> HtmlElement:
    """Parse decoded HTML into a document tree (always with ``<html>``/``<body>``)."""
    text = _XML_DECLARATION.sub("", text, count=1)
    # huge_tree: without it libxml2 stops at 256 nesting levels and drops the rest of the page;
    # the size of what is parsed is bounded by its callers (EXTRACT_MAX_HTML_BYTES, PARSE_MAX_BYTES).
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, huge_tree=True)
    if not text.strip():
        text = "<html><body></body></html>"
    return lxml_html.document_fromstring(text.encode("utf-8"), parser=parser)


# ``<meta property|name=KEY>``: one compiled XPath with the key as a variable, for any key.
_META = etree.XPath("//meta[@property=$key or @name=$key]")


def css(expression: str) -> Selector:
    """A compiled selector; call at import time and keep it in a module constant.

    Groups of simple selectors are matched in one Python pass (``simplecss``), others by lxml.
    """
    return compile_css(expression)


def select(root: HtmlElement, selector: Selector) -> list[HtmlElement]:
    """Elements matching a compiled CSS selector, in document order."""
    found = selector(root)
    return [el for el in found if isinstance(el, HtmlElement)] if isinstance(found, list) else []


def first(root: HtmlElement, selector: Selector) -> HtmlElement | None:
    found = select(root, selector)
    return found[0] if found else None


def only_match(root: HtmlElement, selectors: Iterable[Selector]) -> HtmlElement | None:
    """The element of the first selector that matches exactly once: a theme's one container.

    A selector that matches several elements (a listing) is passed over, not trusted.
    """
    for selector in selectors:
        found = select(root, selector)
        if len(found) == 1:
            return found[0]
    return None


def clean(value: str | None) -> str | None:
    """Collapse whitespace; empty strings become None so callers can chain ``or``."""
    if value is None:
        return None
    collapsed = _SPACES.sub(" ", value).strip()
    return collapsed or None


def text_of(el: HtmlElement | None) -> str | None:
    return clean(el.text_content()) if el is not None else None


def attr(root: HtmlElement, selector: Selector, name: str) -> str | None:
    """The first non-empty attribute value among the elements matching ``selector``."""
    for el in select(root, selector):
        value = clean(el.get(name))
        if value:
            return value
    return None


def meta(root: HtmlElement, *keys: str) -> str | None:
    """Content of the first ``<meta property|name=KEY>`` found, trying keys in order."""
    for key in keys:
        value = next((v for v in metas(root, key)), None)
        if value:
            return value
    return None


def metas(root: HtmlElement, key: str) -> list[str]:
    """All contents of a repeatable meta (``article:tag`` appears once per tag)."""
    found = _META(root, key=key)
    elements = found if isinstance(found, list) else []
    return [v for v in (clean(el.get("content")) for el in elements if isinstance(el, HtmlElement)) if v]


def append_text(el: etree._Element, text: str | None) -> None:
    """Add ``text`` at the end of ``el``'s content (after its last child, as that child's tail)."""
    if not text:
        return
    if len(el):
        el[-1].tail = (el[-1].tail or "") + text
    else:
        el.text = (el.text or "") + text


def classes(el: HtmlElement | None) -> set[str]:
    return set((el.get("class") or "").split()) if el is not None else set()


def unique(values: list[str]) -> tuple[str, ...]:
    """Dedupe case-insensitively, keeping the first spelling and the page's order."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return tuple(kept)
