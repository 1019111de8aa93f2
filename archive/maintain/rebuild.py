"""Rebuild the whole catalog and search index from the WARCs alone (``blogarchive reindex``).

Why: the catalog and clean text are derived data. Re-running today's extractor over old captures
improves an old archive without re-crawling, and a lost or damaged catalog can always be made again.

The WARCs are read in the order they were written (file names start with their creation time;
records in file order), replaying what the crawl did:

- a 200 HTML response that is a post page becomes a new version of its post (re-extracted), unless
  its payload is identical to the post's latest version (then it only counts as seen);
- a ``revisit`` record (304 or identical payload) means "unchanged": the post was seen, no version;
- a 404 or 410 for an archived post marks it deleted, with the date it was seen gone;
- a page requisite's full capture (a ``response`` with ``WARC-Resource-Type``, status 200, not
  truncated) becomes its URL's ``resources`` row, the latest capture winning: the rule the crawl's
  capture point applies (``archive/catalog/resources.py``), so the table comes back identical.
  Requisites never become posts.
- a 200 HTML response that is not a post page (home, listings, archives), not truncated, becomes
  its canonical URL's ``resources`` row of kind ``page``: the validators a repeat crawl asks
  for it with (README "Scheduled crawls").

The new catalog is built in a temporary file beside the old one and moved into place in one rename,
so a reader sees the old catalog or the new one, never half of one. A damaged old catalog (not a
database, cut short, a directory) never stops the rebuild: it is set aside as
``catalog.sqlite.broken-STAMP`` (kept, never deleted) and the new one takes its place. If the rebuild
itself fails, its temporary file is removed and the old catalog is left as it was. Text files are rewritten in
place (atomically each) from the new extraction. Differences from the crawl's catalog, by design:
posts a crawl skipped for ``since``/``until``/``max_posts`` are in the WARCs and come back.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from archive.catalog import Catalog, fulltext
from archive.catalog.db import fold_wal
from archive.catalog.health import CatalogDamaged, check_catalog
from archive.catalog.resources import PAGE, ResourceRow, upsert
from archive.extract import Extraction
from archive.layout import Layout
from archive.maintain.reextract import StoredPage, is_html_200, post_page, reextract, warc_date
from archive.maintain.verify import offset_progress
from archive.store import PostStore
from archive.urls import canonical_url, post_key
from archive.warc.files import warc_files
from archive.warc.reader import Damage, ReadOptions, StoredRecord, iter_records
from archive.warc.records import RESOURCE_TYPE

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
    damaged: list[str] = field(default_factory=list)  # "file:offset: reason", records skipped
    posts: int = 0
    resources: int = 0  # requisite captures catalogued (rows written, before the latest wins)
    set_aside: str | None = None  # name the damaged old catalog was kept under


def rebuild(layout: Layout, progress: Progress | None = None) -> RebuildReport:
    """Build a fresh catalog from the WARCs, then swap it in for the old one."""
    report = RebuildReport()
    files = warc_files(layout, include_open=False)  # recovery finishes ``.open`` files first
    report.warc_files = len(files)
    total = sum(path.stat().st_size for path in files)
    for stale in layout.root.glob(".catalog.rebuild-*.sqlite"):
        _remove_database(stale)  # left by a killed rebuild; ours holds the archive lock alone
    temporary = layout.root / f".catalog.rebuild-{os.getpid()}.sqlite"
    try:
        _build(layout, temporary, files, report, progress)
        report.set_aside = _swap_in(temporary, layout.catalog_path)
    except BaseException:
        _remove_database(temporary)  # a failed rebuild leaves nothing behind
        raise
    if progress:
        progress(total, total)
    return report


def _build(layout: Layout, temporary: Path, files: list[Path], report: RebuildReport,
           progress: Progress | None) -> None:
    total = sum(path.stat().st_size for path in files)
    catalog = Catalog(temporary)
    try:
        replay = _Replay(PostStore(layout, catalog), report)
        done = 0
        for path in files:
            replay.read_file(path, offset_progress(progress, done, total))
            done += path.stat().st_size
        fulltext.rebuild(catalog.db, fulltext.file_reader(layout.root))
        report.posts = catalog.counts()["posts"]
        catalog.single_file()  # one self-contained file to move
    finally:
        catalog.close()


class _Replay:
    """What the crawl did with each record, done again against the new catalog."""

    def __init__(self, store: PostStore, report: RebuildReport) -> None:
        self.store = store
        self.report = report
        self.post_of: dict[str, str] = {}          # fetched URL -> post URL
        self.digest_of: dict[str, str | None] = {}  # post URL -> latest version's payload digest
        self.resources: list[ResourceRow] = []      # this file's requisite captures

    def read_file(self, path: Path, progress: Callable[[int], object]) -> None:
        options = ReadOptions(keep_body=is_html_200, on_damage=self._damaged)
        for stored in iter_records(path, options):
            self.report.records += 1
            record = stored.record
            if record.rec_type == "revisit" or (
                    record.rec_type == "response" and record.http_headers is not None):
                self._record(stored)
            progress(stored.offset + stored.length)
        with self.store.catalog.db:  # one transaction per WARC file
            upsert(self.store.catalog.db, self.resources)
        self.report.resources += len(self.resources)
        self.resources = []

    def _damaged(self, damage: Damage) -> None:
        self.report.damaged.append(f"{damage.file.name}:{damage.offset}: {damage.reason}")

    def _record(self, stored: StoredRecord) -> None:
        record = stored.record
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        date = warc_date(record)
        known = self.post_of.get(url) or self.post_of.get(canonical_url(url))
        status = (record.http_headers.get_statuscode() or "") if record.http_headers else ""
        if stored.header(RESOURCE_TYPE):  # a page requisite: never a post
            if record.rec_type == "response" and status == "200" and \
                    not stored.header("WARC-Truncated"):
                self.resources.append(_resource_row(stored, url, date))
            return
        if record.rec_type == "revisit":  # a 304 revisit has no HTTP headers at all
            if known:
                self.store.catalog.touch(known, date.isoformat())
                self.report.unchanged += 1
        elif status in ("404", "410"):
            if known and self.store.catalog.mark_deleted(known, date.isoformat()):
                self.report.deleted += 1
        elif stored.body is not None and (page := post_page(stored)) is not None:
            self._page(page)
        elif stored.body is not None and not stored.header("WARC-Truncated"):
            self.resources.append(_page_row(stored, canonical_url(url), date))  # not a post

    def _page(self, page: StoredPage) -> None:
        url, date, location = page.url, page.date, page.location
        try:
            extraction = reextract(page)
        except Exception as error:  # one bad page must not stop a rebuild: record why
            extraction = Extraction.failed(url, f"extractor error: {error!r}")
        key = post_key(url, extraction.canonical_url)
        self.post_of[url] = self.post_of[canonical_url(url)] = self.post_of[key] = key
        if key in self.digest_of and self.digest_of[key] == location.payload_digest:
            self.store.catalog.touch(key, date.isoformat())  # same bytes again: not a new version
            self.report.unchanged += 1
            return
        self.store.save(key, url, date, extraction, location,
                        validators=(page.etag, page.last_modified))
        self.digest_of[key] = location.payload_digest
        self.report.versions += 1
        if extraction.reason:
            self.report.failed.append(f"{url}: {extraction.reason}")


def _resource_row(stored: StoredRecord, url: str, date: datetime) -> ResourceRow:
    http = stored.record.http_headers
    return ResourceRow(
        url=url, captured_at=date.astimezone(UTC).isoformat(),
        record_id=stored.header("WARC-Record-ID"),
        payload_digest=stored.header("WARC-Payload-Digest") or None,
        etag=http.get_header("ETag"), last_modified=http.get_header("Last-Modified"),
        status=200, kind=stored.header(RESOURCE_TYPE),
        warc_file=stored.file.name.removesuffix(".open"), warc_offset=stored.offset,
        warc_length=stored.length)


def _page_row(stored: StoredRecord, url: str, date: datetime) -> ResourceRow:
    """A page that is not a post: the crawl's ``page_row`` (``crawler/recrawl.py``) again."""
    return replace(_resource_row(stored, url, date), kind=PAGE)


def _swap_in(new: Path, target: Path) -> str | None:
    """Replace the catalog in one rename, after folding the old one's WAL into it (a stale
    ``-wal`` file beside the new catalog would otherwise be replayed into it). A damaged old
    catalog is renamed aside with its ``-wal`` and ``-shm`` instead; returns its new name."""
    aside = None
    if target.exists() or target.is_symlink():
        try:
            check_catalog(target)
            fold_wal(target)
        except (CatalogDamaged, sqlite3.DatabaseError, OSError):
            aside = _set_aside(target)
            logger.warning("the old catalog %s was damaged: kept as %s", target, aside.name)
    os.replace(new, target)
    return aside.name if aside else None


def _set_aside(target: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside, number = target.with_name(f"{target.name}.broken-{stamp}"), 1
    while aside.exists():
        number += 1
        aside = target.with_name(f"{target.name}.broken-{stamp}.{number}")
    os.replace(target, aside)
    for suffix in ("-wal", "-shm"):
        if Path(f"{target}{suffix}").exists():
            os.replace(f"{target}{suffix}", f"{aside}{suffix}")
    return aside


def _remove_database(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        candidate.unlink(missing_ok=True)
