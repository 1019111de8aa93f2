"""The events of an archive from its catalog: one SQL query per kind, files read only for edits.

A new comment or an edit each make a new version of a post (the content hash covers both), and a
version can be both. So a version ``n > 1`` is compared with the version before it: its comment ids
that version ``n - 1`` lacks are the new comments (SQL alone), and its title, clean text and
Markdown decide whether it is also an edit. Only those versions' text files are read (and their
sidecars when the text is the same), so the cost follows the number of changes, not the size of
the archive. Measured on a 10,000-post catalog (53,300 comments): the new-post and deletion queries
take 5 to 75 ms; a run with 600 later versions (300 edits, 300 with new comments) 0.3 to 0.6 s, most
of it reading their 1,800 files and diffing the 300 edits.
"""

from __future__ import annotations

import json
import shlex
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.catalog import Catalog
from archive.history import Change, body_of, change_of, word_diff
from archive.layout import Layout
from archive.when import parse_iso

KINDS = ("new", "edit", "comments", "deleted")
EXCERPT = 160  # characters of a new comment shown in a listing or a feed entry
ID_SPACE = uuid.UUID("5b0a6f2e-3c1d-4f7a-9e52-19a4c0d1b7e3")  # entry ids: uuid5 in this space


@dataclass(frozen=True)
class Query:
    """Which events: from ``since`` on (None: all), of one ``site`` (a host, with or without port)."""

    since: datetime | None = None
    site: str | None = None

    def where(self, stamp: str) -> tuple[str, list[Any]]:
        """SQL conditions on ``stamp`` (a column of UTC ISO stamps) and ``p.site``, and their values.

        The catalog writes every stamp as UTC ``isoformat()``, so text order is time order.
        """
        terms, values = ["1"], []
        if self.since is not None:
            terms.append(f"{stamp} >= ?")
            values.append(self.since.astimezone(UTC).isoformat())
        if self.site:
            site = self.site.lower()
            if ":" in site:
                terms.append("p.site = ?")
                values.append(site)
            else:  # a host alone: the blog on any port of it
                terms.append("(p.site = ? OR p.site LIKE ? ESCAPE '\\')")
                values += [site, site.replace("_", "\\_").replace("%", "\\%") + ":%"]
        return " AND ".join(terms), values


@dataclass(frozen=True)
class NewComment:
    comment_id: str
    author: str | None
    published: str | None
    excerpt: str


@dataclass(frozen=True)
class Event:
    """One change to one post: ``kind`` is new, edit, comments or deleted."""

    kind: str
    at: str              # UTC ISO stamp: the capture that showed it, or when the post was seen gone
    post_id: int         # the catalog's id (the reader's /post/<id>)
    url: str
    site: str
    version: int         # the version that shows the change (deleted: the last one archived)
    title: str | None
    author: str | None = None
    old_title: str | None = None   # edit: the title before, when the title changed
    added: int = 0                 # edit: words added and removed in the clean text
    removed: int = 0
    comments: tuple[NewComment, ...] = ()
    problem: str | None = None     # edit: why its texts could not be compared

    @property
    def entry_id(self) -> str:
        """Stable across fetches, reindexes and merges: derived from the post URL, version, kind."""
        return uuid.uuid5(ID_SPACE, f"{self.url}#v{self.version}/{self.kind}").urn

    def diff_command(self) -> str | None:
        """The command that shows an edit word by word."""
        if self.kind != "edit":
            return None
        return f"blogarchive diff {shlex.quote(self.url)} {self.version - 1} {self.version}"

    def reader_path(self) -> str:
        """Where the web reader shows it: the diff view for an edit, the post otherwise."""
        if self.kind == "edit":
            return f"/post/{self.post_id}?from={self.version - 1}&to={self.version}#diff"
        if self.kind == "comments":
            return f"/post/{self.post_id}?v={self.version}#comments"
        return f"/post/{self.post_id}"


def read_events(catalog: Catalog, layout: Layout, query: Query) -> list[Event]:
    """Every event ``query`` selects, oldest first."""
    found = [*_new_posts(catalog, query), *_later_versions(catalog, layout, query),
             *_deletions(catalog, query)]
    return sorted(found, key=lambda e: (e.at, KINDS.index(e.kind), e.url))


def has_site(catalog: Catalog, site: str) -> bool:
    """Whether any post is of ``site`` as ``Query`` reads it (a host alone: any port of it)."""
    where, values = Query(site=site).where("p.deleted_at")
    return catalog.db.execute(f"SELECT 1 FROM posts p WHERE {where} LIMIT 1",
                              values).fetchone() is not None


def recent_since(catalog: Catalog, query: Query, count: int) -> datetime | None:
    """The capture or deletion moment of the ``count``-th newest version or deletion ``query``
    selects (None when there are fewer), so a feed reads the files of its own entries only."""
    on_versions, values = query.where("v.captured_at")
    on_posts, more = query.where("p.deleted_at")
    row = catalog.db.execute(
        f"""SELECT at FROM (
              SELECT v.captured_at AS at FROM versions v JOIN posts p ON p.id = v.post_id
              WHERE {on_versions}
              UNION ALL SELECT p.deleted_at FROM posts p
              WHERE p.deleted_at IS NOT NULL AND {on_posts})
            ORDER BY at DESC LIMIT 1 OFFSET ?""", [*values, *more, count - 1]).fetchone()
    return parse_iso(row[0]) if row else None


