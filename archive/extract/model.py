"""The result of extracting one captured page: typed, frozen, and serialisable.

Extraction is *derived* data (it can be rebuilt from the WARC at any time), so the record says not
only what was found but why something is missing (``reason``, ``date_reason``): a catalog row with
an empty text and no reason would be indistinguishable from a bug.

It is a dict only while it crosses the process boundary: the worker sends ``to_dict()``, the
crawler reads it back with ``from_dict`` (which also accepts the dict of a custom
``EXTRACT_FUNCTION``), and everything after that (item, store, catalog) takes the typed value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archive.when import parse_iso

# Reasons whose start names a kind of failure the crawl counts apart (``Extraction.counter``).
TOO_LARGE = "page too large to extract"
UNPARSABLE = "HTML the parser could not read"
# EXTRACT_MAX_HTML_BYTES: 8 MiB is ten times the largest post page of the fixture blogs with all
# their comments; a 50 MB page of 3.5 M elements took 1.6 GB to parse and trafilatura's time grows
# faster than the page (1 MB of dense paragraphs: 77 s, 2 MB: 415 s).
DEFAULT_MAX_HTML_BYTES = 8 * 1024 * 1024


def iso(value: datetime | None) -> str | None:
    """A date as the catalog, the sidecar and ``--json`` write it (ISO 8601), None as None."""
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Comment:
    """One reader comment; ``parent`` is the id of the comment it replies to, if any.

    ``markdown`` keeps the comment's paragraphs, links, quotes, emphasis and code; ``text`` is the
    same content as plain text, for search. Empty for an archive extracted before it existed.
    """

    id: str
    parent: str | None
    author: str | None
    published: datetime | None
    text: str
    anchor: str | None
    markdown: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values; dates in ISO 8601 so the catalog and `--json` output agree.

        ``markdown`` is left out when empty, so a comment without it (an archive extracted
        before it existed) gives the dict, and the content hash, it always gave.
        """
        data = {
            "id": self.id,
            "parent": self.parent,
            "author": self.author,
            "published": iso(self.published),
            "text": self.text,
            "anchor": self.anchor,
        }
        if self.markdown:
            data["markdown"] = self.markdown
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Comment:
        """Back from ``to_dict``; only ``id`` is required, as the catalog always required it."""
        return cls(id=data["id"], parent=data.get("parent"), author=data.get("author"),
                   published=parse_iso(data.get("published")), text=data.get("text") or "",
                   anchor=data.get("anchor"), markdown=data.get("markdown") or "")


@dataclass(frozen=True)
class Image:
    """An image of the post body: its URL (the one the crawl archived), alt text and caption."""

    url: str
    alt: str | None = None
    caption: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "alt": self.alt, "caption": self.caption}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Image:
        return cls(url=str(data.get("url") or ""), alt=data.get("alt"), caption=data.get("caption"))


@dataclass(frozen=True)
class Extraction:
    """Clean post text plus metadata; ``text`` never holds title, dateline, chrome or comments."""

    url: str
    canonical_url: str | None
    title: str | None
    author: str | None
    published: datetime | None
    modified: datetime | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    language: str | None
    site_name: str | None
    image: str | None
    text: str
    word_count: int
    comments: tuple[Comment, ...]
    reason: str | None = None
    date_reason: str | None = None
    # The body as Markdown (structure, links, images) and its images; derived from the same
    # trafilatura tree as ``text``. Empty for an archive extracted before they existed.
    markdown: str = ""
    images: tuple[Image, ...] = ()
    failure: bool = False  # made by ``failed``: the extractor gave nothing back, only a reason

    @classmethod
    def failed(cls, url: str, reason: str) -> Extraction:
        """No extraction at all (timeout, crashed worker, extractor error, extraction switched
        off): an empty text with the reason, so the page is still archived and cataloged."""
        return cls(url=url, canonical_url=None, title=None, author=None, published=None,
                   modified=None, categories=(), tags=(), language=None, site_name=None,
                   image=None, text="", word_count=0, comments=(), reason=reason, failure=True)

    @classmethod
    def too_large(cls, url: str, size: int, limit: int) -> Extraction:
        """Refused before parsing: a page this large would cost gigabytes (a 50 MB page of 3.5 M
        elements took 1.6 GB to parse); its bytes are in the WARC, for a re-extraction."""
        return cls.failed(url, f"{TOO_LARGE}: {size} bytes > EXTRACT_MAX_HTML_BYTES={limit} "
                               "(archived whole in the WARC)")

    @property
    def counter(self) -> str | None:
        """The ``extract/`` stats counter for this failure's kind, None for other outcomes."""
        reason = self.reason or ""
        if reason.startswith(TOO_LARGE):
            return "extract/too_large"
        if reason.startswith(UNPARSABLE):
            return "extract/unparsable"
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (lists for tuples, ISO 8601 strings for dates).

        A failure keeps the four keys failures always had: the sidecar shows them and the content
        hash reads them, so a page failing again on a re-crawl is not a new version.
        """
        if self.failure:
            return {"text": "", "word_count": 0, "comments": [], "reason": self.reason}
        return {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "author": self.author,
            "published": iso(self.published),
            "modified": iso(self.modified),
            "categories": list(self.categories),
            "tags": list(self.tags),
            "language": self.language,
            "site_name": self.site_name,
            "image": self.image,
            "text": self.text,
            "word_count": self.word_count,
            "comments": [c.to_dict() for c in self.comments],
            "reason": self.reason,
            "date_reason": self.date_reason,
            "markdown": self.markdown,
            "images": [i.to_dict() for i in self.images],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Extraction:
        """Back from ``to_dict`` in the crawler process. A missing key reads as empty, as the
        pipeline's ``.get`` read the dict of a custom ``EXTRACT_FUNCTION`` before."""
        return cls(
            url=data.get("url") or "",
            canonical_url=data.get("canonical_url"),
            title=data.get("title"),
            author=data.get("author"),
            published=parse_iso(data.get("published")),
            modified=parse_iso(data.get("modified")),
            categories=tuple(data.get("categories") or ()),
            tags=tuple(data.get("tags") or ()),
            language=data.get("language"),
            site_name=data.get("site_name"),
            image=data.get("image"),
            text=data.get("text") or "",
            word_count=int(data.get("word_count") or 0),
            comments=tuple(Comment.from_dict(c) for c in data.get("comments") or ()),
            reason=data.get("reason"),
            date_reason=data.get("date_reason"),
            markdown=data.get("markdown") or "",
            images=tuple(Image.from_dict(i) for i in data.get("images") or ()),
        )
