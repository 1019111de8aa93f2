"""The search queries over the full-text index (``fulltext.py``): one page of matches, best first,
with a snippet and the catalog fields of each.

The query language lives in ``archive/search``; it hands over an FTS5 ``MATCH`` expression it has
already checked, and its filters as plain values.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archive.catalog import fulltext
from archive.catalog.selection import site_clause

OPEN, CLOSE = "\x02", "\x03"   # snippet markers that never occur in text, turned into <mark>/[...]
SNIPPET_TOKENS = 24
BROAD_QUERY = 20_000  # matches above which ranking gives way to archive order
RANK = "bm25(search_fts, " + ", ".join(str(w) for w in fulltext.WEIGHTS) + ")"


@dataclass(frozen=True)
class Filters:
    """What a query keeps beside its words: one blog, a publication date range."""

    site: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    any_port: bool = False   # the site was named without a port: match the host on any port

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.site:
            sql, values = site_clause("d.site", self.site.lower(), self.any_port)
            clauses.append(sql)
            params.extend(values)
        if self.since:
            clauses.append("d.published >= ?")
            params.append(fulltext.utc_text(self.since.isoformat()))
        if self.until:
            clauses.append("d.published <= ?")
            params.append(fulltext.utc_text(self.until.isoformat()))
        return " AND ".join(clauses), params


def ranked(db: sqlite3.Connection, match: str | None, filters: Filters, limit: int, offset: int
           ) -> list[tuple[int, float]]:
    """Post ids and ranks of one page of results: snippets are made for these only."""
    where, params = filters.where()
    if match is None:
        rows = db.execute(
            f"SELECT d.post_id, 0.0 FROM search_docs d WHERE {where} "
            "ORDER BY d.published DESC, d.post_id LIMIT ? OFFSET ?", (*params, limit, offset))
    elif where:  # matches first (materialized), filters after: never one FTS seek per filtered row
        rows = db.execute(
            f"WITH m AS MATERIALIZED (SELECT rowid AS post_id, {RANK} AS score FROM search_fts "
            f"WHERE search_fts MATCH ?) SELECT m.post_id, m.score FROM m JOIN search_docs d "
            f"ON d.post_id = m.post_id WHERE {where} ORDER BY m.score LIMIT ? OFFSET ?",
            (match, *params, limit, offset))
    elif _broad(db, match):
        rows = db.execute(
            "SELECT rowid, 0.0 FROM search_fts WHERE search_fts MATCH ? "
            "ORDER BY rowid DESC LIMIT ? OFFSET ?", (match, limit, offset))
    else:
        rows = db.execute(
            f"SELECT rowid, {RANK} AS score FROM search_fts WHERE search_fts MATCH ? "
            "ORDER BY score LIMIT ? OFFSET ?", (match, limit, offset))
    return [(int(post_id), float(rank)) for post_id, rank in rows]


def _broad(db: sqlite3.Connection, match: str) -> bool:
    """A query matching most of a large archive (``a*``): scoring every match costs more than it
    tells, so such results come newest-archived first. Counting matches is cheap in FTS5."""
    count = db.execute("SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH ?", (match,))
    return int(count.fetchone()[0]) > BROAD_QUERY


def snippet(db: sqlite3.Connection, match: str | None, post_id: int) -> str:
    """The matched passage, matches between ``OPEN`` and ``CLOSE``; the body's start without words;
    the matched comment's passage when only a comment matched."""
    if match is None:
        row = db.execute("SELECT substr(body, 1, 200) FROM search_fts WHERE rowid = ?",
                         (post_id,)).fetchone()
        return str(row[0] if row else "")
    row = db.execute(  # the body's best passage; the whole row's when the body is empty
        f"SELECT CASE WHEN body != '' THEN {_snippet(4)} ELSE {_snippet(-1)} END "
        "FROM search_fts WHERE search_fts MATCH ? AND rowid = ?", (match, post_id)).fetchone()
    text = str(row[0] if row else "")
    if OPEN in text:
        return text
    row = db.execute(f"SELECT {_snippet(5)} FROM search_fts WHERE search_fts MATCH ? AND rowid = ?",
                     (match, post_id)).fetchone()
    return "in a comment: " + str(row[0]) if row and OPEN in str(row[0]) else text


def indexed_post(db: sqlite3.Connection, post_id: int) -> tuple[Any, ...]:
    """URL, site, title, author, publication date of the version the index holds, and the date
    the post was seen gone (None while it is online)."""
    row = db.execute(
        """SELECT p.url, p.site, v.title, v.author, v.published, p.deleted_at FROM search_docs d
           JOIN posts p ON p.id = d.post_id JOIN versions v ON v.id = d.version_id
           WHERE d.post_id = ?""", (post_id,)).fetchone()
    return tuple(row)


def _snippet(column: int) -> str:
    return f"snippet(search_fts, {column}, '{OPEN}', '{CLOSE}', '…', {SNIPPET_TOKENS})"
