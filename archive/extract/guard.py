"""When a known post container is not to be trusted: scoping to it would lose most of the post.

``containers.MAIN_CONTAINERS`` names the elements WordPress themes wrap a post in, and most themes of
other engines use the same names. On a page from another world the name can mean something else:
a ``.post-content`` that holds the gallery's introduction while the slides are its siblings, a
``.post-body`` whose text trafilatura's first pass reduces to two words. Two cheap signs, read only
on a page with a container, say the scoped text is not the post:

- trafilatura kept less than ``KEPT_SHARE`` of the container's words (the scoped run lost the post,
  or the container's own markup hid it);
- the ``<article>`` or ``<main>`` around the container has more than ``ARTICLE_RATIO`` times its
  words, chrome (comments, sharing, related posts) not counted: the container is a part of the post.

Measured on the 41 fixture posts (lowest kept share 0.38, a quote post whose quote is pruned
chrome; highest article ratio 2.4, a post with its comments inside ``<article>``) and on the
real-pages corpus (``bench/realpages.py``), where the pages these signs catch kept 0 to 24 % or had
ratios of 5 to 76. A distrusted container is not thrown away: ``body.extract_body`` also tries the
container with trafilatura's own balance and the whole page, and keeps the longest text.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from archive.extract.dom import select
from archive.extract.prepare import CHROME

KEPT_SHARE = 0.3
ARTICLE_RATIO = 3.0
_TEXTS = etree.XPath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
_AROUND = frozenset({"article", "main"})


def words(el: HtmlElement) -> int:
    """Words a reader sees in ``el`` (scripts and styles are not text)."""
    found = _TEXTS(el)
    return sum(len(str(text).split()) for text in found) if isinstance(found, list) else 0


def _words_less_chrome(el: HtmlElement) -> int:
    """Words of ``el`` outside the chrome ``prepare.CHROME`` names (comments, sharing, related...):
    a short post whose long comment thread sits inside its ``<article>`` is still the post."""
    total, chrome = words(el), set()
    for found in select(el, CHROME):  # document order: an outer match comes before its inner ones
        if not any(ancestor in chrome for ancestor in found.iterancestors()):
            chrome.add(found)
            total -= words(found)
    return total


def distrust(container: HtmlElement, scoped_text: str) -> bool:
    """Whether the text scoped to ``container`` is likely not the post (see the module doc)."""
    held = words(container)
    if len(scoped_text.split()) < KEPT_SHARE * held:
        return True
    around = next((el for el in container.iterancestors() if el.tag in _AROUND), None)
    return around is not None and _words_less_chrome(around) > ARTICLE_RATIO * max(held, 1)
