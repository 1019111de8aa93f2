"""The ``search`` command: full-text search over titles, text, authors, categories and tags."""

from __future__ import annotations

import json

import click

from archive.cli.base import ArchiveContext, deleted_note, main
from archive.search import QueryError, search


class BadQuery(click.ClickException):
    """A query the parser rejects: one line, exit status 2 (like any usage error)."""

    exit_code = 2


class QueryCommand(click.Command):
    """Every word that is not one of this command's options is part of the query, dashes and all.

    Why: click reads ``-tariff`` (or the single argument ``"-tariff budget"``) as an unknown option
    and stops with "No such option", though ``-word`` is how the query language leaves words out.
    The options are moved before a ``--`` and everything else keeps its order after it.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        flags: set[str] = set()
        valued: set[str] = set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                (flags if param.is_flag else valued).update(param.opts + param.secondary_opts)
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words.extend(rest)
            elif arg in valued:
                value = next(rest, None)
                options.extend([arg] if value is None else [arg, value])
            elif arg in flags or arg.split("=", 1)[0] in valued:
                options.append(arg)
            else:
                words.append(arg)
        return super().parse_args(ctx, [*options, "--", *words])


@main.command("search", cls=QueryCommand)
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="Show at most this many results.")
@click.option("--offset", default=0, type=click.IntRange(0), help="Skip this many results first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per result.")
@click.option("--comments", "in_comments", is_flag=True,
              help="Match the words in the posts' comments too (comment:WORDS looks there only).")
@click.pass_obj
def search_command(obj: ArchiveContext, query: tuple[str, ...], limit: int, offset: int,
                   as_json: bool, in_comments: bool) -> None:
    """Search the archive; best matches first, matches shown [like this].

    Words must all match; "quoted phrases"; prefixes (archiv*); AND, OR, NOT in capitals; -word
    leaves a word out (anywhere, even first: -tariff budget), but needs a word to look for beside
    it. Filters: site:HOST (any port unless one is given) author:NAME category:NAME tag:NAME
    title:WORDS comment:WORDS since:WHEN until:WHEN. An unknown field: or an unclosed quote is an
    error (exit 2). Quote the query in the shell so it reaches the search as typed; a word that
    looks like one of the options below (--limit) goes after -- .

    \b
    Example:
      blogarchive search 'climate "sea level" since:2022-01-01'
      blogarchive search -tariff budget site:example.org
      blogarchive search 'comment:"thank you"' --json
      blogarchive search --comments 'author:"Anna Keller" budget OR tariff*'
    """
    text = " ".join(query)
    catalog = obj.catalog()
    try:
        hits = search(catalog, text, limit=limit, offset=offset, comments=in_comments)
    except QueryError as error:
        raise BadQuery(f"bad query {text!r}: {error}") from None
    finally:
        catalog.close()
    for hit in hits:
        if as_json:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
            continue
        click.echo(f"{(hit.published or 'undated')[:10]}  {hit.title}  {hit.url}"
                   f"{deleted_note(hit.deleted_at)}")
        if hit.snippet_text:
            click.echo(f"    {hit.snippet_text}")
    if not hits and not as_json:
        click.echo("no posts match", err=True)
