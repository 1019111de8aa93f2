"""The ``blogarchive`` command: read an archive without Scrapy.

A thin layer over the library (as sqlite-utils does it): each command opens the archive, calls one
or two functions, and turns domain errors into a one-line message and an exit code.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from archive.catalog import Catalog
from archive.config import default_archive_dir
from archive.layout import Layout
from archive.urls import canonical_url

LIST_FIELDS = ("url", "title", "author", "published", "modified", "categories", "tags",
               "word_count", "language", "site", "text_path", "meta_path", "warc_file",
               "warc_offset", "warc_length", "record_id", "captured_at", "version", "reason")


class ArchiveContext:
    def __init__(self, root: Path) -> None:
        self.layout = Layout(root)

    def catalog(self) -> Catalog:
        if not self.layout.catalog_path.exists():
            raise click.ClickException(
                f"no archive at {self.layout.root} (no catalog.sqlite): run a crawl first, or "
                "pass --archive DIR")
        return Catalog(self.layout.catalog_path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Archive directory (default: $ARCHIVE_DIR or ./archive-data).")
@click.version_option(package_name="blogarchive")
@click.pass_context
def main(ctx: click.Context, archive_dir: Path | None) -> None:
    """Read a blog archive made by `scrapy crawl blog`.

    \b
    Example:
      blogarchive --archive ./archive-data list
    """
    ctx.obj = ArchiveContext(archive_dir or Path(default_archive_dir()))


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--site", help="Only posts of this site (host or host:port).")
@click.pass_obj
def list_posts(obj: ArchiveContext, as_json: bool, site: str | None) -> None:
    """List archived posts, oldest first.

    \b
    Example:
      blogarchive list --json | jq .title
    """
    catalog = obj.catalog()
    rows = catalog.latest("p.site = ?", (site,)) if site else catalog.latest()
    for row in rows:
        record = row_to_dict(row)
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            date = (record["published"] or "undated")[:10]
            click.echo(f"{date}  {record['title'] or '(untitled)'}  {record['url']}")


@main.command()
@click.argument("post")
@click.option("--json", "as_json", is_flag=True, help="Print metadata and text as JSON.")
@click.pass_obj
def show(obj: ArchiveContext, post: str, as_json: bool) -> None:
    """Print the clean text of one post, by URL or catalog id.

    \b
    Example:
      blogarchive show https://example.org/2022/01/12/hello/
    """
    catalog = obj.catalog()
    row = catalog.find(post) or catalog.find(canonical_url(post)) if "://" in post else (
        catalog.find(post))
    if row is None:
        raise click.ClickException(f"no archived post for {post!r}: see `blogarchive list`")
    text = obj.layout.resolve(row["text_path"]).read_text(encoding="utf-8")
    if as_json:
        click.echo(json.dumps({**row_to_dict(row), "text": text}, ensure_ascii=False))
    else:
        click.echo(text, nl=False)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def stats(obj: ArchiveContext, as_json: bool) -> None:
    """Count posts, versions, comments, sites and WARC bytes.

    \b
    Example:
      blogarchive stats --json
    """
    figures: dict[str, Any] = obj.catalog().counts()
    warcs = sorted(obj.layout.warc_dir.glob("*.warc.gz*"))
    figures["warc_files"] = len(warcs)
    figures["warc_bytes"] = sum(p.stat().st_size for p in warcs)
    if as_json:
        click.echo(json.dumps(figures))
        return
    for key, value in figures.items():
        click.echo(f"{key.replace('_', ' ')}: {value}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The page's URL (default: file:// URL of FILE).")
@click.option("--encoding", default=None, help="Charset from the HTTP header, if known.")
@click.option("--json", "as_json", is_flag=True, help="Print every field as JSON.")
def extract(file: Path, url: str | None, encoding: str | None, as_json: bool) -> None:
    """Run the archive's extractor on a saved page, to see why a post came out as it did.

    \b
    Example:
      blogarchive extract saved-post.html --url https://example.org/2022/01/12/a-post/ --json
    """
    from archive.extract import extract_post

    result = extract_post(file.read_bytes(), url or file.resolve().as_uri(), encoding=encoding)
    data = result.to_dict()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for key in ("title", "author", "published", "modified", "categories", "tags", "language",
                "site_name", "canonical_url", "word_count", "reason", "date_reason"):
        value = data.get(key)
        if value not in (None, "", []):
            click.echo(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
    click.echo(f"comments: {len(data.get('comments') or [])}")
    click.echo("")
    click.echo(data.get("text") or "")


def row_to_dict(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["categories"] = json.loads(data.get("categories") or "[]")
    data["tags"] = json.loads(data.get("tags") or "[]")
    return {key: data.get(key) for key in LIST_FIELDS}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
