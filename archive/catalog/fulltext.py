"""The full-text index: an FTS5 table in catalog.sqlite holding the latest version of each post.

Why this shape: the body text lives in the clean-text files, not in the ``versions`` table, so an SQL
trigger alone cannot index it. Triggers on ``versions`` therefore only *mark* a post as dirty (in the
same transaction as the insert, whoever writes: crawler, recovery, reindex); the next search (or
``refresh``) re-reads the dirty posts' text files and updates their rows. The index stays consistent
with the catalog without the crawler knowing it exists, and it is always rebuildable: ``rebuild``
marks every post dirty.

Tables (all created on first use, so archives made before the index existed get one):

- ``search_fts``: FTS5, rowid = post id, columns title, categories, tags, author, body, comments
  (each comment's author and text, for ``comment:`` and ``search --comments``; an index made
  before that column existed is dropped and rebuilt from the catalog and text files on its next
  use, by a search or ``reindex``: it is derived data, nothing is lost);
  porter stemming over unicode61 (diacritics folded), prefix indexes for 2 and 3
  characters so that short ``ab*`` searches stay fast on large archives.
- ``search_docs``: one row per indexed post: the version indexed, site and publication date in UTC
  (``YYYY-MM-DDTHH:MM:SS``) for ``site:``/``since:``/``until:`` filters.
- ``search_dirty``: post ids whose latest version changed since they were indexed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from archive.when import parse_iso

COLUMNS = ("title", "categories", "tags", "author", "body", "comments")
WEIGHTS = (10.0, 4.0, 4.0, 2.0, 1.0, 0.5)  # bm25 column weights, in COLUMNS order

SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    title, categories, tags, author, body, comments,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);
CREATE TABLE IF NOT EXISTS search_docs (
    post_id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL,
    site TEXT NOT NULL,
    published TEXT
);
CREATE INDEX IF NOT EXISTS search_docs_site ON search_docs(site, published);
CREATE INDEX IF NOT EXISTS search_docs_published ON search_docs(published);
CREATE TABLE IF NOT EXISTS search_dirty (post_id INTEGER PRIMARY KEY);
CREATE TRIGGER IF NOT EXISTS search_version_added AFTER INSERT ON versions BEGIN
    INSERT OR IGNORE INTO search_dirty (post_id) VALUES (new.post_id);
END;
CREATE TRIGGER IF NOT EXISTS search_version_removed AFTER DELETE ON versions BEGIN
    INSERT OR IGNORE INTO search_dirty (post_id) VALUES (old.post_id);
END;
"""

LATEST_OF = """
SELECT v.id, p.site, v.title, v.author, v.published, v.categories, v.tags, v.text_path
FROM posts p JOIN versions v ON v.post_id = p.id
WHERE p.id = ? ORDER BY v.version DESC LIMIT 1
"""
COMMENTS_OF = """
SELECT group_concat(CASE WHEN coalesce(author, '') = '' THEN text ELSE author || ': ' || text END,
                    char(10)) FROM comments
WHERE version_id = ?
"""


@dataclass(frozen=True)
class Document:
    """What the index holds for one post (its latest version)."""

    post_id: int
    version_id: int
    site: str
    title: str
    categories: list[str]
    tags: list[str]
    author: str
    published: str | None
    body: str
    comments: str = ""


BodyReader = Callable[[str], str]


def ensure(db: sqlite3.Connection) -> None:
    """Create the index on first use, or anew when it lacks a column (made by an older release);
    a new index starts with every post marked dirty."""
    if _current(db):
        return
    with db:
        db.executescript("BEGIN; DROP TABLE IF EXISTS search_fts; DROP TABLE IF EXISTS search_docs;"
                         + SCHEMA + "INSERT OR IGNORE INTO search_dirty SELECT id FROM posts;"
                         "COMMIT;")


