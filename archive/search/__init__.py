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
        hit.deleted_at     # when the blog was seen without this post (None while online)

``catalog_or_db`` is an ``archive.catalog.Catalog`` or an ``sqlite3.Connection`` to a
catalog.sqlite (the archive's text files are found beside it). The query language: words (all must
match), ``"exact phrases"``, prefixes (``archiv*``), ``AND``/``OR``/``NOT`` in capitals, ``-word``,
parentheses, and filters ``site:``, ``author:``, ``category:``, ``tag:``, ``title:``, ``comment:``,
``since:``, ``until:`` (dates as dateparser reads them: ``2022-01-01``, ``3 weeks ago``). See
``archive.search.query`` for the grammar. A query that cannot be understood raises ``QueryError``
(its message is meant for the user); it never reaches SQLite as a syntax error. Words are
matched by their Porter stem (``talks`` finds ``talk``); a prefix is matched against stems too, so
``negot*`` finds "negotiations" but ``negotiat*`` does not (the stem is ``negoti``).

Comments are looked for with ``comment:WORDS`` or ``search(..., comments=True)`` (the user's words
then match the post or its comments; a hit found in a comment only shows that comment as its
snippet). Without either, words match the post alone, as the reader shows it.

Ranking is bm25 with column weights title 10, categories and tags 4, author 2, body 1, comments
0.5. A query with filters only (``site:example.org since:2023-01-01``) lists the newest posts
first; a query so broad that it matches more than 20,000 posts (``a*``) lists newest-archived first
(ranking them all would be slow). The index is kept up to date by triggers on the catalog and
refreshed from the text files at the start of each search (see ``archive.catalog.fulltext``; the
SQL is in ``archive.catalog.searchsql``).
"""

from __future__ import annotations

import html
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

from archive.catalog import Catalog, fulltext, searchsql
from archive.catalog.searchsql import CLOSE, OPEN, Filters
from archive.search.query import QueryError, parse_query

__all__ = ["Hit", "QueryError", "search"]


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
    deleted_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def search(catalog_or_db: Catalog | sqlite3.Connection, query: str, limit: int = 20,
           offset: int = 0, comments: bool = False) -> list[Hit]:
    """Posts matching ``query``, best first; raises ``QueryError`` for a query it cannot read.
    ``comments``: the words may match a post's comments too."""
    db = catalog_or_db.db if isinstance(catalog_or_db, Catalog) else catalog_or_db
    parsed = parse_query(query)
    fulltext.refresh(db, fulltext.file_reader(fulltext.archive_root(db)))
    limit, offset = max(0, int(limit)), max(0, int(offset))
    try:
        filters = Filters(site=parsed.site, since=parsed.since, until=parsed.until,
                          any_port=parsed.site_any_port)
        match = parsed.fts(comments=comments)
        ranked = searchsql.ranked(db, match, filters, limit, offset)
        return [_hit(db, match, post_id, rank) for post_id, rank in ranked]
    except sqlite3.OperationalError as error:  # a last guard: the parser should prevent this
        raise QueryError(f"the search index could not read this query ({error})") from None


def _hit(db: sqlite3.Connection, match: str | None, post_id: int, rank: float) -> Hit:
    snippet = searchsql.snippet(db, match, post_id)
    url, site, title, author, published, deleted_at = searchsql.indexed_post(db, post_id)
    raw = " ".join(snippet.split())
    return Hit(url=url, title=title or "(untitled)", author=author, published=published,
               site=site, snippet_html=_marked_html(raw), rank=rank, post_id=post_id,
               deleted_at=deleted_at,
               snippet_text=raw.replace(OPEN, "[").replace(CLOSE, "]"))


def _marked_html(raw: str) -> str:
    return html.escape(raw).replace(OPEN, "<mark>").replace(CLOSE, "</mark>")