def _new_posts(catalog: Catalog, query: Query) -> Iterator[Event]:
    where, values = query.where("v.captured_at")
    for row in catalog.db.execute(
            f"""SELECT p.id, p.url, p.site, v.captured_at, v.title, v.author
                FROM versions v JOIN posts p ON p.id = v.post_id
                WHERE v.version = 1 AND {where}""", values):
        yield Event("new", row[3], row[0], row[1], row[2], 1, row[4], row[5])


# Each version n > 1 in the window with the version just before it (n - 1, or the newest older one
# when a version was dropped from the catalog).
PAIRS = """SELECT p.id AS post_id, p.url, p.site, v.id AS new_id, v.version, v.captured_at,
    v.title, v.author, v.text_path, v.meta_path, o.id AS old_id, o.title AS old_title,
    o.text_path AS old_text_path, o.meta_path AS old_meta_path
    FROM versions v JOIN posts p ON p.id = v.post_id
    JOIN versions o ON o.post_id = v.post_id AND o.version = (
        SELECT MAX(version) FROM versions WHERE post_id = v.post_id AND version < v.version)
    WHERE v.version > 1 AND {where}"""


def _later_versions(catalog: Catalog, layout: Layout, query: Query) -> Iterator[Event]:
    where, values = query.where("v.captured_at")
    added = _new_comments(catalog, where, values)
    for row in catalog.db.execute(PAIRS.format(where=where), values).fetchall():
        base = Event("edit", row["captured_at"], row["post_id"], row["url"], row["site"],
                     row["version"], row["title"], row["author"])
        edit = _edit(layout, row, base)
        if edit is not None:
            yield edit
        if added.get(row["new_id"]):
            yield Event("comments", base.at, base.post_id, base.url, base.site, base.version,
                        base.title, base.author, comments=tuple(added[row["new_id"]]))


def _edit(layout: Layout, row: sqlite3.Row, base: Event) -> Event | None:
    """The edit this version makes (title, text or Markdown changed), or None (comments only).

    A text file that cannot be read (missing, outside the archive, not UTF-8) does not hide the
    change: the version is listed as an edit whose ``problem`` says why it was not compared.
    """
    retitled = (row["title"] or "") != (row["old_title"] or "")
    old_title = row["old_title"] if retitled else None
    try:
        change, same_markdown = _compare(layout, row)
    except (OSError, ValueError) as error:
        return replace(base, old_title=old_title, problem=f"not compared: {_reason(error)}")
    if not (retitled or change.added or change.removed) and same_markdown:
        return None
    return replace(base, old_title=old_title, added=change.added, removed=change.removed)


def _compare(layout: Layout, row: sqlite3.Row) -> tuple[Change, bool]:
    """Words added and removed between the two texts, and whether their Markdown is the same
    (only read when the texts are: a changed link or image is an edit too)."""
    new_body = body_of(_read(layout, row["text_path"]))
    old_body = body_of(_read(layout, row["old_text_path"]))
    if new_body != old_body:  # most later versions only add comments: no diff for them
        return change_of(word_diff(old_body, new_body)), False
    same = _markdown(layout, row["meta_path"]) == _markdown(layout, row["old_meta_path"])
    return Change(0, 0), same


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return f"{error.strerror or error} ({Path(str(error.filename or '')).name})"
    return str(error)


def _read(layout: Layout, path: str) -> str:
    """A clean-text file; ``Layout.resolve`` refuses paths outside the archive (ValueError)."""
    return layout.resolve(path).read_text(encoding="utf-8")


def _markdown(layout: Layout, meta_path: str) -> str:
    """A version's Markdown reading copy from its sidecar ('' when it has none)."""
    data = json.loads(_read(layout, meta_path))
    return str(data.get("markdown") or "") if isinstance(data, dict) else ""


def _new_comments(catalog: Catalog, where: str, values: list[Any]) -> dict[int, list[NewComment]]:
    """For each version of ``PAIRS``: its comments whose id the version before it lacks."""
    found: dict[int, list[NewComment]] = {}
    for row in catalog.db.execute(
            f"""WITH x AS ({PAIRS.format(where=where)})
                SELECT c.version_id, c.comment_id, c.author, c.published, c.text
                FROM x JOIN comments c ON c.version_id = x.new_id
                WHERE NOT EXISTS (SELECT 1 FROM comments k WHERE k.version_id = x.old_id
                                  AND k.comment_id = c.comment_id)
                ORDER BY c.version_id, c.rowid""", values):
        found.setdefault(row[0], []).append(
            NewComment(str(row[1]), row[2], row[3], excerpt(str(row[4] or ""))))
    return found


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The first ``limit`` characters of ``text`` on one line, cut at a word with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0] + "…"


def _deletions(catalog: Catalog, query: Query) -> Iterator[Event]:
    where, values = query.where("p.deleted_at")
    for row in catalog.db.execute(
            f"""SELECT p.id, p.url, p.site, p.deleted_at, v.version, v.title, v.author
                FROM posts p JOIN versions v ON v.post_id = p.id AND v.version = (
                    SELECT MAX(version) FROM versions WHERE post_id = p.id)
                WHERE p.deleted_at IS NOT NULL AND {where}""", values):
        yield Event("deleted", row[3], row[0], row[1], row[2], row[4], row[5], row[6])
