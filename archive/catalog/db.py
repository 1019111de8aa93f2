"""The SQLite catalog: one row per post, one per archived version, one per comment (and one per
requisite URL, ``archive/catalog/resources.py``).

It is derived data: every row can be rebuilt from the WARCs. Each version points at its clean-text
file and at the WARC record (file, offset, record id) it was extracted from.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from archive.catalog.health import CatalogDamaged, check_tables, damage_reason
from archive.catalog.migrate import COMMENT_COLUMNS, comment_columns, migrate
from archive.catalog.resources import SCHEMA as RESOURCES_SCHEMA
from archive.extract.model import Extraction, iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    site TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    deleted_at TEXT
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts(id),
    version INTEGER NOT NULL,
    captured_at TEXT NOT NULL,
    fetched_url TEXT NOT NULL,
    title TEXT, author TEXT, published TEXT, modified TEXT,
    categories TEXT NOT NULL DEFAULT '[]', tags TEXT NOT NULL DEFAULT '[]',
    language TEXT, site_name TEXT, canonical_url TEXT, image TEXT,
    word_count INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    text_path TEXT NOT NULL, meta_path TEXT NOT NULL,
    warc_file TEXT NOT NULL, warc_offset INTEGER NOT NULL, warc_length INTEGER NOT NULL,
    record_id TEXT NOT NULL, payload_digest TEXT,
    etag TEXT, last_modified TEXT, content_hash TEXT,
    UNIQUE (post_id, version)
);
CREATE TABLE IF NOT EXISTS comments (
    version_id INTEGER NOT NULL REFERENCES versions(id),
    comment_id TEXT NOT NULL, parent TEXT, author TEXT, published TEXT, text TEXT NOT NULL,
    anchor TEXT, markdown TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (version_id, comment_id)
);
CREATE INDEX IF NOT EXISTS versions_post ON versions(post_id, version);
CREATE INDEX IF NOT EXISTS versions_published ON versions(published);
"""

LATEST = """
SELECT p.id AS post_id, p.url, p.site, p.deleted_at, v.*
FROM posts p JOIN versions v ON v.post_id = p.id
WHERE v.version = (SELECT MAX(version) FROM versions WHERE post_id = p.id)
"""


@dataclass(frozen=True)
class VersionRow:
    """What the catalog keeps for one archived version of a post (its comments included)."""

    url: str
    site: str
    captured_at: str
    fetched_url: str
    metadata: Extraction
    text_path: str
    meta_path: str
    warc_file: str
    warc_offset: int
    warc_length: int
    record_id: str
    payload_digest: str | None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


@dataclass(frozen=True)
class Prior:
    """The latest archived capture of a post: what a conditional re-fetch and a revisit need."""

    url: str
    fetched_url: str
    version: int
    captured_at: str
    record_id: str
    payload_digest: str | None
    etag: str | None
    last_modified: str | None
    deleted_at: str | None


def priors_query(schema: str, sites: int) -> str:
    """SELECT the fields of ``Prior`` (in order) for the posts of ``sites`` sites, bound as ``?``.

    ``schema`` names an attached catalog, so a crawl's ledger can copy priors with one statement.
    """
    marks = ",".join("?" * sites)
    return f"""SELECT p.url, v.fetched_url, v.version, v.captured_at, v.record_id,
        v.payload_digest, v.etag, v.last_modified, p.deleted_at
        FROM {schema}.posts p JOIN {schema}.versions v ON v.post_id = p.id
        WHERE p.site IN ({marks})
        AND v.version = (SELECT MAX(version) FROM {schema}.versions WHERE post_id = p.id)"""


