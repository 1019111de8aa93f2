"""Schema changes since catalogs were first made: an older catalog keeps working.

The catalog is derived data, so no change ever needs the old rows rewritten: a column added to a
table is added in place (``ALTER TABLE ... ADD COLUMN``) when a catalog is opened for writing, and
its old rows read the column's default until ``reindex`` extracts them again. A catalog read
without being migrated (opened read-only, or a worker's shard being folded) reads the default in
the query itself (``comment_columns``).
"""

from __future__ import annotations

import sqlite3

# (table, column, declaration) of every column added after the table was first shipped.
ADDED_COLUMNS = (("comments", "markdown", "TEXT NOT NULL DEFAULT ''"),)
COMMENT_COLUMNS = ("comment_id", "parent", "author", "published", "text", "anchor", "markdown")


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def migrate(db: sqlite3.Connection) -> None:
    """Add the ``ADDED_COLUMNS`` that the catalog behind ``db`` lacks."""
    for table, column, declaration in ADDED_COLUMNS:
        if column not in _columns(db, table):
            with db:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def comment_columns(db: sqlite3.Connection) -> str:
    """``COMMENT_COLUMNS`` for a SELECT on ``db``, ``''`` for a column it does not have yet."""
    have = _columns(db, "comments")
    return ", ".join(c if c in have else f"'' AS {c}" for c in COMMENT_COLUMNS)
