"""Structure recall: how much of a post's structure a Markdown reading copy keeps, element by element.

Both sides are read alike, as HTML: the source is the post's HTML (WordPress's own
``content.rendered``, or a fixture page), the reading copy is Markdown parsed by a CommonMark parser
(markdown-it-py with GFM tables and footnotes, raw HTML off, as the readers render it). ``items``
lists what a reader would call the structure of each, as keys that say *where* the text is:

=============  ============================================================================
heading        ``h2`` + text: a ``## `` line
list item      ``ul`` or ``ol N`` (its number, from ``start``), nesting depth, own text
quote          blockquote depth + paragraph text (a citation counts, its leading dash dropped)
link           absolute URL (percent-decoded) + text; a link without text is not counted
image          alt text, and every URL the source offers (``src``, ``srcset``, lazy sources):
               the copy's one URL must be among them
table cell     text
emphasis       ``em`` or ``strong`` + text
code           inline code text, or a block's lines (trailing spaces and edge blank lines off)
caption        figure caption text (the copy writes it as an emphasised paragraph)
footnote       note text (WordPress's ``ol.wp-block-footnotes``, Markdown's ``.footnotes``)
embed          the embedded URL (iframe, video, an embed block's URL) or the video's page: the copy
               must link to one of them
=============  ============================================================================

Text is compared after entity decoding, NFC, and collapsing white space; footnote reference marks
and "back to text" arrows are left out of every text. Recall counts each source item once
(multiset): two identical list items need two in the copy.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin

import lxml.html
from lxml.html import HtmlElement
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

KINDS = ("heading", "list item", "quote", "link", "image", "table cell", "emphasis", "code",
         "caption", "footnote", "embed")
ARROWS = ("\u21a9", "\u21a9\ufe0e", "\u21a9\ufe0f", "\u2191", "^")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
LAZY = ("data-src", "data-lazy-src", "data-orig-file", "data-large-file", "data-srcset",
        "data-lazy-srcset")
_FOOTNOTE_LISTS = "ol.wp-block-footnotes, section.footnotes ol, div.footnotes ol, ol.footnotes-list"
_PLAYERS = ((re.compile(r"https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)"),
             "https://www.youtube.com/watch?v={}"),
            (re.compile(r"https?://player\.vimeo\.com/video/(\d+)"), "https://vimeo.com/{}"))
_MD = (MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
       .use(footnote_plugin))


@dataclass(frozen=True)
class Item:
    """One piece of structure: ``kind`` and ``key`` must match; ``urls`` (images) must overlap."""

    kind: str
    key: tuple[str, ...]
    urls: frozenset[str] = frozenset()
    context: str = field(default="", compare=False)  # its block's text (``expected_structure``)


def text(el: HtmlElement, drop_lists: bool = False) -> str:
    """What a reader reads in ``el``: footnote marks and back arrows left out, white space one space."""
    clone = deepcopy(el)
    clone.tail = None
    for sub in list(clone.iter()):
        if sub is clone or sub.getparent() is None or not isinstance(sub.tag, str):
            continue
        if _is_note_ref(sub) or (sub.tag == "a" and (sub.text_content() or "").strip() in ARROWS) or (
                drop_lists and sub.tag in ("ul", "ol")):
            sub.drop_tree()
    return normal(clone.text_content())


def normal(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).replace("\xa0", " ").split())


def _is_note_ref(el: HtmlElement) -> bool:
    """A footnote reference: ``<sup><a href="#...">1</a></sup>`` (WordPress, markdown-it, Hugo)."""
    if el.tag != "sup":
        return False
    links = list(el.iter("a"))
    return bool(links) and all((a.get("href") or "").startswith("#") for a in links)


def _block_of(el: HtmlElement) -> HtmlElement:
    blocks = ("p", "li", "td", "th", "figcaption", "blockquote", "pre", "dd", "dt", *HEADINGS)
    return next((a for a in el.iterancestors() if a.tag in blocks), el)


def _depth(el: HtmlElement, tags: tuple[str, ...]) -> int:
    return sum(1 for a in el.iterancestors() if a.tag in tags)


def code_lines(value: str) -> str:
    lines = [line.rstrip() for line in value.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def items(root: HtmlElement, base: str, copy: bool = False) -> list[Item]:
    """Every piece of structure under ``root`` (URLs made absolute against ``base``).

    ``copy``: ``root`` is a rendered reading copy, where a caption is a paragraph of one emphasis
    and an embed is a link: each link also counts as an embed, such a paragraph as a caption.
    """
    # The elements themselves, not their ids: lxml makes a new proxy once the old one is gone.
    notes = {li for ol in root.cssselect(_FOOTNOTE_LISTS) for li in ol if li.tag == "li"}
    found: list[Item] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        found.extend(_items_of(el, base, notes))
        if copy and el.tag == "a" and not (el.get("href") or "#").startswith("#"):
            found.append(Item("embed", (), frozenset({unquote(urljoin(base, el.get("href") or ""))})))
        if copy and el.tag == "p" and len(el) == 1 and el[0].tag == "em" and not (
                (el.text or "").strip() or (el[0].tail or "").strip()):
            found.append(Item("caption", (text(el),)))
    return [i for i in found if all(i.key) or i.kind in ("image", "code", "embed")]


def _items_of(el: HtmlElement, base: str, notes: set[HtmlElement]) -> Iterator[Item]:
    tag = el.tag
    if tag in HEADINGS:
        yield Item("heading", (tag, text(el)), context=text(el))
    elif tag == "li" and el in notes:
        yield Item("footnote", (text(el, drop_lists=True),), context=text(el))
    elif tag == "li":
        yield _list_item(el)
    elif _quoted(el):
        words = re.sub(r"^[\u2014\u2013-]\s*", "", text(el))
        yield Item("quote", (str(_depth(el, ("blockquote",))), words), context=text(el))
    elif tag == "blockquote" and not any(c.tag in ("p", "blockquote", "ul", "ol") for c in el):
        yield Item("quote", (str(_depth(el, ("blockquote",)) + 1), text(el)), context=text(el))
    elif tag in ("td", "th"):
        row = el.getparent()
        cells = [text(c) for c in row if c.tag in ("td", "th")] if row is not None else [text(el)]
        yield Item("table cell", (text(el),), context=" | ".join(cells))
    elif tag in ("em", "i", "strong", "b"):
        yield Item("emphasis", ("strong" if tag in ("strong", "b") else "em", text(el)),
                   context=text(_block_of(el)))
    elif tag == "code" and next(el.iterancestors("pre"), None) is None:
        yield Item("code", ("inline", text(el)), context=text(_block_of(el)))
    elif tag == "pre":
        yield Item("code", ("block", code_lines(el.text_content())), context=code_lines(el.text_content()))
    elif tag == "figcaption" or "wp-caption-text" in (el.get("class") or ""):
        yield Item("caption", (text(el),), context=text(el))
    else:
        yield from _media(el, base)


def _quoted(el: HtmlElement) -> bool:
    """A paragraph of a block quote, or its citation (not one inside a paragraph)."""
    if el.tag not in ("p", "cite", "footer") or next(el.iterancestors("blockquote"), None) is None:
        return False
    return el.tag == "p" or next(el.iterancestors("p"), None) is None


def _list_item(li: HtmlElement) -> Item:
    parent = li.getparent()
    kind = "ul"
    if parent is not None and parent.tag == "ol":
        start = (parent.get("start") or "1").strip()
        number = (int(start) if start.isdigit() else 1) + [c for c in parent if c.tag == "li"].index(li)
        kind = f"ol {number}"
    own = text(li, drop_lists=True)
    return Item("list item", (kind, str(_depth(li, ("li",))), own), context=own)


def _media(el: HtmlElement, base: str) -> Iterator[Item]:
    tag = el.tag
    if tag == "a" and (href := (el.get("href") or "").strip()) and not href.startswith("#"):
        url = unquote(urljoin(base, href))
        words = text(el)
        if words:
            yield Item("link", (url, words), context=text(_block_of(el)))
    elif tag == "img":
        yield Item("image", (normal(el.get("alt") or ""),), frozenset(_sources(el, base)),
                   context=text(_block_of(el)))
    elif tag in ("iframe", "video", "audio", "source") and el.get("src"):
        yield Item("embed", (), frozenset(_embedded(unquote(urljoin(base, el.get("src") or "")))))
    elif "wp-block-embed__wrapper" in (el.get("class") or "") and re.fullmatch(
            r"https?://\S+", (el.text or "").strip()) and len(el) == 0:
        yield Item("embed", (), frozenset({unquote((el.text or "").strip())}))


def _embedded(src: str) -> Iterator[str]:
    """An embed's URL, and the page of the video a player shows (a copy may link to either)."""
    yield src
    for pattern, page in _PLAYERS:
        if match := pattern.match(src):
            yield page.format(match.group(1))