class Catalog:
    """The catalog of one archive (or shard); ``with Catalog(path) as catalog:`` closes it.

    A new file is created with the schema; an existing one must be a catalog (``CatalogDamaged``
    otherwise, before anything is written to it).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        existed = str(path) != ":memory:" and (path.exists() or path.is_symlink())
        try:
            self.db = sqlite3.connect(path)
        except sqlite3.Error as error:
            raise CatalogDamaged(path, damage_reason(error)) from None
        try:
            if existed:
                check_tables(self.db, path)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA + RESOURCES_SCHEMA)
            migrate(self.db)
        except sqlite3.DatabaseError as error:
            self.db.close()
            raise CatalogDamaged(path, damage_reason(error)) from None
        except CatalogDamaged:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def has_post(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM posts WHERE url = ?", (url,)).fetchone() is not None

    def newest_version(self, url: str) -> tuple[int, str | None] | None:
        """The post's newest version and its content hash (None before hashes were kept), in
        the one query ``PostStore.prepare`` decides a new version with; None for a new post."""
        row = self.db.execute(
            """SELECT v.version, v.content_hash FROM versions v JOIN posts p ON p.id = v.post_id
               WHERE p.url = ? ORDER BY v.version DESC LIMIT 1""", (url,)).fetchone()
        return (int(row[0]), row[1]) if row else None

    def next_version(self, url: str) -> int:
        newest = self.newest_version(url)
        return newest[0] + 1 if newest else 1

    def add_version(self, row: VersionRow) -> int:
        """Record a new version (and its post on first sight) in one transaction."""
        with self.db:
            post_id = self._upsert_post(row.url, row.site, row.captured_at)
            version = self.next_version(row.url)
            meta = row.metadata
            cursor = self.db.execute(
                """INSERT INTO versions (post_id, version, captured_at, fetched_url, title, author,
                   published, modified, categories, tags, language, site_name, canonical_url, image,
                   word_count, reason, text_path, meta_path, warc_file, warc_offset, warc_length,
                   record_id, payload_digest, etag, last_modified, content_hash)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (post_id, version, row.captured_at, row.fetched_url, meta.title, meta.author,
                 iso(meta.published), iso(meta.modified), json.dumps(list(meta.categories)),
                 json.dumps(list(meta.tags)), meta.language, meta.site_name, meta.canonical_url,
                 meta.image, meta.word_count, meta.reason,
                 row.text_path, row.meta_path, row.warc_file, row.warc_offset, row.warc_length,
                 row.record_id, row.payload_digest, row.etag, row.last_modified,
                 row.content_hash))
            version_id = int(cursor.lastrowid or 0)
            self.db.executemany(
                f"""INSERT OR REPLACE INTO comments (version_id, {', '.join(COMMENT_COLUMNS)})
                   VALUES (?,?,?,?,?,?,?,?)""",
                [(version_id, c.id, c.parent, c.author, iso(c.published), c.text, c.anchor,
                  c.markdown) for c in meta.comments])
        return version_id

    def touch(self, url: str, seen: str) -> None:
        """The post was seen unchanged: it is alive, whatever an earlier run concluded."""
        with self.db:
            self.db.execute("UPDATE posts SET last_seen = ?, deleted_at = NULL WHERE url = ?",
                            (seen, url))

    def mark_deleted(self, url: str, seen_gone: str) -> bool:
        """Record the date a post was seen gone; its versions stay. False if unknown or done."""
        with self.db:
            cursor = self.db.execute(
                "UPDATE posts SET deleted_at = ? WHERE url = ? AND deleted_at IS NULL",
                (seen_gone, url))
        return cursor.rowcount > 0

    def _upsert_post(self, url: str, site: str, seen: str) -> int:
        self.db.execute(
            """INSERT INTO posts (url, site, first_seen, last_seen) VALUES (?,?,?,?)
               ON CONFLICT(url) DO UPDATE SET last_seen = excluded.last_seen, deleted_at = NULL""",
            (url, site, seen, seen))
        row = self.db.execute("SELECT id FROM posts WHERE url = ?", (url,)).fetchone()
        return int(row[0])

    def latest(self, where: str = "", params: tuple[Any, ...] = ()) -> Iterator[sqlite3.Row]:
        """Latest version of each post, oldest publication first; ``where`` filters ``v``/``p``."""
        sql = LATEST + (f" AND ({where})" if where else "") + " ORDER BY v.published, p.url"
        yield from self.db.execute(sql, params)

    def find(self, url_or_id: str) -> sqlite3.Row | None:
        if url_or_id.isdigit():
            return next(self.latest("p.id = ?", (int(url_or_id),)), None)
        return next(self.latest("p.url = ? OR v.fetched_url = ?", (url_or_id, url_or_id)), None)

    def versions_of(self, url: str) -> list[sqlite3.Row]:
        """Every archived version of one post, oldest first."""
        return list(self.db.execute(
            """SELECT v.*, p.url, p.deleted_at FROM versions v JOIN posts p ON p.id = v.post_id
               WHERE p.url = ? ORDER BY v.version""", (url,)))

    def locations(self) -> list[sqlite3.Row]:
        """Where every version's capture lives, for checks against the WARC files."""
        return list(self.db.execute(
            """SELECT v.id, p.url, v.warc_file, v.warc_offset, v.warc_length, v.record_id
               FROM versions v JOIN posts p ON p.id = v.post_id ORDER BY v.id"""))

    def version_checks(self) -> list[tuple[Any, ...]]:
        """Every version's capture and files, for ``verify`` to match against the WARCs."""
        return [tuple(row) for row in self.db.execute(
            """SELECT v.id, p.url, v.fetched_url, v.version, v.warc_file, v.warc_offset,
                      v.warc_length, v.record_id, v.text_path, v.meta_path
               FROM versions v JOIN posts p ON p.id = v.post_id ORDER BY v.id""")]

    def record_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT record_id FROM versions")}

    def delete_version(self, version_id: int) -> None:
        """Forget a catalog row whose capture is not in any WARC (derived data only)."""
        with self.db:
            post = self.db.execute("SELECT post_id FROM versions WHERE id = ?",
                                   (version_id,)).fetchone()
            self.db.execute("DELETE FROM comments WHERE version_id = ?", (version_id,))
            self.db.execute("DELETE FROM versions WHERE id = ?", (version_id,))
            if post is not None:
                self.db.execute(
                    """DELETE FROM posts WHERE id = ? AND NOT EXISTS
                       (SELECT 1 FROM versions WHERE post_id = ?)""", (post[0], post[0]))

    def comments(self, version_id: int) -> list[sqlite3.Row]:
        """One version's comments in page order: ``version_id`` and ``COMMENT_COLUMNS``."""
        return list(self.db.execute(
            f"""SELECT version_id, {comment_columns(self.db)} FROM comments
                WHERE version_id = ? ORDER BY rowid""", (version_id,)))

    def counts(self) -> dict[str, int]:
        one = self.db.execute
        return {
            "posts": int(one("SELECT COUNT(*) FROM posts").fetchone()[0]),
            "versions": int(one("SELECT COUNT(*) FROM versions").fetchone()[0]),
            "comments": int(one("SELECT COUNT(*) FROM comments").fetchone()[0]),
            "sites": int(one("SELECT COUNT(DISTINCT site) FROM posts").fetchone()[0]),
        }

    def single_file(self) -> None:
        """Leave WAL mode so the database file alone holds every row (a rebuilt catalog is moved)."""
        self.db.execute("PRAGMA journal_mode=DELETE")


def fold_wal(path: Path) -> None:
    """Fold a catalog's WAL into its file and leave WAL mode, before that file is replaced (a stale
    ``-wal`` file beside its replacement would otherwise be replayed into it)."""
    old = sqlite3.connect(path)
    try:
        old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        old.execute("PRAGMA journal_mode=DELETE")
    finally:
        old.close()
