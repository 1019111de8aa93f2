"""Theme chrome inside the post container that no WordPress class names: removed before trafilatura.

``prepare.CHROME`` knows WordPress's and its plugins' classes; generator themes print their own
around the body, inside the element that holds it:

- a **term list**: a block whose every link goes to a taxonomy page (``/tags/x/``,
  ``/categories/x/``, ``rel=tag``) and whose other text is at most a short label ("Tags:"):
  Hugo's starter theme (``<div><div>Tags:</div><ul><li><a>``), Doks' tag buttons. Terms are
  read from the page itself (``terms.py``), never from the body;
- a **bare dateline**: a ``<time>`` that stands between blocks, not inside a sentence (Hugo's
  starter theme prints it between the title and the first paragraph);
- the **title block** of themes that put the byline in it, and related-post cards, by class
  (``BY_CLASS``): Doks' ``.blog-header`` ("Posted in Notes on <date> by <a>Author</a> - 1 min
  read") and ``.related-posts``;
- a heading's **self-anchor**: a link inside a heading to that heading's own ``#id`` that shows
  only a symbol (``#``, ``¶``, ``§``, ``🔗``) or is hidden from screen readers (Doks, Sphinx,
  many Markdown renderers); the heading stays, without it.
- the site's **menus** outside the post: a ``<nav>`` (or ``role=navigation``) outside any
  ``<article>``/``<main>`` whose text is nearly all link text. ``prepare`` prunes ``nav`` on the
  whole page too, but not when it holds most of the page's text, and on a one-paragraph post
  (Doks' "Hello, harbour" once its title block and related posts are gone) the menu does.

None of them is removed when it holds most of the container's text: that is the post.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from archive.extract.dom import css, select, text_of
from archive.extract.terms import taxonomy_link

BY_CLASS = css(".blog-header, .related-posts")
_HEADING_LINKS = css("h1 a[href^='#'], h2 a[href^='#'], h3 a[href^='#'], h4 a[href^='#'], "
                     "h5 a[href^='#'], h6 a[href^='#']")
_ANCHOR_SYMBOLS = frozenset({"", "#", "¶", "§", "🔗"})
_BLOCKS = css("div, p, ul, ol, dl, section, footer, aside")
_LINKS = css("a[href]")
_LABEL_MAX = 20  # "Tags:", "Categories:", separators
_BETWEEN_BLOCKS = frozenset({"main", "article", "div", "section", "header", "body", "footer"})
_MENUS = css("nav, [role='navigation']")
_LINK_SHARE = 0.8
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
MOST = 0.5


def remove_theme_chrome(root: HtmlElement) -> None:
    """Every kind of the module docstring, outermost first."""
    total = len(root.text_content())
    doomed = list(select(root, BY_CLASS))
    doomed += [a for a in select(root, _HEADING_LINKS) if _self_anchor(a)]
    doomed += [el for el in select(root, _BLOCKS) if _term_list(el)]
    doomed += [el for el in root.iter("time") if _bare(el)]
    doomed += [el for el in select(root, _MENUS) if _menu(el)]
    for el in doomed:
        if el.getparent() is not None and len(el.text_content()) <= MOST * total:
            _drop(el)


def _self_anchor(a: HtmlElement) -> bool:
    heading = next((h for h in a.iterancestors() if h.tag in _HEADINGS), None)
    own = {(heading.get("id") or "") if heading is not None else "", a.get("id") or ""} - {""}
    return ((a.get("href") or "")[1:] in own
            and (a.get("aria-hidden") == "true" or (text_of(a) or "") in _ANCHOR_SYMBOLS))


def _menu(nav: HtmlElement) -> bool:
    if any(up.tag in ("article", "main") for up in nav.iterancestors()):
        return False
    text = len(text_of(nav) or "")
    return sum(len(text_of(a) or "") for a in select(nav, _LINKS)) >= _LINK_SHARE * text


def _term_list(block: HtmlElement) -> bool:
    links = select(block, _LINKS)
    if not links or not all(taxonomy_link(a) for a in links) or block.find(".//img") is not None:
        return False
    label = len(text_of(block) or "") - sum(len(text_of(a) or "") for a in links)
    return label <= _LABEL_MAX


def _bare(time: HtmlElement) -> bool:
    parent = time.getparent()
    return (parent is not None and parent.tag in _BETWEEN_BLOCKS
            and not (time.tail or "").strip() and not _text_before(time))


def _text_before(el: HtmlElement) -> bool:
    previous, parent = el.getprevious(), el.getparent()
    before = previous.tail if previous is not None else parent.text if parent is not None else ""
    return bool((before or "").strip())


def _drop(el: HtmlElement) -> None:
    """Remove the element; lxml's ``drop_tree`` keeps the text that follows it."""
    el.drop_tree()
