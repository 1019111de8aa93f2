"""The markup of a generated page that decides whether it is a post and what its metadata are.

A failing check quotes these so the fixer sees the page's own signals without opening it: body
classes, ``og:type`` and ``article:*``, JSON-LD types with their dates, authors and keywords,
microdata item types, microformats (``h-entry``, ``p-author``, ``dt-published``, ``h-card``),
``<article>`` and ``<time>`` elements, bylines, and the links to tag and category pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml.html import HtmlElement

TAXONOMY = re.compile(r"/(tags?|categor(y|ies)|topics?)/")
BYLINE = re.compile(r"author|byline|post-meta|entry-footer|tracked")
MICROFORMATS = re.compile(r"\b(h-entry|h-card|p-author|dt-published|p-category|e-content)\b")


def _short(text: str | None, size: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[:size] + "..."


def _tag(el: HtmlElement) -> str:
    """``<time class=... datetime=...>text</time>`` with the attributes that matter, shortened."""
    attrs = " ".join(f'{k}="{_short(v, 60)}"' for k, v in el.attrib.items()
                     if k in ("class", "datetime", "itemprop", "itemtype", "rel", "href", "title"))
    return f"<{el.tag}{' ' + attrs if attrs else ''}>{_short(el.text_content(), 50)}</{el.tag}>"


def _jsonld(root: HtmlElement) -> Iterator[str]:
    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            yield "(invalid JSON)"
            continue
        for item in data if isinstance(data, list) else data.get("@graph", [data]):
            yield _jsonld_item(item)


def _jsonld_item(item: dict[str, Any]) -> str:
    keep = {k: item[k] for k in ("datePublished", "author", "keywords", "articleSection") if k in item}
    author = keep.get("author")
    if isinstance(author, dict):
        keep["author"] = author.get("name")
    return f"{item.get('@type')} {json.dumps(keep, ensure_ascii=False)}" if keep else str(item.get("@type"))


def _meta(root: HtmlElement, *names: str) -> list[str]:
    found = []
    for el in root.iter("meta"):
        name = el.get("property") or el.get("name") or el.get("itemprop") or ""
        if any(name == n or (n.endswith(":") and name.startswith(n)) for n in names):
            found.append(f"{name}={_short(el.get('content'), 60)}")
    return found


def signals(html: str) -> dict[str, list[str]]:
    """Every signal, by name; an absent signal is an empty list."""
    root = lxml.html.fromstring(html)
    body = root.find("body")
    classes = [el for el in root.iter()
               if isinstance(el.tag, str) and MICROFORMATS.search(el.get("class", ""))]
    return {
        "generator": _meta(root, "generator"),
        "body class": [repr(body.get("class", ""))] if body is not None else [],
        "og:type": _meta(root, "og:type"), "og:title": _meta(root, "og:title"),
        "article:": _meta(root, "article:"),
        "meta author": _meta(root, "author"),
        "keywords": _meta(root, "keywords"),
        "dates": _meta(root, "datePublished", "dateModified"),
        "json-ld": list(_jsonld(root)),
        "itemtype": sorted({el.get("itemtype", "") for el in root.iter() if el.get("itemtype")}),
        "h-entry": [_tag(el) for el in classes][:6],
        "h-card": [_tag(el) for el in classes if "h-card" in el.get("class", "")],
        "article": [_tag(el)[:80] for el in root.iter("article")],
        "time": [_tag(el) for el in root.iter("time")] or [
            _tag(el) for el in root.xpath("//*[contains(@class, 'meta')]//*[@title]")],
        "h1": [_short(el.text_content()) for el in root.iter("h1")],
        "byline": [_tag(el) for el in root.iter() if isinstance(el.tag, str)
                   and BYLINE.search(el.get("class", "")) and el.tag not in ("article", "body")][:4],
        "taxonomy links": [_tag(a) for a in root.iter("a")
                           if TAXONOMY.search(a.get("href", "")) or a.get("rel") == "tag"][:8],
    }


KIND_TAGS = {"heading": ("h1", "h2", "h3", "h4", "h5", "h6"), "list item": ("li",),
             "quote": ("blockquote",), "table cell": ("td", "th"), "code": ("pre", "code")}


def markup(html: str, kind: str, text: str) -> str:
    """The generated element of one kind that holds ``text`` (its first line), shortened: what the
    extractor had to turn into Markdown."""
    first = " ".join(text.split("\n")[0].split())
    root = lxml.html.fromstring(html)
    for el in root.iter(*KIND_TAGS.get(kind, ())):
        if first and first in " ".join(el.text_content().split()):
            return _short(lxml.html.tostring(el, encoding="unicode", with_tail=False), 260)
    return "(not found in the page)"
