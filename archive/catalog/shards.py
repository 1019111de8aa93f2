"""Catalog shards: several crawler processes writing one archive, read back as one.

A scaled-out crawl (``REDIS_URL`` set, see ``crawler/scale.py``) runs one worker per process, on one
machine or several sharing the archive directory. Each worker appends its own WARC files (the worker
name ``HOST-PID`` ends their names) and its own catalog shard, ``catalogs/HOST-PID.sqlite``, so no two
processes ever write the same file. Workers hold the archive lock *shared* and their shard's lock
exclusively; a single-process crawl, ``reindex`` and ``merge`` hold the archive lock exclusively.

Readers see the main catalog plus every shard as one catalog, and ``blogarchive merge`` folds the
shards into ``catalog.sqlite`` (``archive/catalog/combined.py``, ``archive/maintain/merge.py``).
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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from archive.catalog import Catalog
from archive.layout import Layout, safe_component
from archive.lock import ArchiveLock, ArchiveLocked
from archive.store import PostStore

if TYPE_CHECKING:
    from archive.maintain.recovery import Recovery
from archive.urls import site_of
from archive.warc.files import open_warc_files

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
    from archive.maintain.recovery import Recovery  # the extractor loads only when recovery runs

    report = Recovery()
    with _recovery_turn(layout):
        stale: dict[str | None, list[Path]] = {}
        for path in open_warc_files(layout):
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
    from archive.maintain.recovery import _drop_dangling_rows, finish_open_file
    from archive.maintain.reindex import index_missing

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
