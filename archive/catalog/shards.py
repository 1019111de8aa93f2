"""Catalog shards: several crawler processes writing one archive, read back as one.

A scaled-out crawl (``REDIS_URL`` set, see ``crawler/scale.py``) runs one worker per process, on one
machine or several sharing the archive directory. Each worker appends its own WARC files (the worker
name ``HOST-PID`` ends their names) and its own catalog shard, ``catalogs/HOST-PID.sqlite``, so no two
processes ever write the same file. Workers hold the archive lock *shared* and their shard's lock
exclusively (``archive/lock.py``); a single-process crawl, ``reindex`` and ``merge`` hold the archive
lock exclusively. A dead worker's files are recovered by ``archive/maintain/workers.py``.

Readers see the main catalog plus every shard as one catalog, and ``blogarchive merge`` folds the
shards into ``catalog.sqlite`` (``archive/catalog/combined.py``, ``archive/maintain/merge.py``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import Catalog
from archive.layout import Layout
from archive.urls import site_of


def shard_paths(layout: Layout) -> list[Path]:
    return sorted(layout.shard_dir.glob("*.sqlite")) if layout.shard_dir.is_dir() else []


def catalog_paths(layout: Layout) -> list[Path]:
    """The main catalog (when there is one) and every shard: all the catalog rows of the archive."""
    main = [layout.catalog_path] if layout.catalog_path.exists() else []
    return main + shard_paths(layout)


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

    def newest_version(self, url: str) -> tuple[int, str | None] | None:
        """The newest version anywhere in the archive; the hash of this shard's own post once
        it has one (a post adopted here without versions gets a new version)."""
        own = super().newest_version(url)
        known = self.known(url)
        if known is None:
            return own
        version = max(own[0] if own else 0, known.version)
        if own is not None or self.has_post(url):
            return version, own[1] if own else None
        return version, known.content_hash

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
