"""The one way readers open an archive's catalog: the command line and the web reader alike.

While a scaled-out crawl has not been merged, some posts live only in the workers' shards, so a
reader that opened ``catalog.sqlite`` alone would miss them: ``open_read`` gives the main catalog
plus every shard as one (``archive/catalog/combined.py``), and the main catalog itself otherwise.

A damaged catalog or shard (not a database, cut short, a directory, without its tables) raises
``CatalogDamaged`` here, at opening, never a ``sqlite3`` error from a later query.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive.catalog.combined import open_combined
from archive.catalog.db import Catalog
from archive.catalog.health import CatalogDamaged, check_tables, damage_reason
from archive.catalog.shards import shard_paths
from archive.layout import Layout


class ReadOnlyCatalog(Catalog):
    """The catalog's queries over a connection that cannot write (no schema creation either)."""

    def __init__(self, path: Path) -> None:  # deliberately skips Catalog's schema set-up
        self.path = path
        self.db = _connect(path, f"{path.resolve().as_uri()}?mode=ro", uri=True)


class IndexingCatalog(Catalog):
    """The main catalog over a connection that may write the full-text index, and nothing else.

    Search keeps its index (derived data) up to date inside catalog.sqlite at the start of each
    query, so the web reader's search, unlike its browsing, needs a writable connection; it waits
    up to 15 s for a crawl's write to finish.
    """

    def __init__(self, path: Path) -> None:  # deliberately skips Catalog's schema set-up
        self.path = path
        self.db = _connect(path, str(path), timeout=15)


def _connect(path: Path, target: str, *, uri: bool = False, timeout: float = 5.0
             ) -> sqlite3.Connection:
    """A connection to an existing catalog whose tables are there, or ``CatalogDamaged``."""
    try:
        db = sqlite3.connect(target, uri=uri, timeout=timeout)
    except sqlite3.Error as error:
        raise CatalogDamaged(path, damage_reason(error)) from None
    try:
        check_tables(db, path)
    except CatalogDamaged:
        db.close()
        raise
    db.row_factory = sqlite3.Row
    return db


def has_catalog(layout: Layout) -> bool:
    """Whether the archive has any catalog rows to read: a main catalog or a worker's shard."""
    return layout.catalog_path.exists() or bool(shard_paths(layout))


def open_read(layout: Layout, *, read_only: bool = True) -> Catalog:
    """Every catalog row of the archive as one catalog; ``with open_read(layout) as catalog:``.

    With shards, an in-memory view of the main catalog plus every shard: nothing on disk changes,
    and each call pays for the copy until ``blogarchive merge`` runs. Without shards, the main
    catalog itself, read-only (the web reader: serving can never change the archive); the command
    line passes ``read_only=False`` so that ``search`` may refresh the full-text index in it.
    """
    if shard_paths(layout) or not read_only:
        try:
            return open_combined(layout)
        except sqlite3.DatabaseError as error:  # a shard, or the main catalog, as it was copied
            raise CatalogDamaged(layout.catalog_path, damage_reason(error)) from None
    return ReadOnlyCatalog(layout.catalog_path)
