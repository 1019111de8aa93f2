"""Catalog shards: several crawler processes writing one archive, read back as one.

A scaled-out crawl (``REDIS_URL`` set, see ``crawler/scale.py``) runs one worker per process, on one
machine or several sharing the archive directory. Each worker appends its own WARC files (the worker
name ``HOST-PID`` ends their names) and its own catalog shard, ``catalogs/HOST-PID.sqlite``, so no two
processes ever write the same file. Workers hold the archive lock *shared* and their shard's lock
exclusively; a single-process crawl, ``reindex`` and ``merge`` hold the archive lock exclusively.

Readers see the main catalog plus every shard as one catalog (``open_combined``); ``merge_shards``
folds the shards into ``catalog.sqlite`` and removes them once committed (they are derived data).
"""

from __future__ import annotations

import fcntl
import os
import re
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from archive.catalog import Catalog
from archive.layout import Layout, safe_component
from archive.lock import ArchiveLock, ArchiveLocked
from archive.store import PostStore

if TYPE_CHECKING:
    from archive.recovery import Recovery
from archive.urls import site_of
from archive.warcfile import OPEN_SUFFIX

# PREFIX-YYYYmmddHHMMSSfff-NNNNN-WRITER.warc.gz: WRITER is HOST, or HOST-PID for a worker.
WARC_WRITER = re.compile(r"-\d{17}-\d{5}-(?P<writer>.+)\.warc\.gz(?:\.open)?$")


def worker_name() -> str:
    """``HOST-PID``: unique among processes sharing an archive, and safe in file names."""
    host = safe_component(socket.gethostname().split(".")[0]) or "host"
    return f"{host}-{os.getpid()}"


def shard_paths(layout: Layout) -> list[Path]:
    return sorted(layout.shard_dir.glob("*.sqlite")) if layout.shard_dir.is_dir() else []


def catalog_paths(layout: Layout) -> list[Path]:
    """The main catalog (when there is one) and every shard: all the catalog rows of the archive."""
    main = [layout.catalog_path] if layout.catalog_path.exists() else []
    return main + shard_paths(layout)


