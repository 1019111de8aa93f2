"""Full-text search over an archive: the Python API the command line and the web reader share.

Usage::

    from archive.search import search, QueryError

    hits = search(catalog, 'climate "sea level" author:jane since:2022-01-01', limit=20, offset=0)
    for hit in hits:
        hit.url, hit.title, hit.author, hit.published, hit.site   # the post's latest version
        hit.snippet_html   # HTML-escaped text, matches wrapped in <mark>...</mark>
        hit.snippet_text   # plain text, matches wrapped in [...]
        hit.rank           # bm25 score: lower is better (results come best first)
        hit.post_id        # catalog id: `blogarchive show ID`

``catalog_or_db`` is an ``archive.catalog.Catalog`` or an ``sqlite3.Connection`` to a
catalog.sqlite (the archive's text files are found beside it). The query language: words (all must
match), ``"exact phrases"``, prefixes (``archiv*``), ``AND``/``OR``/``NOT`` in capitals, ``-word``,
parentheses, and filters ``site:``, ``author:``, ``category:``, ``tag:``, ``title:``, ``since:``,
``until:`` (dates as dateparser reads them: ``2022-01-01``, ``3 weeks ago``). See
``archive.search.query`` for the grammar. A query that cannot be understood raises ``QueryError``
(its message is meant for the user); it never reaches SQLite as a syntax error. Words are
matched by their Porter stem (``talks`` finds ``talk``); a prefix is matched against stems too, so
``negot*`` finds "negotiations" but ``negotiat*`` does not (the stem is ``negoti``).

Ranking is bm25 with column weights title 10, categories and tags 4, author 2, body 1. A query with
filters only (``site:example.org since:2023-01-01``) lists the newest posts first; a query so
broad that it matches more than 20,000 posts (``a*``) lists newest-archived first (ranking them all
would be slow). The index is kept
up to date by triggers on the catalog and refreshed from the text files at the start of each search
(see ``archive.catalog.fulltext``).
"""

from __future__ import annotations

import html
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

from archive.catalog import Catalog, fulltext
from archive.search.query import ParsedQuery, QueryError, parse_query

__all__ = ["Hit", "QueryError", "search"]

OPEN, CLOSE = "\x02", "\x03"   # snippet markers that never occur in text, turned into <mark>/[...]
SNIPPET_TOKENS = 24
BROAD_QUERY = 20_000  # matches above which ranking gives way to archive order
RANK = "bm25(search_fts, " + ", ".join(str(w) for w in fulltext.WEIGHTS) + ")"


@dataclass(frozen=True)
class Hit:
    url: str
    title: str
    author: str | None
    published: str | None
    site: str
    snippet_html: str
    snippet_text: str
    rank: float
    post_id: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def search(catalog_or_db: Catalog | sqlite3.Connection, query: str, limit: int = 20,
           offset: int = 0) -> list[Hit]:
    """Posts matching ``query``, best first; raises ``QueryError`` for a query it cannot read."""
    db = catalog_or_db.db if isinstance(catalog_or_db, Catalog) else catalog_or_db
    parsed = parse_query(query)
    fulltext.refresh(db, fulltext.file_reader(fulltext.archive_root(db)))
    limit, offset = max(0, int(limit)), max(0, int(offset))
    try:
        ranked = _ranked(db, parsed, limit, offset)
        return [_hit(db, parsed, post_id, rank) for post_id, rank in ranked]
    except sqlite3.OperationalError as error:  # a last guard: the parser should prevent this
        raise QueryError(f"the search index could not read this query ({error})") from None


def _filters(parsed: ParsedQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if parsed.site:
        clauses.append("d.site = ?")
        params.append(parsed.site.lower())
    if parsed.since:
        clauses.append("d.published >= ?")
        params.append(fulltext.utc_text(parsed.since.isoformat()))
    if parsed.until:
        clauses.append("d.published <= ?")
        params.append(fulltext.utc_text(parsed.until.isoformat()))
    return " AND ".join(clauses), params


def _ranked(db: sqlite3.Connection, parsed: ParsedQuery, limit: int, offset: int
            ) -> list[tuple[int, float]]:
    """Post ids and ranks of one page of results: snippets are made for these only."""
    where, params = _filters(parsed)
    match = parsed.fts()
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


def _hit(db: sqlite3.Connection, parsed: ParsedQuery, post_id: int, rank: float) -> Hit:
    match = parsed.fts()
    if match is None:
        snippet = db.execute("SELECT substr(body, 1, 200) FROM search_fts WHERE rowid = ?",
                             (post_id,)).fetchone()
    else:
        snippet = db.execute(  # the body's best passage; the whole row's when the body is empty
            f"SELECT CASE WHEN body != '' THEN {_snippet(4)} ELSE {_snippet(-1)} END "
            "FROM search_fts WHERE search_fts MATCH ? AND rowid = ?", (match, post_id)).fetchone()
    row = db.execute(
        """SELECT p.url, p.site, v.title, v.author, v.published FROM search_docs d
           JOIN posts p ON p.id = d.post_id JOIN versions v ON v.id = d.version_id
           WHERE d.post_id = ?""", (post_id,)).fetchone()
    url, site, title, author, published = tuple(row)
    raw = " ".join(str(snippet[0] if snippet else "").split())
    return Hit(url=url, title=title or "(untitled)", author=author, published=published,
               site=site, snippet_html=_marked_html(raw), rank=rank, post_id=post_id,
               snippet_text=raw.replace(OPEN, "[").replace(CLOSE, "]"))


def _snippet(column: int) -> str:
    return f"snippet(search_fts, {column}, '{OPEN}', '{CLOSE}', '…', {SNIPPET_TOKENS})"


def _marked_html(raw: str) -> str:
    return html.escape(raw).replace(OPEN, "<mark>").replace(CLOSE, "</mark>")
