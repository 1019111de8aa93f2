"""trafilatura's XML body (``bare_extraction(...).body``) as plain text that keeps its structure.

trafilatura finds and cleans the text; this module only writes its output tree out, because the
blank-line paragraph convention of the archive cannot be recovered from trafilatura's ``txt``
output (it separates paragraphs and ``<br>`` line breaks alike with one newline). The conventions
are listed in the package docstring.
"""

from __future__ import annotations

import re

from lxml import etree

from archive.extract import marks

_BLOCKS = frozenset({"p", "head", "list", "table", "quote", "code", "div", "graphic", "item"})
_SPACES = re.compile(r"[ \t\r\f\v]+")


def _is_element(node: object) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def _lines(raw: str) -> str:
    """Collapse spaces inside each line; empty lines go (``<lb/>`` is a line break, not a gap)."""
    lines = (_SPACES.sub(" ", line).strip() for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def _inline_parts(el: etree._Element, parts: list[str]) -> None:
    for child in el:
        if _is_element(child) and child.tag == "lb":
            parts.append("\n")
        elif _is_element(child) and child.tag != "graphic":
            parts.append((child.text or "").replace("\n", " "))
            _inline_parts(child, parts)
        parts.append((child.tail or "").replace("\n", " "))


def inline(el: etree._Element) -> str:
    """Text of a paragraph-like element, with ``<lb/>`` as its only line breaks."""
    parts = [(el.text or "").replace("\n", " ")]
    _inline_parts(el, parts)
    return _lines("".join(parts))


def _list(el: etree._Element, depth: int) -> list[str]:
    """``- item`` or ``1. item`` lines; nested lists are indented by two spaces a level."""
    lines: list[str] = []
    ordered = el.get("rend") == "ol"
    items = [c for c in el if _is_element(c) and c.tag == "item"]
    texts = [" ".join(b.replace("\n", " ") for b in blocks(item, skip=frozenset({"list"})))
             for item in items]
    start = marks.LIST_START.match(texts[0]) if texts else None
    first = int(start.group(1)) if start else 1
    for number, (item, text) in enumerate(zip(items, texts, strict=True), start=first):
        text = marks.NOTE_MARK.sub("", marks.LIST_START.sub("", text))  # the number says both
        marker = f"{number}." if ordered else "-"
        nested = [c for c in item if _is_element(c) and c.tag == "list"]
        if text:
            lines.append(f"{'  ' * depth}{marker} {text}")
        for sub in nested:
            lines.extend(_list(sub, depth + 1))
    return lines


def _table(el: etree._Element) -> str:
    rows = (
        " | ".join(" ".join(blocks(c)).replace("\n", " ") for c in row if c.tag == "cell")
        for row in el.iter("row")
    )
    return "\n".join(r for r in rows if r.strip(" |"))


def _code(el: etree._Element) -> str:
    """Code verbatim: indentation and blank lines are meaning there."""
    return "".join(str(t) for t in el.itertext()).replace("\r\n", "\n").strip("\n").rstrip()


def _block(el: etree._Element) -> list[str]:
    tag = el.tag
    if tag in ("p", "head"):
        return [inline(el)]
    if tag == "list":
        return ["\n".join(_list(el, 0))]
    if tag == "table":
        return [_table(el)]
    if tag == "code":
        return [_code(el)]
    if tag == "graphic":
        return []
    return blocks(el)


def blocks(el: etree._Element, skip: frozenset[str] = frozenset()) -> list[str]:
    """Text blocks of an element mixing inline text and block children (``skip``: ignored tags)."""
    found: list[str] = []
    run: list[str] = [(el.text or "").replace("\n", " ")]
    for child in el:
        if _is_element(child) and child.tag in skip:
            pass
        elif _is_element(child) and child.tag in _BLOCKS:
            found.append(_lines("".join(run)))
            found.extend(_block(child))
            run = []
        elif _is_element(child):
            holder = ["\n" if child.tag == "lb" else (child.text or "").replace("\n", " ")]
            _inline_parts(child, holder)
            run.extend(holder)
        run.append((child.tail or "").replace("\n", " "))
    found.append(_lines("".join(run)))
    return [b for b in found if b.strip()]


def render(body: etree._Element) -> str:
    """trafilatura's XML body as blocks separated by one blank line, marks read as text."""
    return marks.plain("\n\n".join(blocks(body)))
