"""The catalog's record of page requisites, and of pages that are not posts: the latest full
capture of each resource URL.

Why a table: a re-crawl revalidates every known stylesheet, image or font with one conditional
request, and stores a body it has already archived (under that URL or any other) as a revisit. Both
need the earlier capture's validators, payload digest, record id and date, for every resource the
archive holds, without reading the WARCs again.

What a row is (the same rule at capture time and in ``reindex``, so a rebuild is identical): a
``response`` record marked as a requisite (``WARC-Resource-Type``), HTTP status 200, not truncated
(``WARC-Truncated`` absent: a cut body's digest is not the resource's). Revisits add no row: the row
keeps pointing at the full capture a revisit refers to. The latest capture of a URL wins.

Pages that are not posts (the home page, listings, tag and date archives, ``/about/``) are rows of
kind ``page`` (``PAGE``): a repeat crawl asks for them conditionally, or not at all when an
inventory dates them before their capture (README "Scheduled crawls"). Their rule: a ``response``
record without ``WARC-Resource-Type``, HTTP 200, HTML, not truncated, that the page classifier
does not take for a post (the crawl's verdict at capture time, ``is_post_page`` in ``reindex``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields

SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    url TEXT PRIMARY KEY,
    captured_at TEXT NOT NULL,
    record_id TEXT NOT NULL,
    payload_digest TEXT,
    etag TEXT, last_modified TEXT,
    status INTEGER NOT NULL,
    kind TEXT,
    warc_file TEXT NOT NULL, warc_offset INTEGER NOT NULL, warc_length INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS resources_digest ON resources(payload_digest);
"""
PAGE = "page"  # the ``kind`` of a page that is not a post


@dataclass(frozen=True)
class ResourceRow:
    """One full capture of a requisite, as a catalog row (columns in table order)."""

    url: str
    captured_at: str     # ISO 8601, UTC: the capture's WARC-Date
    record_id: str
    payload_digest: str | None
    etag: str | None
    last_modified: str | None
    status: int
    kind: str | None
    warc_file: str
    warc_offset: int
    warc_length: int


COLUMNS = tuple(f.name for f in fields(ResourceRow))
_UPSERT = f"""INSERT INTO {{table}} ({", ".join(COLUMNS)}) VALUES ({", ".join("?" * len(COLUMNS))})
    ON CONFLICT(url) DO UPDATE SET {", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])}
    WHERE excluded.captured_at >= {{table}}.captured_at"""


def ensure_schema(db: sqlite3.Connection) -> None:
    db.executescript(SCHEMA)


def upsert(db: sqlite3.Connection, rows: Iterable[ResourceRow]) -> None:
    """Add rows; a URL keeps its latest capture (an older row never replaces a newer one)."""
    db.executemany(_UPSERT.format(table="resources"), [astuple(row) for row in rows])


def has_resources(db: sqlite3.Connection, schema: str = "main") -> bool:
    """Whether a catalog (an attached ``schema``) has the table: catalogs from before it do not."""
    return db.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND "
                      "name = 'resources'").fetchone() is not None


def resource_priors_query(schema: str) -> str:
    """SELECT the prior fields (url, captured_at, record_id, payload_digest, etag, last_modified)
    of every resource in an attached catalog, for the crawl's ledger to copy in one statement."""
    return f"""SELECT url, captured_at, record_id, payload_digest, etag, last_modified
        FROM {schema}.resources"""


def page_priors_query(schema: str) -> str:
    """SELECT the prior fields of every page that is not a post, in an attached catalog."""
    return f"""SELECT url, captured_at, record_id, payload_digest, etag, last_modified
        FROM {schema}.resources WHERE kind = '{PAGE}'"""


def fold_resources(target: sqlite3.Connection, source: sqlite3.Connection) -> int:
    """Copy a shard's resources into ``target``, a ``Catalog``'s connection (the table exists),
    inside the caller's transaction; the newest capture of a URL wins."""
    if not has_resources(source):
        return 0
    rows = [ResourceRow(*row) for row in source.execute(
        f"SELECT {', '.join(COLUMNS)} FROM resources ORDER BY url")]
    upsert(target, rows)
    return len(rows)


def resource_rows(db: sqlite3.Connection) -> list[ResourceRow]:
    """Every row, by URL (for checks and tests)."""
    if not has_resources(db):
        return []
    return [ResourceRow(*row) for row in db.execute(
        f"SELECT {', '.join(COLUMNS)} FROM resources ORDER BY url")]


class ResourceWriter:
    """Rows of one crawl process's captures, written to its catalog (main, or its own shard) in
    batches: one transaction per ``batch`` rows instead of one per requisite. Rows not yet
    flushed when a crawl is killed are lost from the catalog only; ``reindex`` restores them
    (the next crawl then fetches those resources in full once, nothing worse)."""

    def __init__(self, db: sqlite3.Connection, batch: int = 100) -> None:
        self.db = db
        self.batch = batch
        self.pending: list[ResourceRow] = []
        ensure_schema(db)

    def add(self, row: ResourceRow) -> None:
        self.pending.append(row)
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            with self.db:
                upsert(self.db, self.pending)
            self.pending = []

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.db.close()
