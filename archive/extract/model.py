"""The result of extracting one captured page: typed, frozen, and serialisable.

Extraction is *derived* data (it can be rebuilt from the WARC at any time), so the record says not
only what was found but why something is missing (``reason``, ``date_reason``): a catalog row with
an empty text and no reason would be indistinguishable from a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Comment:
    """One reader comment; ``parent`` is the id of the comment it replies to, if any."""

    id: str
    parent: str | None
    author: str | None
    published: datetime | None
    text: str
    anchor: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values; dates in ISO 8601 so the catalog and `--json` output agree."""
        return {
            "id": self.id,
            "parent": self.parent,
            "author": self.author,
            "published": _iso(self.published),
            "text": self.text,
            "anchor": self.anchor,
        }


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (lists for tuples, ISO 8601 strings for dates)."""
        return {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "author": self.author,
            "published": _iso(self.published),
            "modified": _iso(self.modified),
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
        }
