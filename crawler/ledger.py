"""The crawl's per-URL bookkeeping, kept in a scratch SQLite file instead of Python sets.

A blog of 100,000 posts means 100,000 canonical URLs asked for, 100,000 seen as posts, several
times as many page requisites (images, stylesheets, scripts) and, on a re-crawl, 100,000 priors
(the latest capture of each archived post). As Python sets and dicts they grew the crawler by
about a kilobyte per post (measured: 375 MB at 10,000 posts, 487 MB at 100,000), so memory
followed the size of the blog instead of the concurrency. In a SQLite file with a small page cache
they cost a bounded few MB, and a lookup is a few microseconds against the milliseconds a page
takes.

The file is scratch data: a private temporary database (SQLite deletes it when the connection
closes). The archive itself is never written here; priors are copied from the catalogs (main and
scale-out shards) with one ``INSERT ... SELECT`` each.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import Prior, priors_query
from archive.catalog.resources import has_resources, page_priors_query, resource_priors_query

SCHEMA = """
CREATE TABLE claimed (url TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE seen (url TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE requisites (url TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE priors (
    url TEXT PRIMARY KEY, fetched_url TEXT, version INTEGER, captured_at TEXT, record_id TEXT,
    payload_digest TEXT, etag TEXT, last_modified TEXT, deleted_at TEXT, site TEXT
) WITHOUT ROWID;
CREATE TABLE vouched (url TEXT PRIMARY KEY, site TEXT) WITHOUT ROWID;
CREATE TABLE last_seen (site TEXT PRIMARY KEY, at TEXT) WITHOUT ROWID;
CREATE TABLE page_priors (
    url TEXT PRIMARY KEY, captured_at TEXT, record_id TEXT, payload_digest TEXT, etag TEXT,
    last_modified TEXT
) WITHOUT ROWID;
"""
RESOURCE_SCHEMA = """
CREATE TABLE resource_priors (
    url TEXT PRIMARY KEY, captured_at TEXT, record_id TEXT, payload_digest TEXT, etag TEXT,
    last_modified TEXT, this_crawl INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX resource_digests ON resource_priors(payload_digest);
"""
CACHE_KIB = 4096  # page cache: the bound on what the ledger keeps in memory
BATCH = 500


class Ledger:
    def __init__(self) -> None:
        # "" = a private temporary on-disk database, removed by SQLite when closed; uri=True so
        # catalogs can be attached read-only ("file:...?mode=ro").
        self.db = sqlite3.connect("", isolation_level=None, uri=True)
        self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # -- sets --------------------------------------------------------------------------------
    def claim(self, url: str) -> bool:
        """True the first time a post URL is claimed for fetching (or for an unchanged mark)."""
        return self.db.execute("INSERT OR IGNORE INTO claimed VALUES (?)", (url,)).rowcount > 0

    def is_claimed(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM claimed WHERE url = ?", (url,)).fetchone() is not None

    def see(self, url: str) -> bool:
        """True the first time a URL is seen as a post in this crawl (else: a duplicate)."""
        return self.db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (url,)).rowcount > 0

    def claim_requisite(self, url: str) -> bool:
        """True the first time a page requisite or attachment is asked for in this crawl.

        A stylesheet used by 2,000 pages is fetched once; the set is on disk like the others, so
        a blog whose posts each load their own images does not grow the crawler's memory."""
        return self.db.execute("INSERT OR IGNORE INTO requisites VALUES (?)", (url,)).rowcount > 0

    # -- priors ------------------------------------------------------------------------------
    def load_priors(self, catalogs: list[Path], sites: list[str]) -> int:
        """Copy the latest capture of each post of ``sites`` from every catalog; the newest wins."""
        if not sites:
            return 0
        for number, path in enumerate(catalogs):
            with _attached(self.db, number, path) as schema:
                if not _has_posts(self.db, schema):
                    continue  # a shard another worker has created but not yet given its tables
                self.db.execute(
                    f"""INSERT INTO priors SELECT q.*, p.site FROM ({priors_query(schema, len(sites))}) q
                        JOIN {schema}.posts p ON p.url = q.url WHERE true
                        {_newest_wins("priors", _PRIOR_UPDATES)}""", sites)
                self.db.execute(
                    f"""INSERT INTO last_seen SELECT * FROM (SELECT site, MAX(last_seen)
                        FROM {schema}.posts WHERE site IN ({",".join("?" * len(sites))})
                        GROUP BY site) WHERE true
                        ON CONFLICT(site) DO UPDATE SET at = MAX(at, excluded.at)""", sites)
        return self.count_priors()

    def count_priors(self) -> int:
        count: int = self.db.execute("SELECT COUNT(*) FROM priors").fetchone()[0]
        return count

    def prior(self, url: str) -> Prior | None:
        row = self.db.execute(f"SELECT {_FIELDS} FROM priors WHERE url = ?", (url,)).fetchone()
        return Prior(*row) if row else None

    def is_known(self, url: str) -> bool:
        """Whether the archive held this post before the crawl began."""
        return self.db.execute("SELECT 1 FROM priors WHERE url = ?", (url,)).fetchone() is not None

    def priors(self, site: str | None = None) -> Iterator[Prior]:
        """Every prior (of one site), read in batches: callers may write to the ledger meanwhile."""
        after = ""
        while True:
            rows = self.db.execute(
                f"""SELECT {_FIELDS} FROM priors WHERE url > ? AND (? IS NULL OR site = ?)
                    ORDER BY url LIMIT {BATCH}""", (after, site, site)).fetchall()
            if not rows:
                return
            for row in rows:
                yield Prior(*row)
            after = rows[-1][0]


    def has_priors(self, site: str) -> bool:
        return self.db.execute("SELECT 1 FROM priors WHERE site = ? LIMIT 1",
                               (site,)).fetchone() is not None

    def last_seen(self, site: str) -> str | None:
        """When the archive last saw a post of ``site``: about when its previous run ended."""
        row = self.db.execute("SELECT at FROM last_seen WHERE site = ?", (site,)).fetchone()
        return str(row[0]) if row and row[0] else None

    # -- pages that are not posts (home, listings, archives): README "Scheduled crawls" -------
    def load_page_priors(self, catalogs: list[Path]) -> int:
        """Copy the latest capture of every page that is not a post from every catalog.

        All sites' pages (the catalog does not file them by site): one lookup by URL each."""
        for number, path in enumerate(catalogs):
            with _attached(self.db, number, path) as schema:
                if has_resources(self.db, schema):
                    self.db.execute(
                        f"""INSERT INTO page_priors SELECT * FROM ({page_priors_query(schema)})
                            WHERE true {_newest_wins("page_priors", _CAPTURE_UPDATES)}""")
        count: int = self.db.execute("SELECT COUNT(*) FROM page_priors").fetchone()[0]
        return count

    def page_prior(self, url: str) -> ResourcePrior | None:
        row = self.db.execute(f"SELECT {_PAGE_FIELDS} FROM page_priors WHERE url = ?",
                              (url,)).fetchone()
        return ResourcePrior(*row) if row else None

    # -- posts an inventory vouched for, decided when the site's discovery is idle --------------
    def vouch(self, url: str, site: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO vouched VALUES (?, ?)", (url, site))

    def unvouch(self, url: str) -> bool:
        """True when ``url`` was vouched for: another inventory now says it changed."""
        return self.db.execute("DELETE FROM vouched WHERE url = ?", (url,)).rowcount > 0

    def vouched(self, site: str) -> Iterator[str]:
        """The URLs vouched for on ``site``, in batches (callers may write meanwhile)."""
        after = ""
        while True:
            rows = self.db.execute(f"SELECT url FROM vouched WHERE site = ? AND url > ? "
                                   f"ORDER BY url LIMIT {BATCH}", (site, after)).fetchall()
            if not rows:
                return
            yield from (str(row[0]) for row in rows)
            after = rows[-1][0]


_FIELDS = ("url, fetched_url, version, captured_at, record_id, payload_digest, etag, "
           "last_modified, deleted_at")


# -- resource priors (requisites: crawler/recrawl.py ResourceRecrawl) -----------------------------
@dataclass(frozen=True)
class ResourcePrior:
    """A full capture of a requisite (or of a page that is not a post): archived before this
    crawl, or made by it (``this_crawl``)."""

    url: str
    captured_at: str
    record_id: str
    payload_digest: str | None
    etag: str | None
    last_modified: str | None
    this_crawl: bool = False


_PAGE_FIELDS = "url, captured_at, record_id, payload_digest, etag, last_modified"
_RESOURCE_FIELDS = "url, captured_at, record_id, payload_digest, etag, last_modified, this_crawl"


class ResourceLedger(Ledger):
    """The ledger with the archive's requisites: what a conditional request and an
    identical-payload revisit need, looked up on disk by URL or by payload digest.

    Owned by the capture point, not by a spider: whichever spider yields requisites, the
    downloader middleware that writes them decides on revisits."""

    def __init__(self) -> None:
        super().__init__()
        self.db.executescript(RESOURCE_SCHEMA)

    def load_resource_priors(self, catalogs: list[Path]) -> int:
        """Copy every catalog's resources (one INSERT ... SELECT each); the newest capture wins.

        All of them, whatever the site: a CDN file is shared by many blogs, and an identical
        payload may be archived under any URL."""
        for number, path in enumerate(catalogs):
            with _attached(self.db, number, path) as schema:
                if has_resources(self.db, schema):
                    self.db.execute(
                        f"""INSERT INTO resource_priors ({_RESOURCE_FIELDS})
                            SELECT q.*, 0 FROM ({resource_priors_query(schema)}) q WHERE true
                            {_newest_wins("resource_priors", _CAPTURE_UPDATES)}""")
        count: int = self.db.execute("SELECT COUNT(*) FROM resource_priors").fetchone()[0]
        return count

    def resource_prior(self, url: str) -> ResourcePrior | None:
        """The archive's capture of ``url`` from before this crawl (what to revalidate against)."""
        row = self.db.execute(f"SELECT {_RESOURCE_FIELDS} FROM resource_priors "
                              "WHERE url = ? AND this_crawl = 0", (url,)).fetchone()
        return ResourcePrior(*row) if row else None

    def same_payload(self, digest: str, url: str) -> ResourcePrior | None:
        """A full capture with this payload digest, before or during this crawl: the same URL's
        if there is one, else the earliest."""
        row = self.db.execute(
            f"""SELECT {_RESOURCE_FIELDS} FROM resource_priors WHERE payload_digest = ?
                ORDER BY url = ? DESC, captured_at LIMIT 1""", (digest, url)).fetchone()
        return ResourcePrior(*row) if row else None

    def add_resource(self, prior: ResourcePrior) -> None:
        """A full capture made by this crawl: later identical payloads refer to it."""
        self.db.execute(
            f"""INSERT INTO resource_priors ({_RESOURCE_FIELDS}) VALUES (?,?,?,?,?,?,1)
                ON CONFLICT(url) DO UPDATE SET captured_at = excluded.captured_at,
                record_id = excluded.record_id, payload_digest = excluded.payload_digest,
                etag = excluded.etag, last_modified = excluded.last_modified, this_crawl = 1""",
            (prior.url, prior.captured_at, prior.record_id, prior.payload_digest, prior.etag,
             prior.last_modified))


# The columns a newer capture of a URL replaces when catalogs are merged (``_newest_wins``).
_CAPTURE_UPDATES = "captured_at record_id payload_digest etag last_modified"
_PRIOR_UPDATES = f"fetched_url version {_CAPTURE_UPDATES} deleted_at"


@contextmanager
def _attached(db: sqlite3.Connection, number: int, path: Path) -> Iterator[str]:
    """A catalog attached read-only as ``catalogN`` for its ``INSERT ... SELECT``, then detached."""
    schema = f"catalog{number}"
    db.execute("ATTACH DATABASE ? AS " + schema, (f"{path.resolve().as_uri()}?mode=ro",))
    try:
        yield schema
    finally:
        db.execute("DETACH DATABASE " + schema)


def _newest_wins(table: str, columns: str) -> str:
    """The upsert clause that keeps, of a URL every catalog holds, the newest capture."""
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns.split())
    return (f"ON CONFLICT(url) DO UPDATE SET {updates} "
            f"WHERE excluded.captured_at > {table}.captured_at")


def _has_posts(db: sqlite3.Connection, schema: str) -> bool:
    """Whether an attached catalog has its tables yet: a scale-out worker creates its shard file
    a moment before its schema, and another worker starting then must read it as empty."""
    tables: int = db.execute(f"SELECT COUNT(*) FROM {schema}.sqlite_master WHERE type = 'table' "
                             "AND name IN ('posts', 'versions')").fetchone()[0]
    return tables == 2