def _current(db: sqlite3.Connection) -> bool:
    have = {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE name IN ('search_docs', 'search_fts')")}
    if have != {"search_docs", "search_fts"}:
        return False
    columns = tuple(row[1] for row in db.execute("SELECT * FROM pragma_table_info('search_fts')"))
    return columns == COLUMNS


def refresh(db: sqlite3.Connection, read_body: BodyReader) -> int:
    """Re-index every dirty post; cheap (one query) when nothing changed. Returns posts done."""
    ensure(db)
    dirty = [row[0] for row in db.execute("SELECT post_id FROM search_dirty")]
    if not dirty:
        return 0
    with db:
        for post_id in dirty:
            row = db.execute(LATEST_OF, (post_id,)).fetchone()
            _remove(db, post_id)
            if row is not None:
                _insert(db, _document(db, post_id, row, read_body))
            db.execute("DELETE FROM search_dirty WHERE post_id = ?", (post_id,))
    return len(dirty)


def rebuild(db: sqlite3.Connection, read_body: BodyReader) -> int:
    """Forget the index and index every post again from the catalog and the text files."""
    ensure(db)
    with db:
        db.execute("DELETE FROM search_fts")
        db.execute("DELETE FROM search_docs")
        db.execute("INSERT OR IGNORE INTO search_dirty SELECT id FROM posts")
    return refresh(db, read_body)


def add_documents(db: sqlite3.Connection, documents: Iterable[Document]) -> None:
    """Bulk-load documents whose body is already at hand (benchmarks, bulk imports)."""
    ensure(db)
    with db:
        for document in documents:
            _insert(db, document)
            db.execute("DELETE FROM search_dirty WHERE post_id = ?", (document.post_id,))


def file_reader(root: Path) -> BodyReader:
    """Read a version's body from its clean-text file (header block dropped); missing → empty."""
    base = root.resolve()

    def read(text_path: str) -> str:
        path = (base / text_path).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            return ""
        _, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n\n")
        return body

    return read


def archive_root(db: sqlite3.Connection) -> Path:
    """The archive directory of a connection: where its catalog.sqlite lives."""
    for _seq, name, filename in db.execute("PRAGMA database_list"):
        if name == "main" and filename:
            return Path(filename).parent
    raise ValueError("the catalog is not a file: cannot find the archive's text files")


def utc_text(value: str | None) -> str | None:
    """An ISO date as sortable UTC text (``YYYY-MM-DDTHH:MM:SS``); naive dates are taken as UTC."""
    moment = parse_iso(value)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _document(db: sqlite3.Connection, post_id: int, row: sqlite3.Row | tuple[object, ...],
              read_body: BodyReader) -> Document:
    version_id, site, title, author, published, categories, tags, text_path = tuple(row)
    comments = db.execute(COMMENTS_OF, (version_id,)).fetchone()[0]
    return Document(
        post_id=post_id, version_id=int(str(version_id)), site=str(site), title=str(title or ""),
        categories=json.loads(str(categories or "[]")), tags=json.loads(str(tags or "[]")),
        author=str(author or ""), published=str(published) if published else None,
        body=read_body(str(text_path)), comments=str(comments or ""))


def _insert(db: sqlite3.Connection, document: Document) -> None:
    db.execute(
        "INSERT INTO search_fts (rowid, title, categories, tags, author, body, comments) "
        "VALUES (?,?,?,?,?,?,?)",
        (document.post_id, document.title, " ; ".join(document.categories),
         " ; ".join(document.tags), document.author, document.body, document.comments))
    db.execute(
        "INSERT OR REPLACE INTO search_docs (post_id, version_id, site, published) VALUES (?,?,?,?)",
        (document.post_id, document.version_id, document.site.lower(), utc_text(document.published)))


def _remove(db: sqlite3.Connection, post_id: int) -> None:
    db.execute("DELETE FROM search_fts WHERE rowid = ?", (post_id,))
    db.execute("DELETE FROM search_docs WHERE post_id = ?", (post_id,))
