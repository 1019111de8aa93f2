"""The ``search`` command: full-text search over titles, text, authors, categories and tags."""

from __future__ import annotations

import json

import click

from archive.cli.base import ArchiveContext, main
from archive.search import QueryError, search


class BadQuery(click.ClickException):
    """A query the parser rejects: one line, exit status 2 (like any usage error)."""

    exit_code = 2


@main.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="Show at most this many results.")
@click.option("--offset", default=0, type=click.IntRange(0), help="Skip this many results first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per result.")
@click.pass_obj
def search_command(obj: ArchiveContext, query: tuple[str, ...], limit: int, offset: int,
                   as_json: bool) -> None:
    """Search the archive; best matches first, matches shown [like this].

    Words must all match; "quoted phrases"; prefixes (archiv*); AND, OR, NOT in capitals, -word;
    filters site:HOST author:NAME category:NAME tag:NAME title:WORDS since:WHEN until:WHEN.
    Quote the whole query in the shell (a leading -word would read as an option).

    \b
    Example:
      blogarchive search 'climate "sea level" since:2022-01-01'
      blogarchive search 'author:"Anna Keller" budget OR tariff*' --json
    """
    text = " ".join(query)
    catalog = obj.catalog()
    try:
        hits = search(catalog, text, limit=limit, offset=offset)
    except QueryError as error:
        raise BadQuery(f"bad query {text!r}: {error}") from None
    finally:
        catalog.close()
    for hit in hits:
        if as_json:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
            continue
        click.echo(f"{(hit.published or 'undated')[:10]}  {hit.title}  {hit.url}")
        if hit.snippet_text:
            click.echo(f"    {hit.snippet_text}")
    if not hits and not as_json:
        click.echo("no posts match", err=True)
