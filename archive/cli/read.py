"""Read commands: list, show, stats, and extract (the extractor on a saved page)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from archive.cli.base import ArchiveContext, find_post, main, row_to_dict
from archive.config import ConfigError
from archive.when import parse_when


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--site", help="Only posts of this site (host or host:port).")
@click.option("--changed-since", "changed_since", metavar="WHEN",
              help="Only posts edited (a new version captured) since WHEN, e.g. '1 week ago'.")
@click.pass_obj
def list_posts(obj: ArchiveContext, as_json: bool, site: str | None,
               changed_since: str | None) -> None:
    """List archived posts, oldest first.

    \b
    Example:
      blogarchive list --json | jq .title
      blogarchive list --changed-since "2 weeks ago"
    """
    clauses, params = [], []
    if site:
        clauses.append("p.site = ?")
        params.append(site)
    if changed_since:
        clauses.append("v.version > 1 AND v.captured_at >= ?")
        params.append(_when(changed_since, "--changed-since").isoformat())
    for row in obj.catalog().latest(" AND ".join(clauses), tuple(params)):
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
    row = find_post(obj, obj.catalog(), post)
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




def _when(text: str, name: str) -> datetime:
    try:
        moment = parse_when(text, name)
    except ConfigError as error:
        raise click.BadParameter(str(error)) from None
    assert moment is not None
    return moment
