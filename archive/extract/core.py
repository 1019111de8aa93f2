"""``extract_post``: one captured page in, one ``Extraction`` out, never an exception for bad HTML.

Works offline on bytes from a WARC (that is the point: re-extraction with a newer extractor is a
feature), so everything it needs comes in as arguments: the body, its URL, the HTTP charset and the
capture time (which anchors relative datelines such as "3 days ago").

Two bounds keep one page from costing the machine: a page over ``max_bytes``
(``EXTRACT_MAX_HTML_BYTES``) is refused before it is decoded or parsed, and an error of lxml itself
(libxml2's XPath gives ``XPathEvalError: unknown error`` past ~10 M nodes) ends this page with a
reason. Either way the page keeps its catalog row; its bytes stay in the WARC for a later try.
"""

from __future__ import annotations

import re
from datetime import datetime

from lxml import etree
from lxml.html import HtmlElement

from archive.extract import jsonld
from archive.extract.body import Body, BodyOptions, extract_body
from archive.extract.comments import read_comments
from archive.extract.dates import read_dates
from archive.extract.dom import css, parse, select, text_of
from archive.extract.encoding import decode_html
from archive.extract.metadata import post_root, read_metadata
from archive.extract.model import DEFAULT_MAX_HTML_BYTES, UNPARSABLE, Extraction


def _strip_title(body: Body, title: str | None) -> Body:
    """Drop a leading paragraph that repeats the title (some themes put it inside the content),
    from the text and the Markdown alike (there, the first block that reads as the title: an
    image before it has no text)."""
    if title and body.text.startswith(title):
        head, _, rest = body.text.partition("\n\n")
        if head.strip() == title.strip():
            blocks = body.markdown.split("\n\n")
            repeat = next((i for i, b in enumerate(blocks[:3]) if _reads(b) == title.strip()),
                          next((i for i, b in enumerate(blocks) if not b.startswith(_IMAGES)), None))
            if repeat is not None:
                del blocks[repeat]
            return Body(rest, "\n\n".join(blocks), body.images)
    return body


_IMAGES = ("![", "[![")  # Markdown blocks that have no text
_TIME, _LINKS = css("time"), css("a")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _flat(text: str) -> str:
    return " ".join(_MARKDOWN_LINK.sub(r"\1", text).split())


def _dateline(root: HtmlElement) -> str | None:
    """The text of the block holding the page's one ``<time>`` when that block is a dateline: the
    date, its links (tags, author) and separators, no other word ("3 January 2021 · intro")."""
    times = select(root, _TIME)
    block = next(times[0].iterancestors("p", "div", "ul", "header"), None) if len(times) == 1 else None
    if block is None:
        return None
    rest = _flat(text_of(block) or "")
    for part in [text_of(times[0]) or "", *(text_of(a) or "" for a in select(block, _LINKS))]:
        rest = rest.replace(" ".join(part.split()), " ", 1) if part.strip() else rest
    return _flat(text_of(block) or "") if not re.search(r"\w", rest) else None


def _strip_dateline(body: Body, line: str | None) -> Body:
    """Drop a leading paragraph that is the post's dateline, from the text and the Markdown: a
    theme without a content container (the Eleventy base blog) leaves it to trafilatura, which
    keeps it, and on a short post it is a fifth of the text."""
    head, _, rest = body.text.partition("\n\n")
    if not line or not rest or _flat(head) != line:
        return body
    blocks = body.markdown.split("\n\n")
    repeat = next((i for i, b in enumerate(blocks[:3]) if _flat(b) == line), None)
    if repeat is not None:
        del blocks[repeat]
    return Body(rest, "\n\n".join(blocks), body.images)


def _reads(block: str) -> str:
    """A Markdown block as its text reads: heading marks and backslash escapes gone."""
    return re.sub(r"\\(.)", r"\1", block.lstrip("#").strip())


def extract_post(
    html: str | bytes,
    url: str,
    *,
    encoding: str | None = None,
    captured_at: datetime | None = None,
    options: BodyOptions | None = None,
    max_bytes: int = DEFAULT_MAX_HTML_BYTES,
) -> Extraction:
    """Clean text and metadata of a blog post page. ``encoding`` is the HTTP header's charset;
    a page over ``max_bytes`` (0: no limit) is refused with the reason ``Extraction.too_large``."""
    if max_bytes and len(html) > max_bytes:  # characters for a str: near enough, and no copy
        return Extraction.too_large(url, len(html), max_bytes)
    try:
        return _extract(html, url, encoding, captured_at, options)
    except etree.LxmlError as error:
        return Extraction.failed(url, f"{UNPARSABLE} ({type(error).__name__}: {error})")


def _extract(html: str | bytes, url: str, encoding: str | None, captured_at: datetime | None,
             options: BodyOptions | None) -> Extraction:
    root = parse(decode_html(html, encoding).text)
    graph = jsonld.entities(root)  # parsed once, read by metadata and dates
    post = post_root(root)
    meta = read_metadata(root, post, graph, url)
    dates = read_dates(root, post, graph, meta.language, captured_at)
    comments = tuple(read_comments(root, meta.language, url))
    dateline = _dateline(root)  # before the body's extraction prunes the tree
    body = _strip_dateline(_strip_title(extract_body(root, url, options), meta.title), dateline)
    text = body.text
    return Extraction(
        url=url,
        canonical_url=meta.canonical_url,
        title=meta.title,
        author=meta.author,
        published=dates.published,
        modified=dates.modified,
        categories=meta.categories,
        tags=meta.tags,
        language=meta.language,
        site_name=meta.site_name,
        image=meta.image,
        text=text,
        word_count=len(text.split()),
        comments=comments,
        reason=None if text else "no main text found",
        date_reason=dates.reason,
        markdown=body.markdown,
        images=body.images,
    )
