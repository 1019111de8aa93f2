"""Completeness audit for ``blogarchive verify``: archived posts whose page requisites are missing.

Why: a post's page is kept so that it can be shown as it looked, and that takes its stylesheets,
fonts, images and scripts. A requisite that failed, was too large or was never fetched leaves a
page that replays unstyled or with holes, and nothing else would say so. The audit reads each
post's latest capture back from the WARC, lists what it loads with the crawler's own function
(``archive/extract/requisites.py``, filtered by the same skip list of trackers and ad hosts), and
follows each archived stylesheet to its imports, fonts and background images (bounded depth, as
the crawl). A requisite counts as present when any response or revisit record has its URL: a
redirect or an error page is what the server answered, and replay shows that too.

Missing requisites are not damage (nothing in the archive is broken; the capture is incomplete),
so they are a separate "incomplete" section of the report; only ``verify --strict`` fails on them.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from archive.extract.dom import parse
from archive.extract.encoding import decode_html
from archive.extract.requisites import (
    ATTACHMENT,
    FONT,
    ICON,
    IMAGE,
    MEDIA,
    SCRIPT,
    STYLESHEET,
    Requisite,
    page_requisites,
    stylesheet_requisites,
)
from archive.extract.trackers import TRACKER_HOSTS, url_listed
from archive.layout import Layout
from archive.maintain.reextract import charset_of
from archive.urls import url_key
from archive.warc.files import warc_path
from archive.warc.reader import ReadOptions, StoredRecord, always, iter_records

# What each ARCHIVE_REQUISITES value fetches, hence what the audit expects.
KINDS = {
    "all": frozenset({IMAGE, STYLESHEET, SCRIPT, ICON, MEDIA, FONT}),
    "images": frozenset({IMAGE}),
    "none": frozenset(),
}
CSS_DEPTH = 3       # @import chains followed this deep, as the crawl does
CSS_MAX_BYTES = 4 << 20  # a stylesheet larger than this is not read for url()s
Place = tuple[str, int]  # WARC file name (final), offset


@dataclass(frozen=True)
class AuditOptions:
    kinds: frozenset[str] = KINDS["all"]
    skip_hosts: frozenset[str] = frozenset(TRACKER_HOSTS)
    css_depth: int = CSS_DEPTH


EVERYTHING = AuditOptions()  # the crawl's defaults: every kind, the default skip list

@dataclass(frozen=True)
class Incomplete:
    post: str
    missing: list[str]


@dataclass
class CompletenessReport:
    posts_checked: int = 0
    requisites_checked: int = 0  # distinct (post, requisite) pairs looked up
    incomplete: list[Incomplete] = field(default_factory=list)
    unreadable: int = 0  # posts whose page could not be read (verify reports why)

    @property
    def missing(self) -> int:
        return sum(len(post.missing) for post in self.incomplete)

    def to_dict(self) -> dict[str, Any]:
        return {"posts_checked": self.posts_checked,
                "requisites_checked": self.requisites_checked,
                "posts_incomplete": len(self.incomplete), "missing": self.missing,
                "unreadable": self.unreadable,
                "incomplete": [{"post": p.post, "missing": p.missing} for p in self.incomplete]}


class ArchivedUrls:
    """Every URL with a response or revisit record, and where its latest body can be read.

    Filled record by record during verify's one pass over the WARCs (no second read of them):
    a few hundred bytes per URL, so 100,000 requisites cost tens of MB.
    """

    def __init__(self) -> None:
        self.places: dict[str, Place] = {}  # url key -> latest response, or a revisit's record id
        self.revisits: dict[str, str] = {}  # url key -> WARC-Refers-To of its latest revisit
        self.by_id: dict[str, Place] = {}   # response record id -> place

    def add(self, stored: StoredRecord) -> None:
        kind = stored.record.rec_type
        if kind not in ("response", "revisit"):
            return
        key = url_key(stored.header("WARC-Target-URI"))
        place = (stored.file.name.removesuffix(".open"), stored.offset)
        if kind == "response":
            self.places[key] = place
            self.revisits.pop(key, None)
            self.by_id[stored.header("WARC-Record-ID")] = place
        else:
            self.revisits[key] = stored.header("WARC-Refers-To")
            self.places.setdefault(key, place)

    def __contains__(self, url: str) -> bool:
        return url_key(url) in self.places

    def body_place(self, url: str) -> Place | None:
        """Where the body of ``url``'s latest capture is (a revisit's original response)."""
        key = url_key(url)
        refers = self.revisits.get(key)
        if refers:
            return self.by_id.get(refers, self.places.get(key))
        return self.places.get(key)


def read_stored(layout: Layout, place: Place) -> StoredRecord | None:
    """The record starting at ``place``, its body kept; None when none is readable there."""
    try:
        path = warc_path(layout, place[0])
        options = ReadOptions(keep_body=always, start=place[1], resync=False)
        with closing(iter_records(path, options)) as records:
            stored = next(records, None)
    except (OSError, ValueError):
        return None
    return stored if stored is not None and stored.offset == place[1] else None


class _Auditor:
    """One audit: the stylesheets already followed are remembered, each read once per run."""

    def __init__(self, layout: Layout, archived: ArchivedUrls, options: AuditOptions) -> None:
        self.layout = layout
        self.archived = archived
        self.options = options
        self.css: dict[str, list[Requisite]] = {}  # stylesheet URL -> what it loads

    def wanted(self, requisites: Iterable[Requisite]) -> list[Requisite]:
        return [r for r in requisites if r.kind in self.options.kinds
                and r.kind != ATTACHMENT and not url_listed(r.url, self.options.skip_hosts)]

    def page(self, html: bytes, charset: str | None, url: str) -> tuple[int, list[str]]:
        """How many requisites one page has, and those the archive lacks, in document order."""
        needed = self.wanted(page_requisites(parse(decode_html(html, charset).text), url))
        seen = {r.url for r in needed}
        missing: list[str] = []
        for depth in range(self.options.css_depth + 1):
            deeper: list[Requisite] = []
            for requisite in needed:
                if requisite.url not in self.archived:
                    missing.append(requisite.url)
                elif requisite.kind == STYLESHEET and depth < self.options.css_depth:
                    for inner in self.wanted(self.stylesheet(requisite.url)):
                        if inner.url not in seen:
                            seen.add(inner.url)
                            deeper.append(inner)
            needed = deeper
        return len(seen), missing

    def stylesheet(self, url: str) -> list[Requisite]:
        if url not in self.css:
            self.css[url] = []
            place = self.archived.body_place(url)
            stored = read_stored(self.layout, place) if place else None
            if stored is not None and stored.body is not None and len(stored.body) <= CSS_MAX_BYTES:
                body = _content(stored)
                if body is not None:
                    try:
                        text = body.decode(charset_of(stored.record) or "utf-8", "replace")
                    except LookupError:  # an unknown charset label
                        text = body.decode("utf-8", "replace")
                    self.css[url] = stylesheet_requisites(text, url)
        return self.css[url]


def audit(layout: Layout, posts: Iterable[tuple[str, str, int]], archived: ArchivedUrls,
          options: AuditOptions = EVERYTHING) -> CompletenessReport:
    """Check each post ``(url, warc_file, warc_offset)`` (its latest capture) against
    ``archived``; a post whose page cannot be read is counted as unreadable, never raised."""
    report = CompletenessReport()
    auditor = _Auditor(layout, archived, options)
    for url, warc_file, offset in posts:
        stored = read_stored(layout, (warc_file, int(offset)))
        if stored is not None and stored.record.rec_type == "revisit":  # a 304: the original
            original = archived.by_id.get(stored.header("WARC-Refers-To"))
            stored = read_stored(layout, original) if original else None
        html = _content(stored) if stored is not None else None
        if stored is None or html is None:
            report.unreadable += 1
            continue
        report.posts_checked += 1
        checked, missing = auditor.page(html, charset_of(stored.record),
                                        stored.header("WARC-Target-URI") or url)
        report.requisites_checked += checked
        if missing:
            report.incomplete.append(Incomplete(url, missing))
    return report


def _content(stored: StoredRecord) -> bytes | None:
    """The decoded body, or None when it cannot be decoded (damage verify reports elsewhere)."""
    if stored.record.http_headers is None:
        return None
    try:
        return stored.content()
    except (ValueError, OSError, EOFError, zlib.error):
        return None
