"""Catalog shards read as one catalog, and folded into another catalog.

A scaled-out crawl leaves its rows in one shard per worker (``archive/catalog/shards.py``) until
``blogarchive merge`` folds them into ``catalog.sqlite`` (``archive/maintain/merge.py``). Readers
need every row before that: ``open_combined`` copies the main catalog into memory and folds every
shard into the copy, so nothing on disk changes, even while workers are still writing.

Folding renumbers a post's versions by capture time, since a shard may hold an older capture
than the catalog it is folded into.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from archive.catalog.db import Catalog
from archive.catalog.migrate import COMMENT_COLUMNS, comment_columns, migrate
from archive.catalog.resources import fold_resources
from archive.catalog.shards import shard_paths
from archive.layout import Layout

VERSION_COLUMNS = (
    "captured_at", "fetched_url", "title", "author", "published", "modified", "categories", "tags",
    "language", "site_name", "canonical_url", "image", "word_count", "reason", "text_path",
    "meta_path", "warc_file", "warc_offset", "warc_length", "record_id", "payload_digest", "etag",
    "last_modified", "content_hash")


@dataclass
class FoldCounts:
    versions: int = 0       # versions added to the target
    duplicates: int = 0     # already there (same record) or identical to the version before
    posts: int = 0          # posts touched
    resources: int = 0      # requisite rows copied (the newest capture of a URL wins)


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
        migrate(view.db)  # the copy has the main catalog's schema, maybe an older one
    for shard in shards:
        fold(view, shard, FoldCounts())
    return view


def fold(target: Catalog, shard: Path, counts: FoldCounts) -> None:
    """Copy one shard's posts, versions, comments and resources into ``target`` in one transaction.

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
                counts.posts += 1
                versions = source.execute(
                    "SELECT * FROM versions WHERE post_id = ? ORDER BY captured_at, version",
                    (post["id"],)).fetchall()
                for version in versions:
                    if _add_version(db, source, post_id, version):
                        counts.versions += 1
                    else:
                        counts.duplicates += 1
                _renumber(db, post_id)
            counts.resources += fold_resources(db, source)
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
        f"""INSERT OR REPLACE INTO comments (version_id, {', '.join(COMMENT_COLUMNS)})
            VALUES (?, {', '.join('?' * len(COMMENT_COLUMNS))})""",
        [(cursor.lastrowid, *tuple(c)) for c in source.execute(
            f"""SELECT {comment_columns(source)} FROM comments WHERE version_id = ?
                ORDER BY rowid""", (version["id"],))])
    return True


def _renumber(db: sqlite3.Connection, post_id: int) -> None:
    """Version numbers follow capture time (a shard may hold an older capture than the target)."""
    ids = [row[0] for row in db.execute(
        "SELECT id FROM versions WHERE post_id = ? ORDER BY captured_at, version", (post_id,))]
    db.execute("UPDATE versions SET version = -version WHERE post_id = ?", (post_id,))
    db.executemany("UPDATE versions SET version = ? WHERE id = ?",
                   [(number, version_id) for number, version_id in enumerate(ids, 1)])
