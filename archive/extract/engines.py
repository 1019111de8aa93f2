"""The page kind an engine declares itself: WordPress and Ghost body classes, Blogger's view data.

Three engines say outright what a page is, and their word beats any guess from the markup. Each
rule applies only where the page shows that engine made it: Pelican's notmyidea theme puts
``<body class="home">`` on every page, so ``home`` decides nothing on a page WordPress did not
make (that rule alone archived 0 of 300 Pelican posts).

- WordPress: ``<meta name="generator" content="WordPress ...">``, ``wp-content``/``wp-includes``
  assets or the ``api.w.org`` link in the head, or a body class only WordPress's ``body_class()``
  writes (``postid-7``, ``single-format-standard``, ``wp-embed-responsive``...). Many themes and
  hosts strip the generator meta, so the body classes count too.
- Ghost: its generator meta; the core ``{{body_class}}`` helper writes ``post-template`` on posts,
  ``page-template``, ``home-template``, ``tag-template``, ``author-template``, ``paged`` elsewhere.
- Blogger: the ``_WidgetManager._SetDataContext`` script of every blogspot page names the view
  (``'isPost': true``; older pages ``'pageType': 'item'``, ``'static_page'``, ``'index'``...).

Everything WordPress and Ghost need is in the head and the ``<body>`` start tag, so the crawler
decides their pages without parsing the rest (``page_type.classify_page``).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lxml import etree
from lxml.html import HtmlElement

from archive.extract.dom import classes

_GENERATOR = etree.XPath("//meta[@name='generator' or @name='Generator']/@content")
# Head assets only: a post's body may quote a WordPress URL, and the crawler's cheap path sees
# the head alone; both paths must reach the same verdict.
_HEAD_ASSETS = etree.XPath(
    "//head//link/@href | //head//script/@src | //head//link[@rel='https://api.w.org/']/@rel")
_WP_ASSET = re.compile(r"/wp-(content|includes|json)/|api\.w\.org")
_WP_CLASS = re.compile(
    r"""(?x)^(
      (postid|page-id|attachmentid|parent-pageid|paged)-\d+
    | single-format-\S+ | page-template(-\S+)? | \S+-template-default
    | (date|category|tag|author|search)-paged-\d+
    | search-(no-)?results | post-type-archive(-\S+)? | wp-\S+
    )$""")
WP_LISTING_CLASSES = frozenset(
    {"home", "blog", "archive", "category", "tag", "date", "paged", "search", "error404", "page",
     "author", "search-results", "search-no-results", "attachment"}
)
GHOST_NOT_POST = frozenset(
    {"page-template", "home-template", "tag-template", "author-template", "paged",
     "private-template", "error-template"})
_BLOGGER_VIEW = re.compile(r"_WidgetManager\._SetDataContext\(")
_BLOGGER_IS_POST = re.compile(r"""['"]isPost['"]\s*:\s*(true|false)""")
_BLOGGER_PAGE_TYPE = re.compile(r"""['"]pageType['"]\s*:\s*['"](\w+)['"]""")
_SCRIPTS = etree.XPath("//script[contains(., '_WidgetManager._SetDataContext')]/text()")


class Verdict(NamedTuple):
    is_post: bool
    reason: str  # the evidence that decided, for the crawler's stats and the tests


def generator(root: HtmlElement) -> str:
    """The engine the page names in ``<meta name="generator">`` ("" when none)."""
    found = _GENERATOR(root)
    values = found if isinstance(found, list) else []
    return " ".join(str(v) for v in values).strip()


def is_wordpress(root: HtmlElement, body_classes: set[str], engine: str | None = None) -> bool:
    """``engine``: the generator meta, when the caller has read it already."""
    if any(_WP_CLASS.match(c) for c in body_classes):  # the cheapest test first
        return True
    if (generator(root) if engine is None else engine).lower().startswith("wordpress"):
        return True
    found = _HEAD_ASSETS(root)
    return any(_WP_ASSET.search(str(value)) for value in (found if isinstance(found, list) else []))


def wordpress_verdict(body_classes: set[str]) -> bool | None:
    """True/False when WordPress's body classes decide, None when they say nothing."""
    if "single-post" in body_classes:
        return True
    if "single" in body_classes and any(c.startswith("postid-") for c in body_classes):
        return True
    if body_classes & WP_LISTING_CLASSES:
        return False
    return None


def ghost_verdict(body_classes: set[str]) -> bool | None:
    if "post-template" in body_classes:
        return True
    return False if body_classes & GHOST_NOT_POST else None


def head_verdict(root: HtmlElement) -> Verdict | None:
    """WordPress's or Ghost's own word, from the head and the body start tag alone."""
    body_classes = classes(root.find("body"))
    engine = generator(root)
    if engine.lower().startswith("ghost"):
        verdict = ghost_verdict(body_classes)
        return None if verdict is None else Verdict(verdict, "ghost-body-class")
    if is_wordpress(root, body_classes, engine):
        verdict = wordpress_verdict(body_classes)
        return None if verdict is None else Verdict(verdict, "wordpress-body-class")
    return None


def blogger_verdict(root: HtmlElement) -> Verdict | None:
    """Blogger's view data: ``isPost`` (or the older ``pageType``) of the page being shown."""
    found = _SCRIPTS(root)
    for script in (str(s) for s in (found if isinstance(found, list) else [])):
        if not _BLOGGER_VIEW.search(script):
            continue
        is_post = _BLOGGER_IS_POST.search(script)
        if is_post:
            return Verdict(is_post.group(1) == "true", "blogger-view")
        page_type = _BLOGGER_PAGE_TYPE.search(script)
        if page_type:
            return Verdict(page_type.group(1) == "item", "blogger-view")
    return None
