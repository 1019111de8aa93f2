"""The list of blogs an archive keeps, with each blog's health, in ``sites.sqlite`` at its root.

A blog is keyed by ``archive.urls.site_of`` of its home page, the same key the crawler's scope and
the catalog use. Outcomes are written with one UPDATE each, computed by SQLite from the row as it
is then, so two scale-out workers recording at once cannot lose a count; the busy timeout makes the
second one wait instead of failing ("database is locked").
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from archive.layout import Layout
from archive.urls import home_url, site_of

BUSY_TIMEOUT = 30.0  # seconds a writer waits for another process's transaction
SCHEMA = """
CREATE TABLE IF NOT EXISTS sites (
    site TEXT PRIMARY KEY,       -- archive.urls.site_of(url): host[:port]
    url TEXT NOT NULL,           -- the home page crawled
    added_at TEXT NOT NULL,
    title TEXT, feed_url TEXT,   -- from an OPML import, when known
    last_attempt TEXT, last_success TEXT, last_change TEXT, last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,  -- consecutive runs whose home page did not answer
    moved_from TEXT, moved_to TEXT, moved_at TEXT,
    gone_at TEXT                 -- set once failures reached SITES_GONE_AFTER
);
"""


@dataclass(frozen=True)
class Site:
    site: str
    url: str
    added_at: str
    title: str | None = None
    feed_url: str | None = None
    last_attempt: str | None = None
    last_success: str | None = None
    last_change: str | None = None
    last_error: str | None = None
    failures: int = 0
    moved_from: str | None = None
    moved_to: str | None = None
    moved_at: str | None = None
    gone_at: str | None = None

    @property
    def superseded(self) -> bool:
        """Moved to a blog that has its own entry: that entry is crawled instead."""
        return bool(self.moved_to) and self.moved_to != self.url

    @property
    def status(self) -> str:
        """gone, failing, moved, ok, or new (never crawled yet)."""
        if self.gone_at:
            return "gone"
        if self.failures:
            return "failing"
        if self.superseded:
            return f"moved → {self.moved_to}"
        if self.moved_from:
            return f"moved {self.moved_from} → {self.url}"
        return "ok" if self.last_success else "new"


@dataclass(frozen=True)
class Outcome:
    """What one crawl saw of one blog: did its home page answer, and did any post change."""

    site: str
    answered: bool
    error: str | None = None  # why not: "HTTP 503", "TimeoutError: ..."
    changes: int = 0          # posts new, changed or deleted in this run
    title: str | None = None  # the home page's, kept when the entry has none (OPML export)
    feed_url: str | None = None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Registry:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.executescript(SCHEMA)

    @classmethod
    def open(cls, root: Path) -> Registry:
        return cls(Layout(root).sites_path)

    @staticmethod
    def exists(root: Path) -> bool:
        return Layout(root).sites_path.exists()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the list ------------------------------------------------------------------------------
    def add(self, url: str, title: str | None = None, feed_url: str | None = None) -> bool:
        """Add a blog; False when it is listed already (its missing title and feed are filled)."""
        home = home_url(url)
        site = site_of(home)
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO sites (site, url, added_at, title, feed_url) VALUES (?,?,?,?,?)",
            (site, home, now_iso(), title, feed_url))
        if cursor.rowcount == 0:
            self.db.execute("UPDATE sites SET title = COALESCE(title, ?), "
                            "feed_url = COALESCE(feed_url, ?) WHERE site = ?",
                            (title, feed_url, site))
        return cursor.rowcount == 1

    def remove(self, url: str) -> bool:
        """Remove a blog from the list (its archived posts stay); False when it is not listed."""
        return self.db.execute("DELETE FROM sites WHERE site = ?",
                               (site_of(home_url(url)),)).rowcount == 1

    def get(self, site: str) -> Site | None:
        row = self.db.execute("SELECT * FROM sites WHERE site = ?", (site,)).fetchone()
        return _site(row) if row else None

    def sites(self) -> list[Site]:
        return [_site(row) for row in self.db.execute("SELECT * FROM sites ORDER BY site")]

    def crawl_urls(self) -> list[str]:
        """The home pages ``-a sites=all`` crawls: every entry but those superseded by a move."""
        return [site.url for site in self.sites() if not site.superseded]

    # -- health --------------------------------------------------------------------------------
    def record(self, outcome: Outcome, gone_after: int, when: str | None = None) -> bool:
        """Record one run's outcome for a listed blog; False when the blog is not listed."""
        when = when or now_iso()
        ok = 1 if outcome.answered else 0
        return self.db.execute(
            """UPDATE sites SET last_attempt = :when,
                   last_success = CASE WHEN :ok THEN :when ELSE last_success END,
                   last_change = CASE WHEN :changes > 0 THEN :when ELSE last_change END,
                   last_error = CASE WHEN :ok THEN NULL ELSE :error END,
                   failures = CASE WHEN :ok THEN 0 ELSE failures + 1 END,
                   gone_at = CASE WHEN :ok THEN NULL
                                  WHEN failures + 1 >= :after THEN COALESCE(gone_at, :when)
                                  ELSE gone_at END,
                   title = COALESCE(title, :title), feed_url = COALESCE(feed_url, :feed)
               WHERE site = :site""",
            {"when": when, "ok": ok, "changes": outcome.changes, "error": outcome.error,
             "after": gone_after, "site": outcome.site, "title": outcome.title,
             "feed": outcome.feed_url}).rowcount == 1

    def move(self, old_site: str, new_url: str, when: str | None = None) -> bool:
        """A listed blog's home page redirects permanently to ``new_url`` on another host.

        The entry then points at the new home (``moved_from`` keeps the old one); when the new
        host has an entry of its own, the old entry only records ``moved_to`` and is not crawled.
        """
        when, home = when or now_iso(), home_url(new_url)
        old, new_site = self.get(old_site), site_of(home)
        if old is None or new_site == old_site:
            return False
        if self.get(new_site) is not None:
            self.db.execute("UPDATE sites SET moved_to = ?, moved_at = ? WHERE site = ?",
                            (home, when, old_site))
        else:
            # The old feed was on the old host: the new home page names the new one.
            self.db.execute("UPDATE sites SET site = ?, url = ?, moved_from = ?, moved_to = ?, "
                            "moved_at = ?, feed_url = NULL WHERE site = ?",
                            (new_site, home, old.url, home, when, old_site))
        return True


def _site(row: sqlite3.Row) -> Site:
    names = {f.name for f in fields(Site)}
    return Site(**{key: row[key] for key in row.keys() if key in names})  # noqa: SIM118
