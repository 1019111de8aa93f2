"""Read commands: list, show, comments, stats, and extract (the extractor on a saved page)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from archive.catalog import Catalog
from archive.catalog.selection import PostFilter, selected, unreadable_terms
from archive.cli.base import ArchiveContext, deleted_note, find_post, main, row_to_dict
from archive.config import ConfigError
from archive.export.post import PostUnreadable, PostView, load_post, to_html, to_markdown, to_text
from archive.warc.files import warc_files
from archive.when import parse_when


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--site", help="Only posts of this site (host or host:port).")
@click.option("--since", metavar="WHEN", help="Only posts published at or after WHEN.")
@click.option("--until", metavar="WHEN", help="Only posts published at or before WHEN.")
@click.option("--category", help="Only posts in this category (exact name, any case).")
@click.option("--tag", help="Only posts with this tag (exact name, any case).")
@click.option("--author", help="Only posts whose author's name contains this.")
@click.option("--changed-since", "changed_since", metavar="WHEN",
              help="Only posts edited (a new version captured) since WHEN, e.g. '1 week ago'.")
@click.pass_obj
def list_posts(obj: ArchiveContext, as_json: bool, site: str | None, since: str | None,
               until: str | None, category: str | None, tag: str | None, author: str | None,
               changed_since: str | None) -> None:
    """List archived posts, oldest first: id (what `show ID` takes), date, title, URL.

    A post the blog removed stays in the archive and is marked [deleted: seen gone DATE] (JSON:
    deleted_at). Dates (WHEN) are anything dateparser reads: 2022-01-01, '12 January 2022', '3 weeks ago'.

    \b
    Example:
      blogarchive list --json | jq .title
      blogarchive list --site example.org --since 2022-01-01 --until 2022-12-31
      blogarchive list --category News --author "Anna"
      blogarchive list --changed-since "2 weeks ago"
    """
    post_filter = PostFilter(site=site, since=_maybe(since, "--since"),
                             until=_maybe(until, "--until"), category=category, tag=tag,
                             author=author, changed_since=_maybe(changed_since, "--changed-since"))
    unreadable = 0
    for row in selected(obj.catalog(), post_filter):
        unreadable += bool(unreadable_terms(row))
        record = row_to_dict(row)
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            date = (record["published"] or "undated")[:10]
            click.echo(f"{record['id']:>5}  {date}  {record['title'] or '(untitled)'}  "
                       f"{record['url']}{deleted_note(record['deleted_at'])}")
    if unreadable:
        click.echo(f"warning: {unreadable} post(s) have unreadable categories or tags, listed "
                   "without them (`blogarchive reindex` rebuilds the catalog from the WARCs)",
                   err=True)


@main.command()
@click.argument("post")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json", "html"]),
              default="text", show_default=True, help="How to print the post.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.pass_obj
def show(obj: ArchiveContext, post: str, fmt: str, as_json: bool) -> None:
    """Print one post (title, date, author, categories, text, comment count), by URL or id.

    POST is the id `list` shows, or the post's URL: http or https, with or without www. and the
    trailing slash. A post the blog removed says when it was seen gone (json: deleted_at).

    text is the plain reading copy; markdown the post as Markdown (front matter, title, body with
    its headings, lists, quotes, tables, links and images, then the comments); html the same
    rendered as a page; json every field, the Markdown and the images (url, alt, caption).

    \b
    Example:
      blogarchive show https://example.org/2022/01/12/hello/
      blogarchive show 12 --format markdown > hello.md
      blogarchive show 12 --format html > hello.html
    """
    catalog = obj.catalog()
    row = find_post(obj, catalog, post)
    view = _load(obj, catalog, row)
    if as_json or fmt == "json":
        text = obj.layout.resolve(row["text_path"]).read_text(encoding="utf-8")
        data = {**row_to_dict(row), **view.to_dict(), "text": text}
        click.echo(json.dumps(data, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(to_markdown(view), nl=False)
    elif fmt == "html":
        click.echo(to_html(view), nl=False)
    else:
        click.echo(to_text(view), nl=False)


@main.command()
@click.argument("post")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per comment.")
@click.pass_obj
def comments(obj: ArchiveContext, post: str, as_json: bool) -> None:
    """Print the comment thread of a post: replies indented under their parent.

    \b
    Example:
      blogarchive comments https://example.org/2022/01/12/hello/
    """
    catalog = obj.catalog()
    view = _load(obj, catalog, find_post(obj, catalog, post))
    for comment in view.comments:
        if as_json:
            click.echo(json.dumps(asdict(comment), ensure_ascii=False))
            continue
        indent = "    " * comment.depth
        click.echo(f"{indent}{comment.author or 'anonymous'}  {(comment.published or '')[:16]}")
        for line in comment.text.splitlines() or [""]:
            click.echo(f"{indent}  {line}")
    if not view.comments and not as_json:
        click.echo("no comments archived for this post", err=True)


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
    warcs = warc_files(obj.layout, include_set_aside=True)
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

    page = file.read_bytes()
    if b"\x00" in page[:65536]:
        raise click.BadParameter(f"{file} holds binary data, not an HTML page", param_hint="FILE")
    try:
        result = extract_post(page, url or file.resolve().as_uri(), encoding=encoding)
    except ValueError as error:  # lxml refuses text no XML can hold
        raise click.ClickException(f"cannot extract {file}: {error}") from None
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


def _load(obj: ArchiveContext, catalog: Catalog, row: sqlite3.Row) -> PostView:
    try:
        return load_post(obj.layout, catalog, row)
    except PostUnreadable as error:
        raise click.ClickException(str(error)) from None


def _when(text: str, name: str) -> datetime:
    try:
        moment = parse_when(text, name)
    except ConfigError as error:
        raise click.BadParameter(str(error)) from None
    assert moment is not None
    return moment


def _maybe(text: str | None, name: str) -> datetime | None:
    return _when(text, name) if text else None
