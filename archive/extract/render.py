"""A post container (already pruned of chrome) as plain text that keeps the author's structure.

Used when the theme tells us where the post is (``.entry-content`` and friends). There nothing is
left to *find*, only to *render*, and trafilatura's boilerplate heuristics can only lose text there:
it flattens short posts into one paragraph (below ``MIN_EXTRACTED_SIZE``), drops one-link posts
(link density), drops figure captions and blockquote citations, and strips code indentation.

Conventions (the fixture sidecars are written to them):

- blocks (paragraphs, headings, captions, list, table, code) are separated by one blank line;
- ``<br>`` is a line break; two in a row start a new paragraph (Blogger-style posts have no ``<p>``);
- lists are one item a line, ``- item`` or ``1. item``, nested items indented by two spaces;
- table rows are one line each, cells joined by `` | ``;
- ``<pre>`` is kept verbatim (indentation is meaning in code and poetry);
- captions (``figcaption``, ``.wp-caption-text``) are kept: the author wrote them; ``alt`` is not;
- no-break spaces are kept, other runs of whitespace become one space.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "ul",
})
_LEAF_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "summary", "dt",
                          "dd", "address"})
_SKIP = frozenset({"img", "svg", "button", "input", "select", "textarea", "video", "audio", "iframe",
                   "object", "embed", "canvas", "map", "picture", "source", "track", "noscript",
                   "script", "style", "template"})
_LISTS = frozenset({"ul", "ol"})
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_BREAK = "\u2028"  # stands for <br> while whitespace is collapsed


def _is_element(node: object) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def _inline_parts(el: HtmlElement, parts: list[str]) -> None:
    """Text of ``el``'s descendants in document order; ``<br>`` becomes a break marker."""
    for child in el:
        if _is_element(child):
            if child.tag == "br":
                parts.append(_BREAK)
            elif child.tag not in _SKIP:
                if child.text:
                    parts.append(child.text)
                _inline_parts(child, parts)
        if child.tail:
            parts.append(child.tail)


def _paragraphs(raw: str) -> list[str]:
    """Collapse whitespace; single breaks stay line breaks, double breaks split paragraphs."""
    lines = [_SPACES.sub(" ", line).strip() for line in raw.split(_BREAK)]
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return ["\n".join(p) for p in paragraphs if p]


def inline_text(el: HtmlElement) -> list[str]:
    """Paragraphs of a leaf block (a ``<p>``, a heading, a caption)."""
    parts = [el.text or ""]
    _inline_parts(el, parts)
    return _paragraphs("".join(parts))


def _list(el: HtmlElement, depth: int) -> list[str]:
    lines: list[str] = []
    number = int(el.get("start") or 1) if (el.get("start") or "1").isdigit() else 1
    for item in (c for c in el if _is_element(c) and c.tag == "li"):
        marker = f"{number}." if el.tag == "ol" else "-"
        number += 1
        nested = [c for c in item if _is_element(c) and c.tag in ("ul", "ol")]
        text = " ".join(p.replace("\n", " ") for p in _container_blocks(item, _LISTS))
        if text:
            lines.append(f"{'  ' * depth}{marker} {text}")
        for sub in nested:
            lines.extend(_list(sub, depth + 1))
    return lines


def _table(el: HtmlElement) -> str:
    rows = []
    for row in el.iter("tr"):
        cells = [" ".join(inline_text(c)).replace("\n", " ") for c in row if c.tag in ("td", "th")]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _pre(el: HtmlElement) -> str:
    text = "".join(el.itertext()).replace("\r\n", "\n")
    return text.strip("\n").rstrip()


def _block(el: HtmlElement) -> list[str]:
    """Text blocks of one block-level element."""
    tag = el.tag
    if tag in _LEAF_BLOCKS:
        return inline_text(el)
    if tag in ("ul", "ol"):
        return ["\n".join(_list(el, 0))]
    if tag == "table":
        return [_table(el)]
    if tag == "pre":
        return [_pre(el)]
    if tag == "hr":
        return []
    return _container_blocks(el)


def _container_blocks(el: HtmlElement, exclude: frozenset[str] = frozenset()) -> list[str]:
    """Blocks of an element that may mix inline runs and block children (``exclude``: skipped)."""
    blocks: list[str] = []
    run: list[str] = [el.text or ""]
    for child in el:
        if _is_element(child) and child.tag in exclude:
            run.append(child.tail or "")
            continue
        if _is_element(child) and child.tag in _BLOCK:
            blocks.extend(_paragraphs("".join(run)))
            blocks.extend(_block(child))
            run = [child.tail or ""]
            continue
        if _is_element(child):
            if child.tag == "br":
                run.append(_BREAK)
            elif child.tag not in _SKIP:
                run.append(child.text or "")
                _inline_parts(child, run)
        run.append(child.tail or "")
    blocks.extend(_paragraphs("".join(run)))
    return [b for b in blocks if b.strip()]


def render_container(el: HtmlElement) -> str:
    """Plain text of a pruned post container, blocks separated by a blank line."""
    return "\n\n".join(_container_blocks(el))
