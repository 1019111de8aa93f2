"""Reader comments as a thread, read from the comment list WordPress themes render.

Classic themes nest replies in ``ul.children``/``ol.children`` inside the parent ``li.comment``;
block themes render ``.wp-block-comment-template`` lists the same way. Old themes put the id on the
``li`` as ``li-comment-5`` and on an inner ``div`` as ``comment-5``; both are accepted. Comments
are returned separately and never become part of the post text.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime

from lxml.html import HtmlElement

from archive.extract.dates import parse_iso, read_dateline
from archive.extract.dom import Selector, clean, css, select, text_of
from archive.extract.model import Comment

_ITEMS = css(
    "li.comment, li.pingback, li.trackback, .wp-block-comment-template li, "
    "li[id^='comment-'], li[id^='li-comment-']"
)
# WordPress: ``comment-5`` (``li-comment-5``/``div-comment-5`` on inner elements); Blogger: ``c5``.
_ID = re.compile(r"^(?:(?:li-|div-)?comment-(\d+)|c(\d+))$")
_AUTHOR = css(".comment-author .fn, .comment-author cite, .wp-block-comment-author-name, "
              ".comment-author, cite.fn, .comment_postinfo .fn, cite.user")
_DATE_TEXT = tuple(css(c) for c in (
    ".comment-metadata", ".wp-block-comment-date", ".commentmetadata", ".comment-meta",
    ".comment_date", ".datetime",
))
_CONTENT = css(".comment-content, .wp-block-comment-content, .comment-text, .comment-body > p")
_DROP_IN_CONTENT = css(".reply, .comment-reply-link, .comment-meta, .comment-metadata, "
                       ".comment-author, .comment-actions")
_WITH_ID, _TIME, _P = css("[id]"), css("time[datetime]"), css("p")


def _owner(el: HtmlElement, items: set[HtmlElement]) -> HtmlElement | None:
    """The nearest enclosing comment item of ``el`` (excluding ``el`` itself)."""
    parent = el.getparent()
    while parent is not None and parent not in items:
        parent = parent.getparent()
    return parent


def _own(item: HtmlElement, selector: Selector, items: set[HtmlElement]) -> list[HtmlElement]:
    """Matches inside ``item`` that belong to it, not to a nested reply."""
    return [el for el in select(item, selector) if el is not item and _owner(el, items) is item]


def _comment_id(item: HtmlElement, items: set[HtmlElement], index: int) -> tuple[str, str | None]:
    candidates = [item, *_own(item, _WITH_ID, items)]
    for el in candidates:
        match = _ID.match(el.get("id") or "")
        if match and match.group(1):
            return match.group(1), f"comment-{match.group(1)}"
        if match:
            return match.group(2), match.group(0)
    return f"n{index}", None


def _published(item: HtmlElement, items: set[HtmlElement], language: str | None) -> datetime | None:
    for el in _own(item, _TIME, items):
        parsed = parse_iso(el.get("datetime"))
        if parsed:
            return parsed
    for selector in _DATE_TEXT:  # most specific first: ``.comment-meta`` also names the author
        for el in _own(item, selector, items):
            parsed, _ = read_dateline(text_of(el) or "", language, None)
            if parsed:
                return parsed
    return None


def _meta(item: HtmlElement, items: set[HtmlElement]) -> list[HtmlElement]:
    return _own(item, _DROP_IN_CONTENT, items)


def _text(item: HtmlElement, items: set[HtmlElement]) -> str:
    """Comment paragraphs separated by a blank line, without the reply link or metadata."""
    blocks = _own(item, _CONTENT, items) or [
        p for p in _own(item, _P, items) if not any(a in p.iterancestors() for a in _meta(item, items))
    ]
    paragraphs: list[str] = []
    for block in blocks:
        own = copy.deepcopy(block)
        for junk in select(own, _DROP_IN_CONTENT):
            junk.drop_tree()
        parts = [text_of(p) for p in select(own, _P)] or [text_of(own)]
        paragraphs.extend(p for p in parts if p)
    return "\n\n".join(paragraphs)


def read_comments(root: HtmlElement, language: str | None) -> list[Comment]:
    """All comments on the page, in document order, with reply parents."""

    found = [el for el in select(root, _ITEMS) if el.tag == "li"]
    items = set(found)
    ids: dict[HtmlElement, str] = {}
    comments: list[Comment] = []
    for index, item in enumerate(found, start=1):
        cid, anchor = _comment_id(item, items, index)
        ids[item] = cid
        owner = _owner(item, items)
        author = next((a for a in (text_of(e) for e in _own(item, _AUTHOR, items)) if a), None)
        comments.append(Comment(
            id=cid,
            parent=ids.get(owner) if owner is not None else None,
            author=clean(re.sub(r"\s+(says|sagt|dit|dice):?$", "", author or "")),
            published=_published(item, items, language),
            text=_text(item, items),
            anchor=anchor,
        ))
    return comments
