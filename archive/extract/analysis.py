"""One page read once, in an extraction worker: is it a post, what it loads, and a post's text.

The crawler's event loop is the crawl's bottleneck (issue 21): with page requisites on, deciding
whether each page is a post (``page_type.classify_page``) and parsing it for the files it loads
(``requisites.page_requisites``) took 12 % of it, measured with py-spy, while the workers, which
parse every post anyway, had most of a core to spare. So a page goes to a worker as it comes,
and the crawler gets back the verdict, the requisites and a post's extraction in one answer.

Plain values cross the process boundary (tuples and the extraction's dict: cheap to pickle). The
results are those the crawler computed itself before: the same functions, on the same part of
the page (``PARSE_MAX_BYTES``, decoded with the charset Scrapy read).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from archive.extract.containers import main_container
from archive.extract.dom import parse
from archive.extract.encoding import decode_html
from archive.extract.model import Extraction
from archive.extract.page_type import PARSE_MAX_BYTES, PageKind, classify_page, prefix
from archive.extract.requisites import Requisite, attachments, page_requisites

Result = dict[str, Any]  # what a worker function returns: ``Extraction.to_dict()`` or alike


def resolve(path: str) -> Callable[..., Result]:
    """``module:function`` to the function (the worker imports it by name)."""
    module, _, name = path.partition(":")
    function: Callable[..., Result] = getattr(importlib.import_module(module), name)
    return function


def analyse_page(function: str, html: bytes, url: str, encoding: str | None,
                 captured_at: datetime | None, listed: bool, requisites: bool,
                 attachment_types: frozenset[str]) -> Result:
    """The worker's half: the page's kind, its requisites when asked, a post's extraction.

    ``function``: ``EXTRACT_FUNCTION``, run for posts only. Its exception is this page's failure,
    reported with the verdict and the requisites (which do not depend on it).
    """
    kind = classify_page(html, url, encoding, listed=listed)
    result: Result = {"kind": tuple(kind)}
    if requisites:
        result.update(_requisites(html, url, encoding, kind.is_post, attachment_types))
    if kind.is_post:
        try:
            result["extraction"] = resolve(function)(html, url, encoding, captured_at)
        except Exception as error:  # the extractor's own bug: this page's text only
            result["extraction_error"] = f"extractor error: {error!r}"
    return result


def _requisites(html: bytes, url: str, encoding: str | None, post: bool,
                attachment_types: frozenset[str]) -> Result:
    try:
        root = parse(decode_html(prefix(html, PARSE_MAX_BYTES), encoding).text)
        found = page_files(root, url, post, attachment_types)
    except (etree.LxmlError, ValueError) as error:
        return {"requisites_error": f"requisites not read ({error})"}
    return {"requisites": [(requisite.url, requisite.kind) for requisite in found]}


def page_files(root: HtmlElement, url: str, post: bool,
               attachment_types: frozenset[str]) -> list[Requisite]:
    """What a parsed page loads, then (a post's) the files its body links to: the one rule,
    for a worker and for a page read on the event loop alike."""
    found = page_requisites(root, url)
    if post and attachment_types:
        body = main_container(root)
        found += attachments(root if body is None else body, url, attachment_types)
    return found


@dataclass(frozen=True)
class PageAnalysis:
    """What the crawler gets back. ``kind`` None: not analysed (a page over
    ``EXTRACT_MAX_HTML_BYTES``, a worker that timed out or crashed): the crawler reads the page
    itself, and ``extraction`` says why a post has no text."""

    kind: PageKind | None = None
    extraction: Extraction | None = None
    requisites: tuple[Requisite, ...] | None = None  # None: not asked for, or not read
    requisites_error: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], url: str) -> PageAnalysis:
        extraction = None
        if "extraction" in data:
            extraction = read_extraction(data["extraction"], url)
        elif "extraction_error" in data:
            extraction = Extraction.failed(url, data["extraction_error"])
        found = data.get("requisites")
        return cls(kind=PageKind(*data["kind"]), extraction=extraction,
                   requisites=None if found is None else tuple(Requisite(*item) for item in found),
                   requisites_error=data.get("requisites_error"))


def read_extraction(result: Any, url: str) -> Extraction:
    """A worker's extraction dict read back; a custom ``EXTRACT_FUNCTION`` that returned
    something else fails this page's text only, with the reason, never the page's capture."""
    try:
        return Extraction.from_dict(result)
    except (AttributeError, TypeError, ValueError) as error:
        return Extraction.failed(url, f"extractor returned no readable result: {error!r}")
