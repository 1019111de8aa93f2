"""CommonMark syntax for ``markdown.py``: escaping page text, and the small pieces it writes.

Page text is text to Markdown, never markup: ``escape`` backslash-escapes every character that could
start emphasis, a link, HTML, an entity or a code span, and ``paragraph`` escapes what would start a
block at the head of a line (``#``, ``>``, ``-``, ``+``, ``=``, ``1.``). Each rule is tested by
rendering page text back through markdown-it (``tests/test_markdown.py``).
"""

from __future__ import annotations

import re

from lxml import etree

from archive.extract import marks

_INLINE_PUNCT = re.compile(r"([\\`*\[\]<~|])")
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^(#|>|[-+=]|\d+(?=[.)](?:\s|$)))")
_CLOSING_HASHES = re.compile(r"(^|\s)(#+)$")


def escape(text: str) -> str:
    """Text that Markdown shows as it is (no emphasis, link, HTML or entity can start in it)."""
    text = _INLINE_PUNCT.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    return _ENTITY.sub(r"\\&", text)


def line_start(line: str) -> str:
    """Escape what would make a line a heading, quote, list item or rule."""
    return _LINE_START.sub(lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit()
                           else "\\" + m.group(1), line)


def link_target(url: str) -> str:
    """A target that stays one link: spaces, brackets and quotes percent-encoded."""
    return "".join(f"%{ord(c):02X}" if c in " ()<>\"\\\n" else c for c in url)


def heading(level: int, text: str) -> str:
    """An ATX heading; a ``#`` run at its end is text, not the closing sequence."""
    text = _CLOSING_HASHES.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return "#" * level + " " + text if text.strip() else ""


def wrap(marker: str, inner: str) -> str:
    """``**x**`` with the spaces moved outside the markers (``** x**`` is not emphasis)."""
    core = inner.strip()
    if not core:
        return inner
    lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
    return f"{lead}{marker}{core}{marker}{trail}"


def code_span(text: str) -> str:
    text = " ".join(text.split("\n"))
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}" if text.strip() else ""


def item_lines(first: str, pad: str, blocks: list[str]) -> list[str]:
    """An item's blocks: the first after its marker, each next one after a blank line, indented."""
    lines: list[str] = []
    for number, block in enumerate(blocks or [""]):
        if number:
            lines.append("")
        for index, line in enumerate(block.split("\n")):
            head = first if number == 0 and index == 0 else pad
            lines.append((head + line).rstrip() if line or head == first else "")
    return lines


def flat(text: str) -> str:
    """One line: hard breaks become spaces (headings, list items, table cells)."""
    return text.replace("\\\n", " ").replace("\n", " ")


def lines(raw: str) -> str:
    lines = (re.sub(r" {2,}", " ", line).strip() for line in raw.split("\n"))
    return "\\\n".join(line for line in lines if line)


def paragraph(text: str) -> str:
    return "\n".join(line_start(line) for line in text.split("\n"))


def code_block(el: etree._Element) -> str:
    """A fenced block, verbatim: indentation and blank lines are meaning in code."""
    text = "".join(str(t) for t in el.itertext()).replace("\r\n", "\n").strip("\n").rstrip()
    text = marks.stray(text)
    fence = "`" * max(3, max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    names = " ".join(c.get("class") or "" for c in el.iter("code")).split()
    language = next((c.split("-", 1)[1] for c in names
                     if c.startswith(("language-", "lang-")) and "-" in c), "")
    return f"{fence}{language}\n{text}\n{fence}"
