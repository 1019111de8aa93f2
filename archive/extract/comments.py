"""Reader comments as a thread, read from the comment list WordPress themes render.

Classic themes nest replies in ``ul.children``/``ol.children`` inside the parent ``li.comment``;
block themes render ``.wp-block-comment-template`` lists the same way. Old themes put the id on the
``li`` as ``li-comment-5`` and on an inner ``div`` as ``comment-5``; both are accepted. Comments
are returned separately and never become part of the post text.

Each comment's own text (its content container, less the theme's and plugins' chrome, found by
class) is converted into trafilatura's XML vocabulary (``fragment.py``) and written by the body's
writers: Markdown that keeps paragraphs, links, quotes, emphasis and code, and plain text for
search, from the same tree.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime

from lxml.html import HtmlElement

from archive.extract import fragment
from archive.extract.dates import parse_iso, read_dateline
from archive.extract.dom import Selector, classes, clean, css, select, text_of
from archive.extract.markdown import render_markdown
from archive.extract.model import Comment
from archive.extract.render import render

_ITEMS = css(
    "li.comment, li.pingback, li.trackback, .wp-block-comment-template li, "
    "li[id^='comment-'], li[id^='li-comment-']"
)
# WordPress: ``comment-5`` (``li-comment-5``/``div-comment-5`` on inner elements); Blogger: ``c5``.
_ID = re.compile(r"^(?:(?:li-|div-)?comment-(\d+)|c(\d+))$")
_AUTHOR = css(".comment-author .fn, .comment-author cite, .wp-block-comment-author-name, "
              ".comment-author, cite.fn, .comment_postinfo .fn, cite.user, p > cite > a.url")
_DATE_TEXT = tuple(css(c) for c in (
    ".comment-metadata", ".wp-block-comment-date", ".commentmetadata", ".comment-meta",
    ".comment_date", ".datetime", "p > cite",  # last: the "classic" theme's signature line
))
# Where a comment's own text is, most specific first: the content container of HTML5 and block
# themes; ``.comment-body``, which WordPress's older markup fills with the text's paragraphs
# beside the author, date and reply lines; else the item's own paragraphs, quotes and lists.
_CONTENT = css(".comment-content, .wp-block-comment-content, .comment-text")
_BODY = css(".comment-body")
_LOOSE = css("p, blockquote, ul, ol, pre, table")
# Theme and plugin markup beside or inside a comment's own text: WordPress core (reply and "Log in
# to Reply" links, edit links, the moderation note, author and date lines), Blogger's actions,
# Jetpack's comment likes ("Like", "Liked by", "Loading..."; ``wpl-`` in its likes widget),
# rating, karma and voting plugins (wpDiscuz's votes, WP ULike, Comments Like Dislike, Comment
# Rating Field, GD Rating System: each has one of ``_CHROME_PARTS`` in its classes). Commenters cannot
# write a class (WordPress's kses allows none in comments), so a class names the theme or a
# plugin, and chrome is found by its classes, never by its words: a comment saying "Reply" keeps it.
_CHROME_CLASSES = frozenset({
    "reply", "comment-reply", "comment-reply-link", "comment-reply-login", "reply-container",
    "comment-edit-link", "edit-link", "comment-awaiting-moderation", "comment-meta",
    "comment-metadata", "commentmetadata", "comment-author", "says", "comment-actions",
    "item-control", "wp-block-comment-reply-link", "wp-block-comment-edit-link",
    "wp-block-comment-author-name", "wp-block-comment-date", "comment-likes", "comment-like",
    "comment-like-link", "comment-like-feedback", "jetpack-likes-widget-wrapper", "sharedaddy",
    "likes-widget-placeholder", "loading",
})
_CHROME_PARTS = ("wpl-", "rating", "karma", "vote", "ulike", "like-dislike")
_WITH_ID, _TIME = css("[id]"), css("time[datetime]")


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


def _is_chrome(el: HtmlElement) -> bool:
    """Whether ``el`` is theme or plugin markup, by its classes (``_CHROME_CLASSES``)."""
    names = (el.get("class") or "").lower().split()
    return any(n in _CHROME_CLASSES or any(part in n for part in _CHROME_PARTS) for n in names)


def _in_chrome(el: HtmlElement, item: HtmlElement) -> bool:
    """Whether an ancestor of ``el`` inside the comment ``item`` is chrome."""
    parent = el.getparent()
    while parent is not None and parent is not item:
        if _is_chrome(parent):
            return True
        parent = parent.getparent()
    return False


def _signature(p: HtmlElement) -> bool:
    """WordPress's first default theme ("classic") ends a comment with its author and date as
    ``<p><cite>Comment by AUTHOR — DATE</cite></p>``: a last paragraph that is one ``cite``."""
    children = [c for c in p if isinstance(c.tag, str)]
    return (len(children) == 1 and children[0].tag == "cite" and not (p.text or "").strip()
            and not (children[0].tail or "").strip())


def _loose(item: HtmlElement, items: set[HtmlElement]) -> list[HtmlElement]:
    """The item's own paragraphs, quotes and lists, outside chrome and the list of replies, less
    the "classic" theme's signature line."""
    found = [el for el in _own(item, _LOOSE, items) if not _in_chrome(el, item)
             and "children" not in classes(el) and not any(c in items for c in el)]
    if found and found[-1].tag == "p" and _signature(found[-1]):
        found.pop()
    return found


def _blocks(item: HtmlElement, items: set[HtmlElement]) -> list[HtmlElement]:
    """The elements holding the comment's own text, outermost only, none of them chrome."""
    found = _own(item, _CONTENT, items) or _own(item, _BODY, items) or _loose(item, items)
    outer = set(found)
    return [b for b in found if not _is_chrome(b) and not _in_chrome(b, item)
            and not any(a in outer for a in b.iterancestors())]


def _without_chrome(block: HtmlElement) -> HtmlElement:
    """A copy of ``block`` without its chrome (the text after each removed element stays)."""
    own = copy.deepcopy(block)
    own.tail = None
    for el in [e for e in own.iterdescendants() if isinstance(e.tag, str) and _is_chrome(e)]:
        el.drop_tree()
    return own


def _content(item: HtmlElement, items: set[HtmlElement], base: str) -> tuple[str, str]:
    """The comment as plain text and as Markdown, both written from one XML tree by the body's
    writers (paragraphs separated by a blank line, links absolute, everything escaped)."""
    body = fragment.to_xml([_without_chrome(b) for b in _blocks(item, items)])
    markdown, _ = render_markdown(body, base)
    return render(body), markdown


def read_comments(root: HtmlElement, language: str | None, base: str = "") -> list[Comment]:
    """All comments on the page, in document order, with reply parents; ``base`` is the page's
    URL, against which links in comments are made absolute."""

    found = [el for el in select(root, _ITEMS) if el.tag == "li"]
    items = set(found)
    ids: dict[HtmlElement, str] = {}
    comments: list[Comment] = []
    for index, item in enumerate(found, start=1):
        cid, anchor = _comment_id(item, items, index)
        ids[item] = cid
        owner = _owner(item, items)
        author = next((a for a in (text_of(e) for e in _own(item, _AUTHOR, items)) if a), None)
        text, markdown = _content(item, items, base)
        comments.append(Comment(
            id=cid,
            parent=ids.get(owner) if owner is not None else None,
            author=clean(re.sub(r"\s+(says|sagt|dit|dice):?$", "", author or "")),
            published=_published(item, items, language),
            text=text,
            anchor=anchor,
            markdown=markdown,
        ))
    return comments
