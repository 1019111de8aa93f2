"""The structure of a fixture page's post, found from the page and its known-correct text.

A fixture sidecar gives the post's exact text (``NAME.expected.json``), not its structure, so the
structure is read from the page itself (``structure.items``) and kept where the expected text says
it belongs to the post:

- **the post's region**: the smallest element holding every block of the page (paragraph, list
  item, heading, cell, quote, caption, ``pre``) whose text, 20 characters or more, is part of the
  expected text; sidebars, comments and footers outside it never count;
- **text kinds** count when their text is an expected line (list and footnote markers off) or a
  part of the expected text of 12 characters or more: a heading, list item, quoted paragraph,
  caption or footnote by its own text, a table cell by its row (cells joined by `` | ``, as the
  text writes rows), a link, emphasis or inline code by the block it sits in, code by its lines;
- **images** count in the region unless a class or id on the way up names them as someone else's
  (avatar, sharing, like, emoji, related posts, comments, author box) or they are 1-2 px pixels;
  an embed counts in the region like an image.

Independent of ``archive/extract`` by design: the benchmark must not grade the extractor with its
own rules.
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml.html import HtmlElement

from bench.structure import HEADINGS, Item, items, normal, text

_BLOCKS = ("p", "li", "td", "th", "pre", "blockquote", "figcaption", "dd", "dt", *HEADINGS)
_NOT_THE_AUTHOR = re.compile(r"avatar|shar(e|ing)|like|emoji|smil|related|comment|author|gravatar|"
                             r"social|widget|subscribe|jp-|sd-|wpcnt|advert|\bads?\b", re.IGNORECASE)
_MARKER = re.compile(r"^(?:[-*] |\d+\. |\[\d+\] ?)+")
MIN_BLOCK, MIN_PART = 20, 12


def expected_lines(expected: str) -> set[str]:
    return {normal(_MARKER.sub("", line.strip())) for line in expected.splitlines() if line.strip()}


def region(root: HtmlElement, flat: str) -> HtmlElement | None:
    """The lowest common ancestor of the page's blocks that are part of the expected text."""
    blocks = [el for el in root.iter(*_BLOCKS) if len(t := text(el)) >= MIN_BLOCK and t in flat]
    if not blocks:
        return None
    chains = [[el, *el.iterancestors()][::-1] for el in blocks]
    common = None
    for level in zip(*chains, strict=False):
        if any(el is not level[0] for el in level):
            break
        common = level[0]
    if common is not None and common.tag in _BLOCKS:  # one block: the post is around it
        common = common.getparent()
    return common


def _belongs(item: Item, lines: set[str], flat: str) -> bool:
    context = normal(item.context) if item.kind != "code" else item.context
    if item.kind == "code" and item.key[0] == "block":
        return all(normal(line) in flat for line in context.splitlines() if line.strip())
    return bool(context) and (context in lines or (len(context) >= MIN_PART and context in flat))


def _someone_elses(el: HtmlElement, top: HtmlElement) -> bool:
    """An image or embed that is not the author's: a pixel, or named so on the way up to ``top``."""
    if el.get("width") in ("1", "2") or el.get("height") in ("1", "2"):
        return True
    for node in (el, *el.iterancestors()):
        if _NOT_THE_AUTHOR.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
        if node is top:
            break
    return False


def expected_items(root: HtmlElement, base: str, expected: str) -> list[Item]:
    """The structure of the post on the page ``root`` whose exact text is ``expected``."""
    flat, lines = normal(expected), expected_lines(expected)
    top = region(root, flat)
    if top is None:
        return []
    scope = deepcopy(top)
    for el in list(scope.iter("img", "iframe", "video", "audio")):
        if _someone_elses(el, scope):
            el.drop_tree()
    return [i for i in items(scope, base) if i.kind in ("image", "embed") or _belongs(i, lines, flat)]
