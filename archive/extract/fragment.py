"""A small piece of HTML (a reader comment) in trafilatura's XML vocabulary.

``markdown.py`` and ``render.py`` write trafilatura's output tree (``p``, ``head``, ``quote``,
``list``/``item``, ``code``, ``table``/``row``/``cell``, ``ref target``, ``hi rend``, ``del``,
``lb``); a comment converted into the same vocabulary is escaped and laid out by exactly the rules
of the post body, and its plain text is derived from the same tree as its Markdown. trafilatura
itself is not run on comments: it would cost a whole extraction per comment (a page holds
hundreds) and it judges a one-line comment as boilerplate.

Paragraphs follow the body's conventions: a block element (``p``, ``div``...) ends a paragraph,
one ``<br>`` is a line break, two or more start a new paragraph (Blogger writes comments so).
Chrome is removed by the caller (``comments.py``), before conversion.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from archive.extract import marks
from archive.extract.dom import append_text

_INLINE = {
    "a": ("ref", None), "b": ("hi", "#b"), "strong": ("hi", "#b"), "i": ("hi", "#i"),
    "em": ("hi", "#i"), "cite": ("hi", "#i"), "code": ("hi", "#t"), "kbd": ("hi", "#t"),
    "samp": ("hi", "#t"), "tt": ("hi", "#t"), "del": ("del", None), "s": ("del", None),
    "strike": ("del", None),
}
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PARAGRAPHS = frozenset({"p", "div", "section", "article", "header", "footer", "address", "center",
                         "figure", "figcaption", "dl", "dt", "dd", "hr", "main", "aside"})
_SKIP = frozenset({"script", "style", "noscript", "form", "button", "input", "select", "textarea",
                   "iframe", "svg", "template", "object", "embed", "video", "audio", "canvas"})
_EMOJI = frozenset({"wp-smiley", "emoji"})
# Past this many nested elements the rest is taken as plain text: real comments nest a few levels,
# and a hostile page nesting thousands would exhaust Python's recursion (the writers recurse too).
MAX_DEPTH = 50


def _emoji(el: HtmlElement) -> str:
    """WordPress turns ``:)`` into an image whose alt text is the emoji: that is the comment."""
    return (el.get("alt") or "") if set((el.get("class") or "").split()) & _EMOJI else ""


def _inline(src: HtmlElement, dst: etree._Element, depth: int) -> None:
    """``src``'s children as inline markup inside ``dst`` (unknown tags give their text)."""
    for child in src:
        _one(child, dst, depth + 1)
        append_text(dst, child.tail)


def _one(el: HtmlElement, dst: etree._Element, depth: int) -> None:
    """One inline element (without its tail) appended to ``dst``."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if depth > MAX_DEPTH:
        append_text(dst, el.text_content() if tag and tag not in _SKIP else "")
    elif tag == "br":
        etree.SubElement(dst, "lb")
    elif tag == "img":
        append_text(dst, _emoji(el))
    elif tag in _INLINE:
        name, rend = _INLINE[tag]
        sub = etree.SubElement(dst, name)
        if rend:
            sub.set("rend", rend)
        if tag == "a":
            sub.set("target", el.get("href") or "")
        sub.text = el.text
        _inline(el, sub, depth)
    elif tag and tag not in _SKIP:
        append_text(dst, el.text)
        _inline(el, dst, depth)


class _Flow:
    """Fills one container (the body, a quote, a list item, a cell) with blocks, inline runs
    gathered into paragraphs."""

    def __init__(self, out: etree._Element) -> None:
        self.out = out
        self.para: etree._Element | None = None
        self.breaks = 0

    def text(self, text: str | None) -> None:
        if text and text.strip():
            self._pending()
            append_text(self._paragraph(), text)
        elif text and self.para is not None and not self.breaks:
            append_text(self.para, text)

    def inline(self, el: HtmlElement, depth: int) -> None:
        self._pending()
        _one(el, self._paragraph(), depth)

    def end(self) -> None:
        """Close the open paragraph (a block follows, or the container ends)."""
        self.para, self.breaks = None, 0

    def _paragraph(self) -> etree._Element:
        if self.para is None:
            self.para = etree.SubElement(self.out, "p")
        return self.para

    def _pending(self) -> None:
        """Breaks before new content: two or more end the paragraph, one is a line break."""
        if self.breaks >= 2:
            self.end()
        elif self.breaks == 1 and self.para is not None:
            etree.SubElement(self.para, "lb")
        self.breaks = 0


def fill(src: HtmlElement, out: etree._Element, depth: int = 0) -> None:
    """Convert the children of ``src`` into blocks of ``out``."""
    flow = _Flow(out)
    if depth > MAX_DEPTH:
        flow.text(src.text_content())
        return
    flow.text(src.text)
    for child in list(src):
        tail = child.tail
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br" and flow.para is not None:
            flow.breaks += 1
        elif tag == "br":
            pass  # a break before any text
        elif tag in _PARAGRAPHS:
            flow.end()
            fill(child, out, depth + 1)
        elif tag in _HEADINGS or tag in ("blockquote", "ul", "ol", "pre", "table"):
            flow.end()
            _block(child, out, depth + 1)
        elif tag and tag not in _SKIP:
            flow.inline(child, depth + 1)
        flow.text(tail)
    flow.end()


def _block(src: HtmlElement, out: etree._Element, depth: int) -> None:
    tag = src.tag
    if tag in _HEADINGS:
        head = etree.SubElement(out, "head", rend=tag)
        head.text = src.text
        _inline(src, head, depth)
    elif tag == "blockquote":
        fill(src, etree.SubElement(out, "quote"), depth)
    elif tag == "pre":
        etree.SubElement(out, "code").text = src.text_content()
    elif tag == "table":
        table = etree.SubElement(out, "table")
        for tr in src.iter("tr"):
            row = etree.SubElement(table, "row")
            for td in (c for c in tr if c.tag in ("td", "th")):
                fill(td, etree.SubElement(row, "cell"), depth + 1)
    else:
        _list(src, out, depth)


def _list(src: HtmlElement, out: etree._Element, depth: int) -> None:
    listing = etree.SubElement(out, "list", rend=src.tag)
    for li in (c for c in src if isinstance(c.tag, str)):
        fill(li, etree.SubElement(listing, "item"), depth + 1)
    start = src.get("start") or ""
    first = listing[0] if len(listing) else None
    if src.tag == "ol" and start.isdigit() and first is not None and len(first) \
            and first[0].tag == "p":  # the start number, marked as ``structure.py`` marks it
        first[0].text = f"{marks.START}{int(start)}{marks.START}" + (first[0].text or "")


def to_xml(containers: list[HtmlElement]) -> etree._Element:
    """One ``<body>`` holding the blocks of every container, in order."""
    body = etree.Element("body")
    for container in containers:
        fill(container, body)
    return body
