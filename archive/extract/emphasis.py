"""Emphasis that CommonMark reads as emphasis, whatever text surrounds it.

CommonMark opens ``*``, ``**`` and ``~~`` only at a "left-flanking" run and closes them only at a
"right-flanking" one: a run with punctuation on its inner side needs whitespace or punctuation on
its outer side. So ``word**"quoted"**`` is not emphasis: the stars print as stars. Every renderer
of the archive has raw HTML off (``<strong>`` would print as text), so trafilatura's tree is
adjusted before ``markdown.py`` writes it, never the text:

- neighbours of one kind are merged: ``<b>a</b><b>b</b>`` would write ``**a****b**``;
- punctuation at the inner edges of an element whose outer side touches a word moves out of it:
  ``word<b>"quoted"</b>`` is written ``word"**quoted**"`` (the same text; the quotation marks
  lose their weight, the word keeps it);
- an element whose edge is a link, an image or code and touches a word is written without its
  markers: the text stays, the emphasis goes (rare: ``x<b><a>link</a></b>y``).
"""

from __future__ import annotations

import unicodedata

from lxml import etree

MARKED = ("hi", "del")  # trafilatura's emphasis elements; ``hi rend="#t"`` is code, not emphasis


def _is_element(node: object) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def _punct(ch: str) -> bool:
    """Punctuation as CommonMark (and markdown-it) reads it: Unicode P* and S*."""
    return unicodedata.category(ch)[0] in "PS"


def _wordlike(ch: str) -> bool:
    return bool(ch) and not ch.isspace() and not _punct(ch)


def _kind(el: etree._Element) -> tuple[str, str]:
    return (str(el.tag), el.get("rend") or "")


def _emphasis(el: etree._Element) -> bool:
    return _is_element(el) and el.tag in MARKED and el.get("rend") != "#t"


def settle(body: etree._Element) -> None:
    """Make every emphasis element of ``body`` one CommonMark reads (see the module docstring)."""
    for el in [e for e in body.iter(*MARKED) if _emphasis(e)]:
        _merge_next(el)
    for el in [e for e in body.iter(*MARKED) if _emphasis(e) and e.getparent() is not None]:
        need_lead, need_trail = _wordlike(_before(el)[-1:]), _wordlike(_after(el)[:1])
        if not (need_lead or need_trail):
            continue
        # both edges open, so a pair of quotation marks or brackets leaves together
        lead, trail = _open_edge(el, leading=True), _open_edge(el, leading=False)
        if (need_lead and not lead) or (need_trail and not trail):
            _unmark(el)


def _merge_next(el: etree._Element) -> None:
    """Fold the siblings of the same kind that follow ``el`` with nothing between into it."""
    parent = el.getparent()
    while parent is not None and not el.tail:
        nxt = el.getnext()
        if nxt is None or not _emphasis(nxt) or _kind(nxt) != _kind(el):
            return
        if len(el):
            el[-1].tail = (el[-1].tail or "") + (nxt.text or "")
        else:
            el.text = (el.text or "") + (nxt.text or "")
        for child in list(nxt):
            el.append(child)
        el.tail = nxt.tail
        parent.remove(nxt)


def _before(el: etree._Element) -> str:
    """The text just before ``el`` at its own level ("" when a marker or a line start is)."""
    previous, parent = el.getprevious(), el.getparent()
    if previous is not None:
        return previous.tail or ""
    return (parent.text or "") if parent is not None else ""


def _after(el: etree._Element) -> str:
    return el.tail or ""


def _set_before(el: etree._Element, text: str) -> None:
    previous, parent = el.getprevious(), el.getparent()
    if previous is not None:
        previous.tail = text
    elif parent is not None:
        parent.text = text


def _open_edge(el: etree._Element, leading: bool) -> bool:
    """Make the inner edge of ``el`` on one side something other than punctuation, by moving the
    punctuation out; False when that edge is a link, image or code (nothing can move)."""
    holder, where = _edge_text(el, leading)
    if holder is None:
        return False
    text = getattr(holder, where) or ""
    if not text or text[0 if leading else -1].isspace():
        return True
    run = _punct_run(text if leading else text[::-1])
    if not run:
        return True
    moved = text[:run] if leading else text[len(text) - run:]
    setattr(holder, where, text[run:] if leading else text[: len(text) - run])
    if leading:
        _set_before(el, _before(el) + moved)
    else:
        el.tail = moved + (el.tail or "")
    return True


def _punct_run(text: str) -> int:
    """How many punctuation characters ``text`` starts with."""
    for count, ch in enumerate(text):
        if not _punct(ch):
            return count
    return len(text)


def _edge_text(el: etree._Element, leading: bool) -> tuple[etree._Element | None, str]:
    """Where the first (last) text inside ``el`` lives: ``(node, "text" | "tail")``, through
    nested emphasis; ``(None, "")`` when a link, image or code is at that edge."""
    if leading:
        if el.text or len(el) == 0:
            return el, "text"
        first = el[0]
        return _edge_text(first, True) if _emphasis(first) else (None, "")
    if len(el) == 0:
        return el, "text"
    last = el[-1]
    if last.tail:
        return last, "tail"
    return _edge_text(last, False) if _emphasis(last) else (None, "")


def _unmark(el: etree._Element) -> None:
    """Written without markers: trafilatura's ``hi`` with no known ``rend``."""
    el.tag = "hi"
    el.set("rend", "")