# -- locks ------------------------------------------------------------------------------------
class WorkerLock:
    """A worker's hold on a shared archive: the archive lock shared, its own shard lock exclusive."""

    def __init__(self, layout: Layout, name: str) -> None:
        self.layout = layout
        self.shard = ArchiveLock(layout.shard_dir / f"{name}.lock")
        self.handle: TextIO | None = None
        self.took_over: dict[str, Any] | None = None  # as ArchiveLock: never, names are unique

    def acquire(self, wait: float = 0.0, poll: float = 0.5) -> None:
        """Raise ArchiveLocked while a single-process crawl, ``merge`` or ``reindex`` runs."""
        self.layout.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.layout.lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - until release
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise ArchiveLocked("a single-process crawl, merge or reindex holds the "
                                        "archive exclusively") from None
                time.sleep(poll)
        self.handle = handle
        self.shard.acquire()

    def release(self) -> None:
        self.shard.release()
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def worker_alive(layout: Layout, name: str) -> bool:
    """True while the worker holds its shard lock (False when unknown: another machine's lock
    on a file system that does not share ``flock`` locks)."""
    path = layout.shard_dir / f"{name}.lock"
    try:
        with open(path, encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
    except FileNotFoundError:
        pass
    return False


@contextmanager
def _recovery_turn(layout: Layout) -> Iterator[None]:
    """One process at a time looks for dead workers (short: only their unfinished files)."""
    layout.shard_dir.mkdir(parents=True, exist_ok=True)
    with open(layout.shard_dir / ".recovery.lock", "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- recovery ---------------------------------------------------------------------------------
def recover_dead_workers(layout: Layout, own: str | None = None) -> Recovery:
    """Finish the ``.open`` WARCs of workers that died (their shard lock is free) and drop their
    shard rows pointing past the end of a file.

    Complete captures without a row are *not* re-extracted here: the dead worker's unfinished
    requests go back to the shared queue and another worker fetches them again, so re-extracting
    would archive those posts twice. ``.open`` files of a crashed single-process crawl (no worker
    name) get the usual recovery into the main catalog.
    """
    from archive.recovery import Recovery  # the extractor loads only when recovery runs

    report = Recovery()
    with _recovery_turn(layout):
        stale: dict[str | None, list[Path]] = {}
        for path in sorted(layout.warc_dir.glob(f"*{OPEN_SUFFIX}")):
            match = WARC_WRITER.search(path.name)
            writer = match["writer"] if match else None
            stale.setdefault(writer if _is_worker(layout, writer) else None, []).append(path)
        workers = {p.stem for p in layout.shard_dir.glob("*.lock")} | {w for w in stale if w}
        for name in sorted(workers - {own, ".recovery"}):
            lock = ArchiveLock(layout.shard_dir / f"{name}.lock")
            try:
                lock.acquire()
            except ArchiveLocked:
                continue  # alive
            try:
                _recover_files(layout, stale.get(name, []), layout.shard_path(name), report,
                               reextract=False)
            finally:
                lock.release()
                (layout.shard_dir / f"{name}.lock").unlink(missing_ok=True)
        if stale.get(None):
            _recover_files(layout, stale[None], layout.catalog_path, report, reextract=True)
    return report


def _is_worker(layout: Layout, writer: str | None) -> bool:
    """A worker's files (its lock or shard exists), not a single-process crawl's."""
    return writer is not None and ((layout.shard_dir / f"{writer}.lock").exists()
                                   or layout.shard_path(writer).exists())


def _recover_files(layout: Layout, open_files: list[Path], catalog_path: Path, report: Recovery,
                   reextract: bool) -> None:
    from archive.recovery import _drop_dangling_rows, finish_open_file
    from archive.reindex import index_missing

    finished = [f for p in open_files if (f := finish_open_file(p, report)) is not None]
    if not catalog_path.exists() and not (reextract and finished):
        return
    catalog = Catalog(catalog_path)
    try:
        report.rows_removed += _drop_dangling_rows(layout, catalog)
        if reextract:
            store, known = PostStore(layout, catalog), catalog.record_ids()
            report.reextracted += sum(index_missing(store, path, known) for path in finished)
    finally:
        catalog.close()


# -- a worker's shard -------------------------------------------------------------------------
@dataclass(frozen=True)
class Known:
    """What the rest of the archive holds about one post."""

    version: int
    content_hash: str | None
    first_seen: str
    deleted_at: str | None


class ShardCatalog(Catalog):
    """A worker's catalog shard that numbers versions after what the rest of the archive holds.

    Versions, unchanged posts and deletions are decided against the main catalog and the shards
    that existed when the worker started (read-only), so a re-crawl by several workers records
    the same versions a single process would.
    """

    def __init__(self, layout: Layout, name: str) -> None:
        path = layout.shard_path(name)
        super().__init__(path)
        self.others = [sqlite3.connect(f"file:{p}?mode=ro", uri=True)
                       for p in catalog_paths(layout) if p != path]

    def close(self) -> None:
        for db in self.others:
            db.close()
        super().close()

    def known(self, url: str) -> Known | None:
        best: Known | None = None
        for db in self.others:
            row = db.execute(
                """SELECT v.version, v.content_hash, p.first_seen, p.deleted_at FROM posts p
                   JOIN versions v ON v.post_id = p.id WHERE p.url = ?
                   ORDER BY v.captured_at DESC, v.version DESC LIMIT 1""", (url,)).fetchone()
            if row is not None and (best is None or row[0] > best.version):
                best = Known(*row)
        return best

    def latest_content_hash(self, url: str) -> str | None:
        own = super().latest_content_hash(url)
        if own is not None or self.has_post(url):
            return own
        known = self.known(url)
        return known.content_hash if known else None

    def next_version(self, url: str) -> int:
        known = self.known(url)
        return max(super().next_version(url), (known.version + 1) if known else 1)

    def touch(self, url: str, seen: str) -> None:
        self._adopt(url)
        super().touch(url, seen)

    def mark_deleted(self, url: str, seen_gone: str) -> bool:
        known = None if self.has_post(url) else self.known(url)
        if known is not None and known.deleted_at:
            return False
        self._adopt(url)
        return super().mark_deleted(url, seen_gone)

    def _adopt(self, url: str) -> None:
        """A posts row without versions, so ``merge`` carries last_seen and deleted_at over."""
        if self.has_post(url) or (known := self.known(url)) is None:
            return
        with self.db:
            self.db.execute("INSERT INTO posts (url, site, first_seen, last_seen) VALUES (?,?,?,?)",
                            (url, site_of(url), known.first_seen, known.first_seen))


# -- reading and merging ----------------------------------------------------------------------
@dataclass
class MergeReport:
    shards: list[str] = field(default_factory=list)
    versions: int = 0       # versions added to the target
    duplicates: int = 0     # already there (same record) or identical to the version before
    posts: int = 0          # posts touched

    def to_dict(self) -> dict[str, Any]:
        return {"shards": self.shards, "versions": self.versions, "duplicates": self.duplicates,
                "posts": self.posts}


def open_combined(layout: Layout) -> Catalog:
    """The main catalog, or (when shards exist) an in-memory read view of it plus every shard."""
    shards = shard_paths(layout)
    if not shards:
        return Catalog(layout.catalog_path)
    view = Catalog(Path(":memory:"))
    if layout.catalog_path.exists():
        source = sqlite3.connect(f"file:{layout.catalog_path}?mode=ro", uri=True)
        try:
            source.backup(view.db)
        finally:
            source.close()
    for shard in shards:
        fold(view, shard, MergeReport())
    return view


def merge_shards(layout: Layout) -> MergeReport:
    """Fold every shard into ``catalog.sqlite``, then remove each one after its commit.

    Idempotent: a version whose WARC record is already catalogued is skipped, so a merge
    interrupted between the commit and the removal is simply run again. The caller holds the
    archive lock exclusively (no worker is writing).
    """
    report = MergeReport()
    if not shard_paths(layout):
        return report
    recover_dead_workers(layout)
    target = Catalog(layout.catalog_path)
    try:
        for shard in shard_paths(layout):
            fold(target, shard, report)
            report.shards.append(shard.name)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{shard}{suffix}").unlink(missing_ok=True)
    finally:
        target.close()
    return report


def fold(target: Catalog, shard: Path, report: MergeReport) -> None:
    """Copy one shard's posts, versions and comments into ``target`` in one transaction.

    Versions of a post are renumbered by capture time; a version identical in content to the one
    captured just before it (a post fetched again after a worker died) is not added twice.
    """
    db = target.db
    source = sqlite3.connect(f"file:{shard}?mode=ro", uri=True)
    source.row_factory = sqlite3.Row
    try:
        with db:
            for post in source.execute("SELECT * FROM posts ORDER BY url"):
                post_id = _merge_post(db, post)
                report.posts += 1
                versions = source.execute(
                    "SELECT * FROM versions WHERE post_id = ? ORDER BY captured_at, version",
                    (post["id"],)).fetchall()
                for version in versions:
                    if _add_version(db, source, post_id, version):
                        report.versions += 1
                    else:
                        report.duplicates += 1
                _renumber(db, post_id)
    finally:
        source.close()


def _merge_post(db: sqlite3.Connection, post: sqlite3.Row) -> int:
    row = db.execute("SELECT id, first_seen, last_seen, deleted_at FROM posts WHERE url = ?",
                     (post["url"],)).fetchone()
    if row is None:
        cursor = db.execute(
            "INSERT INTO posts (url, site, first_seen, last_seen, deleted_at) VALUES (?,?,?,?,?)",
            (post["url"], post["site"], post["first_seen"], post["last_seen"], post["deleted_at"]))
        return int(cursor.lastrowid or 0)
    newer = post["last_seen"] >= row[2] if post["deleted_at"] is None else \
        post["deleted_at"] >= max(row[2], row[3] or "")
    db.execute("UPDATE posts SET first_seen = ?, last_seen = ?, deleted_at = ? WHERE id = ?",
               (min(row[1], post["first_seen"]), max(row[2], post["last_seen"]),
                post["deleted_at"] if newer else row[3], row[0]))
    return int(row[0])


VERSION_COLUMNS = (
    "captured_at", "fetched_url", "title", "author", "published", "modified", "categories", "tags",
    "language", "site_name", "canonical_url", "image", "word_count", "reason", "text_path",
    "meta_path", "warc_file", "warc_offset", "warc_length", "record_id", "payload_digest", "etag",
    "last_modified", "content_hash")


def _add_version(db: sqlite3.Connection, source: sqlite3.Connection, post_id: int,
                 version: sqlite3.Row) -> bool:
    if db.execute("SELECT 1 FROM versions WHERE record_id = ?",
                  (version["record_id"],)).fetchone():
        return False
    before = db.execute(
        """SELECT content_hash FROM versions WHERE post_id = ? AND captured_at <= ?
           ORDER BY captured_at DESC, version DESC LIMIT 1""",
        (post_id, version["captured_at"])).fetchone()
    if before is not None and version["content_hash"] and before[0] == version["content_hash"]:
        return False
    top = db.execute("SELECT COALESCE(MAX(version), 0) FROM versions WHERE post_id = ?",
                     (post_id,)).fetchone()[0]
    names = ", ".join(VERSION_COLUMNS)
    cursor = db.execute(
        f"INSERT INTO versions (post_id, version, {names}) VALUES (?, ?, "
        f"{', '.join('?' * len(VERSION_COLUMNS))})",
        (post_id, int(top) + 1, *(version[name] for name in VERSION_COLUMNS)))
    db.executemany(
        """INSERT OR REPLACE INTO comments (version_id, comment_id, parent, author, published,
           text, anchor) VALUES (?,?,?,?,?,?,?)""",
        [(cursor.lastrowid, *tuple(c)[1:]) for c in source.execute(
            """SELECT version_id, comment_id, parent, author, published, text, anchor
               FROM comments WHERE version_id = ? ORDER BY rowid""", (version["id"],))])
    return True


def _renumber(db: sqlite3.Connection, post_id: int) -> None:
    """Version numbers follow capture time (a shard may hold an older capture than the target)."""
    ids = [row[0] for row in db.execute(
        "SELECT id FROM versions WHERE post_id = ? ORDER BY captured_at, version", (post_id,))]
    db.execute("UPDATE versions SET version = -version WHERE post_id = ?", (post_id,))
    db.executemany("UPDATE versions SET version = ? WHERE id = ?",
                   [(number, version_id) for number, version_id in enumerate(ids, 1)])
