"""The post body as clean text: WordPress chrome pruned by markup, then trafilatura.

The pipeline is: choose the post container (``.entry-content`` and friends; the whole page when
no known container is found), copy it, prune the chrome containers and prepare the tree
(``prepare``), run trafilatura's ``bare_extraction`` on it, and write trafilatura's XML body out
as text (``render``). Scoping to the container keeps the title, dateline and footer out by
construction; trafilatura still decides what in it is text.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, replace

import trafilatura
from lxml import etree
from lxml.html import Element, HtmlElement
from trafilatura.settings import Extractor

from archive.extract import guard, media
from archive.extract.containers import main_container
from archive.extract.markdown import render_markdown
from archive.extract.model import Image
from archive.extract.prepare import CHROME, HEADER_CHROME, NBSP, NBSP_STANDIN, page_chrome, prepare, prune
from archive.extract.render import render
from archive.extract.structure import mark_structure


@dataclass(frozen=True)
class BodyOptions:
    """trafilatura's options for the body; the defaults were chosen by measuring the fixtures.

    The measurement is in the package docstring. ``favor_recall``: a pruned container holds
    little but the post, so trafilatura should keep what it is unsure of (``favor_precision``
    drops the seed post's subheading). ``include_tables`` is needed by three fixtures. ``fast``
    (no readability/jusText comparison) applies only to a known container, where the fallbacks
    have nothing better to find; an unknown page gets trafilatura's full cascade.
    ``min_extracted_size`` 0: a container is already the post, so a short one is not sent to the
    baseline fallback, which flattens it into one paragraph (``None``: trafilatura's setting).
    ``deduplicate`` must stay off: trafilatura keeps its duplicate cache process-wide, so one
    page's paragraphs would suppress the next page's. ``page_balance``: these choices are for a
    pruned container; a page without a trusted one gets trafilatura's own balance (``whole_page``).
    On the 183 real pages of ``bench/realpages.py`` the container's settings left 3 pages empty
    and 11 short of plain trafilatura; trafilatura's fallbacks cost about a fifth more per page.
    """

    favor_precision: bool = False
    favor_recall: bool = True
    include_tables: bool = True
    include_formatting: bool = True
    include_links: bool = True
    include_images: bool = True
    fast: bool = True
    deduplicate: bool = False
    scope_to_container: bool = True
    min_extracted_size: int | None = 0
    page_balance: bool = True

    def whole_page(self) -> BodyOptions:
        """The options for a page without a trusted container: with ``page_balance``,
        trafilatura's own balance (no ``favor_recall``, its ``min_extracted_size``, so that a
        short first pass goes to its fallbacks), since nothing was pruned to the post first."""
        if not self.page_balance:
            return self
        return replace(self, favor_precision=False, favor_recall=False, min_extracted_size=None, fast=False)

    def extractor(self, url: str, scoped: bool) -> Extractor:
        """trafilatura's own options object for one call (``scoped``: a known container).

        A copy of one template per options: building an ``Extractor`` reads eight values from
        trafilatura's ConfigParser, measured at 0.3 ms, a tenth of the body's extraction time.
        """
        extractor = copy.copy(_template(self, self.fast and scoped))
        extractor.url = url
        extractor.source = url.encode("utf-8", "replace").decode("utf-8")
        return extractor


@functools.lru_cache(maxsize=16)
def _template(options: BodyOptions, fast: bool) -> Extractor:
    extractor = Extractor(
        output_format="python", fast=fast, precision=options.favor_precision,
        recall=options.favor_recall, comments=False, formatting=options.include_formatting,
        tables=options.include_tables, dedup=options.deduplicate, links=options.include_links,
        images=options.include_images,
    )
    if options.min_extracted_size is not None:
        extractor.min_extracted_size = options.min_extracted_size
    return extractor


END_SENTINEL = "\ue001 end of the post \ue001"


def _marked(tree: HtmlElement, base: str) -> HtmlElement:
    """Images, embeds and structure trafilatura would lose, rewritten before chrome is pruned
    (an embed's ``iframe`` is chrome to ``prune``, a link to the reader); links made absolute
    last, once footnotes have been read from their ``#`` targets."""
    media.images(tree, base)
    media.embeds(tree, base)
    mark_structure(tree)
    media.links(tree, base)
    return tree


def _page_document(root: HtmlElement, base: str) -> HtmlElement:
    """The whole page, marked and pruned (title, dateline and footer too): trafilatura finds the post."""
    page = copy.deepcopy(root)
    page_chrome(page)
    _marked(page, base)
    prune(page, CHROME, HEADER_CHROME)
    prepare(page)
    return page


def _scoped_document(container: HtmlElement, lang: str, base: str) -> HtmlElement:
    """The marked and pruned container, alone in an empty page."""
    scoped = copy.deepcopy(container)
    scoped.tail = None
    _marked(scoped, base)
    prune(scoped, CHROME)
    prepare(scoped)
    page = Element("html", lang=lang)
    article = etree.SubElement(etree.SubElement(page, "body"), "article")
    article.append(scoped)
    # trafilatura deletes headings at the very end of a body; a post that ends on a heading keeps
    # it when a sentinel paragraph follows (removed again in extract_body).
    etree.SubElement(scoped, "p").text = END_SENTINEL
    return page


@dataclass(frozen=True)
class Body:
    """The post body from one trafilatura tree: plain text, Markdown, and the Markdown's images."""

    text: str
    markdown: str
    images: tuple[Image, ...]


def extract_body(root: HtmlElement, url: str, options: BodyOptions | None = None) -> Body:
    """Clean body of the post in ``root`` (empty text and Markdown when nothing is found).

    A known container is trusted unless ``guard.distrust`` finds that scoping lost the post (see
    ``guard``); then the container with trafilatura's own balance and the whole page are tried
    too, and the longest text wins.
    """
    options = options or BodyOptions()
    container = main_container(root) if options.scope_to_container else None
    base = media.page_base(root, url)
    page = options.whole_page()
    if container is None:
        return _extract(_page_document(root, base), url, page, scoped=False)
    lang = root.get("lang") or ""
    body = _extract(_scoped_document(container, lang, base), url, options, scoped=True)
    if not guard.distrust(container, body.text):
        return body
    tries = (body, _extract(_scoped_document(container, lang, base), url, page, scoped=True),
             _extract(_page_document(root, base), url, page, scoped=False))
    return max(tries, key=lambda b: len(b.text.split()))  # the first of equals: the container


def _extract(document: HtmlElement, url: str, options: BodyOptions, scoped: bool) -> Body:
    """One trafilatura run on a prepared tree; text and Markdown written from its one body."""
    result = trafilatura.bare_extraction(
        document, url=url, options=options.extractor(url, scoped)
    )
    body = getattr(result, "body", None)
    if body is None:
        return Body("", "", ())
    markdown, images = render_markdown(body, url)
    return Body(_unsentinel(render(body)), _unsentinel(markdown), images)


def _unsentinel(text: str) -> str:
    """Without the end-of-post paragraph (see ``_document``), no-break spaces restored."""
    paragraphs = [p for p in text.split("\n\n") if END_SENTINEL not in p]
    return "\n\n".join(paragraphs).replace(NBSP_STANDIN, NBSP)
