"""``blogarchive sites``: the list of blogs a scheduled ``scrapy crawl blog -a sites=all`` keeps,
and each blog's health (``archive/sites``)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from archive.cli.base import ArchiveContext, main
from archive.sites import OpmlError, Registry, Site, Subscription, read_opml, write_opml
from archive.urls import BadURL

EMPTY = "no sites: blogarchive sites add URL"


class BadInput(click.ClickException):
    """One line and exit status 2: the input itself is wrong (a bad URL, a bad OPML file)."""

    exit_code = 2


def _registry(obj: ArchiveContext) -> Registry:
    return Registry(obj.layout.sites_path)


def _entries(obj: ArchiveContext) -> list[Site]:
    """Every entry; reading an archive without a list creates none."""
    if not Registry.exists(obj.layout.root):
        return []
    with _registry(obj) as registry:
        return registry.sites()


@main.group("sites")
def sites() -> None:
    """The blogs this archive keeps: `scrapy crawl blog -a sites=all` crawls them all.

    \b
    Example:
      blogarchive sites add https://example.org/ blog.example.net
      scrapy crawl blog -a sites=all
      blogarchive sites list
    """


@sites.command("add")
@click.argument("urls", nargs=-1, required=True)
@click.pass_obj
def add(obj: ArchiveContext, urls: tuple[str, ...]) -> None:
    """Add blogs by their home page (https:// is assumed when no scheme is given).

    \b
    Example:
      blogarchive sites add https://example.org/ blog.example.net
    """
    with _registry(obj) as registry:
        for url in urls:
            try:
                added = registry.add(url)
            except BadURL as error:
                raise BadInput(str(error)) from None
            click.echo(f"{'added' if added else 'already listed'}: {url}")


@sites.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_(obj: ArchiveContext, file: Path) -> None:
    """Add every blog of an OPML file, as feed readers export it (htmlUrl, else the site of
    xmlUrl; nested outlines too).

    \b
    Example:
      blogarchive sites import subscriptions.opml
    """
    try:
        found = read_opml(file.read_bytes())
    except (OpmlError, OSError) as error:
        raise BadInput(f"{file}: {error}") from None
    added = listed = skipped = 0
    with _registry(obj) as registry:
        for sub in found:
            try:
                if registry.add(sub.url, sub.title, sub.feed_url):
                    added += 1
                else:
                    listed += 1
            except BadURL as error:
                skipped += 1
                click.echo(f"skipped: {error}", err=True)
    click.echo(f"{added} added, {listed} already listed, {skipped} skipped ({file})")


@sites.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE (default: standard output).")
@click.pass_obj
def export(obj: ArchiveContext, output: Path | None) -> None:
    """Write the list as OPML 2.0, which feed readers and `sites import` read.

    \b
    Example:
      blogarchive sites export -o blogs.opml
    """
    entries = _entries(obj)
    data = write_opml(Subscription(s.url, s.title, s.feed_url) for s in entries
                      if not s.superseded)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        output.write_bytes(data)


@sites.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of every entry.")
@click.pass_obj
def list_(obj: ArchiveContext, as_json: bool) -> None:
    """The blogs and their health: last success, last change, consecutive failures, status
    (ok, new, failing, moved, gone).

    \b
    Example:
      blogarchive sites list --json
    """
    entries = _entries(obj)
    if as_json:
        click.echo(json.dumps([{**asdict(site), "status": site.status} for site in entries]))
    elif not entries:
        click.echo(EMPTY)
    else:
        for line in _table(entries):
            click.echo(line.rstrip())


def _table(entries: list[Site]) -> list[str]:
    rows = [("url", "last success", "last change", "failures", "status")]
    rows += [(s.url, _day(s.last_success), _day(s.last_change), str(s.failures), s.status)
             for s in entries]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return ["  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[4]])
            for row in rows]


def _day(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "-"


@sites.command("remove")
@click.argument("urls", nargs=-1, required=True)
@click.pass_obj
def remove(obj: ArchiveContext, urls: tuple[str, ...]) -> None:
    """Take blogs off the list; their archived posts stay in the archive.

    \b
    Example:
      blogarchive sites remove https://example.org/
    """
    unknown = []
    with _registry(obj) as registry:
        for url in urls:
            try:
                removed = registry.remove(url)
            except BadURL as error:
                raise BadInput(str(error)) from None
            if removed:
                click.echo(f"removed: {url} (its archived posts stay)")
            else:
                unknown.append(url)
    if unknown:
        raise click.ClickException(f"not listed: {', '.join(unknown)} (see blogarchive sites list)")
