"""Rebuild the whole catalog and search index from the WARCs alone (``blogarchive reindex``).

Why: the catalog and clean text are derived data. Re-running today's extractor over old captures
improves an old archive without re-crawling, and a lost or damaged catalog can always be made again.

The WARCs are read in the order they were written (file names start with their creation time;
records in file order), replaying what the crawl did:

- a 200 HTML response that is a post page becomes a new version of its post (re-extracted), unless
  its payload is identical to the post's latest version (then it only counts as seen);
- a ``revisit`` record (304 or identical payload) means "unchanged": the post was seen, no version;
- a 404 or 410 for an archived post marks it deleted, with the date it was seen gone.

The new catalog is built in a temporary file beside the old one and moved into place in one rename,
so a reader sees the old catalog or the new one, never half of one. Text files are rewritten in
place (atomically each) from the new extraction. Differences from the crawl's catalog, by design:
posts a crawl skipped for ``since``/``until``/``max_posts`` are in the WARCs and come back.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from archive.catalog import Catalog, fulltext
from archive.extract import Extraction, extract_post, is_post_page
from archive.layout import Layout
from archive.maintain.reindex import charset_of
from archive.maintain.verify import offset_progress
from archive.store import PostStore
from archive.urls import canonical_url, post_key
from archive.warc.capture import WarcLocation

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


@dataclass
class RebuildReport:
    warc_files: int = 0
    records: int = 0
    versions: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: list[str] = field(default_factory=list)   # "url: reason" for partial extractions
    posts: int = 0


def warc_files(layout: Layout) -> list[Path]:
    """Finished WARC files in the order they were written (``.open`` files are still being
    written: recovery finishes them first)."""
    return sorted(layout.warc_dir.glob("*.warc.gz"))


def rebuild(layout: Layout, progress: Progress | None = None) -> RebuildReport:
    """Build a fresh catalog from the WARCs, then swap it in for the old one."""
    report = RebuildReport()
    files = warc_files(layout)
    report.warc_files = len(files)
    total = sum(path.stat().st_size for path in files)
    temporary = layout.root / f".catalog.rebuild-{os.getpid()}.sqlite"
    _remove_database(temporary)
    catalog = Catalog(temporary)
    try:
        replay = _Replay(PostStore(layout, catalog), report)
        done = 0
        for path in files:
            replay.read_file(path, offset_progress(progress, done, total))
            done += path.stat().st_size
        fulltext.rebuild(catalog.db, fulltext.file_reader(layout.root))
        report.posts = catalog.counts()["posts"]
        catalog.db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to move
    finally:
        catalog.close()
    _swap_in(temporary, layout.catalog_path)
    if progress:
        progress(total, total)
    return report


class _Replay:
    """What the crawl did with each record, done again against the new catalog."""

    def __init__(self, store: PostStore, report: RebuildReport) -> None:
        self.store = store
        self.report = report
        self.post_of: dict[str, str] = {}          # fetched URL -> post URL
        self.digest_of: dict[str, str | None] = {}  # post URL -> latest version's payload digest

    def read_file(self, path: Path, progress: Callable[[int], object]) -> None:
        with open(path, "rb") as handle:
            records = ArchiveIterator(handle)
            for record in records:
                self.report.records += 1
                if record.rec_type == "revisit" or (
                        record.rec_type == "response" and record.http_headers is not None):
                    self._record(record, records, path.name)
                progress(handle.tell())

    def _record(self, record: ArcWarcRecord, records: ArchiveIterator, filename: str) -> None:
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        date = _warc_date(record)
        known = self.post_of.get(url) or self.post_of.get(canonical_url(url))
        status = (record.http_headers.get_statuscode() or "") if record.http_headers else ""
        if record.rec_type == "revisit":  # a 304 revisit has no HTTP headers at all
            if known:
                self.store.catalog.touch(known, date.isoformat())
                self.report.unchanged += 1
        elif status in ("404", "410"):
            if known and self.store.catalog.mark_deleted(known, date.isoformat()):
                self.report.deleted += 1
        elif status == "200" and _is_html(record):
            html = record.content_stream().read()  # before the offset: asking for it reads on
            location = WarcLocation(
                filename=filename, offset=records.get_record_offset(),
                length=records.get_record_length(),
                record_id=record.rec_headers.get_header("WARC-Record-ID") or "",
                payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"))
            self._page(url, date, html, location, record)

    def _page(self, url: str, date: datetime, html: bytes, location: WarcLocation,
              record: ArcWarcRecord) -> None:
        if not is_post_page(html, url):
            return
        try:
            extraction = extract_post(html, url, encoding=charset_of(record), captured_at=date)
        except Exception as error:  # one bad page must not stop a rebuild: record why
            extraction = Extraction.failed(url, f"extractor error: {error!r}")
        key = post_key(url, extraction.canonical_url)
        self.post_of[url] = self.post_of[canonical_url(url)] = self.post_of[key] = key
        if key in self.digest_of and self.digest_of[key] == location.payload_digest:
            self.store.catalog.touch(key, date.isoformat())  # same bytes again: not a new version
            self.report.unchanged += 1
            return
        headers = record.http_headers
        self.store.save(key, url, date, extraction, location,
                        validators=(headers.get_header("ETag"), headers.get_header("Last-Modified")))
        self.digest_of[key] = location.payload_digest
        self.report.versions += 1
        if extraction.reason:
            self.report.failed.append(f"{url}: {extraction.reason}")


def _warc_date(record: ArcWarcRecord) -> datetime:
    return datetime.fromisoformat(record.rec_headers.get_header("WARC-Date").replace("Z", "+00:00"))


def _is_html(record: ArcWarcRecord) -> bool:
    return "html" in (record.http_headers.get_header("Content-Type") or "").lower()


def _swap_in(new: Path, target: Path) -> None:
    """Replace the catalog in one rename, after folding the old one's WAL into it (a stale
    ``-wal`` file beside the new catalog would otherwise be replayed into it)."""
    if target.exists():
        old = sqlite3.connect(target)
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            old.execute("PRAGMA journal_mode=DELETE")
        finally:
            old.close()
    os.replace(new, target)


def _remove_database(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        candidate.unlink(missing_ok=True)
