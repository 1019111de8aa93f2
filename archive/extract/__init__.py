"""HTML -> clean blog post: text, metadata, dates and comments, without Scrapy.

Usable offline to re-extract from WARCs::

    from archive.extract import extract_post
    post = extract_post(body_bytes, url, encoding="utf-8", captured_at=warc_date)

The body pipeline: decode -> parse -> choose the post container (``containers.MAIN_CONTAINERS``) ->
prune WordPress/Jetpack/plugin chrome by markup and prepare the tree (``prepare``) -> trafilatura
``bare_extraction`` -> write trafilatura's XML body out as text (``render``) and as Markdown
(``markdown``). Structure trafilatura would drop is carried through it as private-use marks
(``media``, ``structure``, ``marks``). Text is never filtered by phrase. A container that lost the
post (``guard``) is retried with trafilatura's own balance and against the whole page, and a page
without one gets trafilatura's balance: measured on real pages of other engines, ``bench/realpages.py``.

Conventions of the clean text (the fixture sidecars ``tests/fixtures/pages/*.expected.json`` are
written to them; they are trafilatura's structure, written out by ``render``):

- blocks (paragraphs, headings, captions, quotes, lists, tables, code) are separated by one blank
  line; a ``<br>`` is a line break inside a block; ``<br><br>`` starts a new paragraph;
- headings are plain lines, without markdown ``#``; no inline formatting marks;
- list items are one a line, ``- item``, or ``1. item`` for ``<ol>`` (numbered from its
  ``start``); nested lists are indented by two spaces a level;
- table rows are one line each, cells joined by `` | `` (header cells like any other);
- code (``<pre>``) is verbatim, indentation and blank lines included;
- captions and blockquote citations are paragraphs of their own; images are not in the text (their
  ``alt`` and caption are in ``Extraction.images`` and the Markdown), except emoji, which are the
  character they show; an embed is its title; a footnote reference is ``[1]``;
- every ``<pre>`` is code; a verse block keeps its lines;
- no-break spaces are kept; other runs of whitespace become one space.

trafilatura's options were chosen by measurement on the 41 fixture posts with a known body (exact
text match; the other options at the chosen values; ``python -m bench.extraction`` for speed):

=====================================================================  ======
option set                                                             exact
=====================================================================  ======
chosen: favor_recall, fast (container only), tables, min_extracted 0,  41/41
formatting, links and images (for the Markdown)
balanced (no favor_recall)                                             41/41
favor_precision (drops the seed post's subheading)                     40/41
fast=False (readability/jusText comparison)                            41/41
include_formatting=False (the text alone, before Markdown)             41/41
include_tables=False                                                   38/41
trafilatura's min_extracted_size (slower: baseline re-runs)            41/41
whole pruned page instead of the container                             39/41
no tree preparation (captions, citations, ``<br><br>``, nbsp lost)     34/41
``extract(output_format="txt")`` on the prepared tree, no ``render``    2/41
``extract(output_format="markdown")``, no ``render``                   24/41
plain ``trafilatura.extract`` on the raw page                           0/41
=====================================================================  ======

Ties were broken by speed (recall + fast is the fastest of the 41/41 sets).
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.extract.body import BodyOptions
    from archive.extract.core import extract_post
    from archive.extract.encoding import Decoded, decode_html
    from archive.extract.model import Comment, Extraction
    from archive.extract.page_type import is_post_page

# Loaded on first use: the crawler process needs only ``is_post_page`` (lxml), not trafilatura and
# dateparser, which live in the extraction workers (tens of MB per process saved).
_HOMES = {
    "BodyOptions": "archive.extract.body", "extract_post": "archive.extract.core",
    "Decoded": "archive.extract.encoding", "decode_html": "archive.extract.encoding",
    "Comment": "archive.extract.model", "Extraction": "archive.extract.model",
    "is_post_page": "archive.extract.page_type",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'archive.extract' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = ["BodyOptions", "Comment", "Decoded", "Extraction", "decode_html", "extract_post",
           "is_post_page"]