def _sources(img: HtmlElement, base: str) -> Iterator[str]:
    for name in ("src", "srcset", *LAZY):
        for candidate in (img.get(name) or "").split(","):
            url = candidate.strip().split(" ")[0] if candidate.strip() else ""
            if url and not url.startswith("data:"):
                yield unquote(urljoin(base, url))


def html_items(html: str, base: str) -> list[Item]:
    """The structure of an HTML fragment (``content.rendered``)."""
    if not html.strip():
        return []
    return items(lxml.html.fragment_fromstring(html, create_parent="div"), base)


def markdown_items(markdown: str, base: str = "") -> list[Item]:
    """The structure of a Markdown reading copy, as a CommonMark parser reads it."""
    html = _MD.render(markdown)
    if not html.strip():
        return []
    return items(lxml.html.fragment_fromstring(html, create_parent="div"), base, copy=True)


def rendered_text(markdown: str) -> str:
    """The text a reader sees of a Markdown document (no URLs, no markup), blocks on lines of their own."""
    html = _MD.render(markdown)
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in root.iter("p", "li", "tr", "pre", *HEADINGS):
        el.tail = "\n\n" + (el.tail or "")
    for row in root.iter("tr"):  # a row on one line, cells joined as the clean text joins them
        cells = [c for c in row if c.tag in ("td", "th")]
        row.text = None
        for number, cell in enumerate(cells, 1):
            cell.tail = " | " if number < len(cells) else ""
    return "\n".join(line.strip() for line in root.text_content().splitlines() if line.strip())


