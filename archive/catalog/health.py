"""Is a catalog file usable? One typed error for every way it is not, and the deep check.

Every opener (``Catalog``, ``open_read``) turns SQLite's errors on a damaged file into
``CatalogDamaged``, so the command line and the crawl print one line naming the fix (rebuild with
``blogarchive reindex``) instead of a traceback from wherever the first query happened to run.
``integrity_problems`` is the slow, thorough check that ``verify`` runs.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive.config import ConfigError

REQUIRED_TABLES = frozenset({"posts", "versions"})


class CatalogDamaged(ConfigError):
    """A catalog file that cannot be used (not a database, cut short, a directory, no tables).

    The catalog is derived data, so the fix is always the same: rebuild it from the WARCs. The
    message says so in one line; the command line and the crawl command print it as it is.
    """

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"the catalog {path} is damaged ({reason}): rebuild it from the WARC "
                         "files with `blogarchive reindex` (the damaged file is kept aside)")
        self.path = path
        self.reason = reason


def damage_reason(error: sqlite3.Error | OSError) -> str:
    """SQLite's words for what is wrong, made plain where they mislead."""
    text = str(error)
    if text in ("unable to open database file", "disk I/O error"):
        return f"{text}: is it a directory, or unreadable?"
    return text


def check_tables(db: sqlite3.Connection, path: Path) -> None:
    """Raise ``CatalogDamaged`` unless the catalog's own tables are there (reading the schema
    is also where SQLite finds a file that is not a database, or one cut short)."""
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as error:
        raise CatalogDamaged(path, damage_reason(error)) from None
    if missing := REQUIRED_TABLES - tables:
        reason = "an empty file" if not tables else f"no {', '.join(sorted(missing))} table"
        raise CatalogDamaged(path, reason)


def integrity_problems(path: Path) -> list[str]:
    """Everything wrong with one catalog file, read-only: opening, its tables, then SQLite's
    ``PRAGMA integrity_check`` (every page, every index against its table). Empty if sound."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return [str(CatalogDamaged(path, damage_reason(error)))]
    try:
        check_tables(db, path)
        rows = [str(row[0]) for row in db.execute("PRAGMA integrity_check")]
    except CatalogDamaged as error:
        return [str(error)]
    except sqlite3.DatabaseError as error:
        return [str(CatalogDamaged(path, damage_reason(error)))]
    finally:
        db.close()
    return [] if rows == ["ok"] else rows


def check_catalog(path: Path) -> None:
    """Raise ``CatalogDamaged`` unless ``path`` (if it exists) opens as a catalog with its tables.

    Cheap (the schema only): what a crawl checks before it writes into a catalog."""
    if not (path.exists() or path.is_symlink()):
        return
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise CatalogDamaged(path, damage_reason(error)) from None
    try:
        check_tables(db, path)
    finally:
        db.close()
