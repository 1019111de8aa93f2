"""The ``blogarchive`` group: archive location, shared helpers. Commands live beside it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import click

from archive.catalog import Catalog
from archive.catalog.health import CatalogDamaged, damage_reason
from archive.catalog.lookup import find_by_url
from archive.catalog.open import has_catalog, open_read
from archive.catalog.selection import terms_of
from archive.config import default_archive_dir
from archive.layout import Layout
from archive.urls import BadURL

LIST_FIELDS = ("id", "url", "title", "author", "published", "modified", "categories", "tags",
               "word_count", "language", "site", "text_path", "meta_path", "warc_file",
               "warc_offset", "warc_length", "record_id", "captured_at", "version", "reason", "deleted_at")


class ArchiveContext:
    def __init__(self, root: Path) -> None:
        self.layout = Layout(root)

    def catalog(self) -> Catalog:
        """The catalog, with the shards of scaled-out workers read in (see ``open_read``)."""
        if not has_catalog(self.layout):
            raise click.ClickException(
                f"no archive at {self.layout.root} (no catalog.sqlite): run a crawl first, or "
                "pass --archive DIR")
        return open_read(self.layout, read_only=False)


class ArchiveGroup(click.Group):
    """Turns a damaged catalog into one line and exit status 1, whichever command met it.

    Openers raise ``CatalogDamaged``; a page that breaks only when a later query reaches it
    still surfaces as ``sqlite3.DatabaseError``, and gets the same one line.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogDamaged as error:
            raise click.ClickException(str(error)) from None
        except sqlite3.DatabaseError as error:
            obj = ctx.find_object(ArchiveContext)
            where = obj.layout.catalog_path if obj else Path("catalog.sqlite")
            raise click.ClickException(str(CatalogDamaged(where, damage_reason(error)))) from None


@click.group(cls=ArchiveGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Archive directory (default: $ARCHIVE_DIR or ./archive-data).")
@click.version_option(package_name="blogarchive")
@click.pass_context
def main(ctx: click.Context, archive_dir: Path | None) -> None:
    """Crawl blogs into an archive (`crawl`) and read it.

    \b
    Example:
      blogarchive --archive ./archive-data crawl https://example.org/
      blogarchive --archive ./archive-data list
    """
    ctx.obj = ArchiveContext(archive_dir or Path(default_archive_dir()))


def row_to_dict(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["id"] = row["post_id"]  # the id `show ID` takes (the row's own ``id`` is the version's)
    data["categories"], data["tags"] = terms_of(row, "categories"), terms_of(row, "tags")
    return {key: data.get(key) for key in LIST_FIELDS}


def find_post(obj: ArchiveContext, catalog: Catalog, post: str) -> sqlite3.Row:
    """A post by catalog id (as `list` shows it) or by any URL a user pastes: tracking parameters
    and all, http or https, with or without ``www.`` and the trailing slash."""
    row = catalog.find(post)
    if row is None and not post.strip().isdigit():
        try:
            row = find_by_url(catalog, post)
        except BadURL as error:  # http://[::1 and the like
            raise click.UsageError(f"cannot read the URL {post!r}: {error}") from None
    if row is None:
        raise click.ClickException(f"no archived post for {post!r}: see `blogarchive list` for "
                                   "the ids and URLs")
    return row


def deleted_note(deleted_at: str | None) -> str:
    """``  [deleted: seen gone 2026-12-05]`` for a post the blog removed, else ``""``."""
    return f"  [deleted: seen gone {deleted_at[:10]}]" if deleted_at else ""