@dataclass
class Recall:
    """Found and expected counts per kind, with the items missed (for a failure message)."""

    expected: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    missed: dict[str, list[Item]] = field(default_factory=lambda: defaultdict(list))

    def add(self, other: Recall) -> None:
        self.expected.update(other.expected)
        self.found.update(other.found)
        for kind, missed in other.missed.items():
            self.missed[kind].extend(missed)

    def share(self, kind: str | None = None) -> float | None:
        """Found / expected for one kind (all kinds: None); None when nothing was expected."""
        expected = self.expected[kind] if kind else sum(self.expected.values())
        found = self.found[kind] if kind else sum(self.found.values())
        return found / expected if expected else None

    def table(self) -> dict[str, dict[str, float | int | None]]:
        return {kind: {"expected": self.expected[kind], "found": self.found[kind],
                       "recall": self.share(kind)} for kind in KINDS if self.expected[kind]}


def recall(expected: Iterable[Item], copy: Iterable[Item]) -> Recall:
    """Each expected item matched at most once against an item of the copy."""
    pool: dict[tuple[str, tuple[str, ...]], list[Item]] = defaultdict(list)
    for item in copy:
        pool[(item.kind, item.key)].append(item)
    result = Recall()
    for item in expected:
        result.expected[item.kind] += 1
        candidates = pool[(item.kind, item.key)]
        match = next((c for c in candidates if not item.urls or item.urls & c.urls), None)
        if match is None:
            result.missed[item.kind].append(item)
            continue
        candidates.remove(match)
        result.found[item.kind] += 1
    return result
