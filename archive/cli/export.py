"""The ``export`` command: Markdown folders, EPUB books, JSON Lines and WACZ packages."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from archive.catalog import Catalog
from archive.catalog.selection import PostFilter, selected
from archive.cli.base import ArchiveContext, main
from archive.cli.progress import progress_bar
from archive.config import ConfigError
from archive.export.epub import EmptySelection, export_epub
from archive.export.jsonl import export_jsonl
from archive.export.markdown import export_markdown
from archive.export.post import Damaged
from archive.export.wacz import WaczError, export_wacz
from archive.when import parse_when

FORMATS = ("markdown", "epub", "jsonl", "wacz")


class BadTarget(click.ClickException):
    """An output path the export will not write to: one line, exit status 2 (a usage error)."""

    exit_code = 2


class NothingSelected(click.ClickException):
    """No post matches: the same line and exit status 1 whatever the format (nothing written)."""


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="markdown: a folder; epub, jsonl, wacz: one file.")
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--site", help="Only posts of this site.")
@click.option("--category", help="Only posts in this category.")
@click.option("--tag", help="Only posts with this tag.")
@click.option("--author", help="Only posts whose author's name contains this.")
@click.option("--since", metavar="WHEN", help="Only posts published at or after WHEN.")
@click.option("--until", metavar="WHEN", help="Only posts published at or before WHEN.")
@click.option("--title", help="Book or package title (epub, wacz).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def export_command(obj: ArchiveContext, fmt: str, target: Path, site: str | None,
                   category: str | None, tag: str | None, author: str | None, since: str | None,
                   until: str | None, title: str | None, as_json: bool) -> None:
    """Export posts: Markdown files (DIR), an EPUB book, JSON Lines, or a WACZ package (FILE).

    markdown writes DIR/<site>/<year>/<slug>.md with YAML front matter; images captured in the
    WARCs are copied to DIR/assets/ and linked relatively, links between exported posts lead to
    their files. epub makes one book of the selected posts, images embedded, with a table of
    contents by year and month. jsonl writes one post per line (text, Markdown, images and where
    they were archived). wacz packages every WARC with a CDXJ index and the list of posts as
    pages (the selection options choose the pages). An image never captured keeps its URL
    (markdown) or is replaced by its alt text (epub); the summary counts them. TARGET's folder
    must exist (else exit 2); a selection no post matches writes nothing (exit 1, every format).

    \b
    Example:
      blogarchive export --format markdown ./blog-md
      blogarchive export --format epub --site example.org --since 2022-01-01 --until 2022-12-31 2022.epub
      blogarchive export --format jsonl posts.jsonl
      blogarchive export --format wacz blogs.wacz
    """
    post_filter = PostFilter(site=site, category=category, tag=tag, author=author,
                             since=_when(since, "--since"), until=_when(until, "--until"))
    catalog = obj.catalog()
    summary: dict[str, Any] = {"format": fmt, "target": str(target)}
    damaged = Damaged()
    try:
        _check(fmt, target, catalog, post_filter)
        with progress_bar(f"exporting {fmt}", quiet=as_json) as progress:
            if fmt == "markdown":
                summary.update(asdict(export_markdown(obj.layout, catalog, post_filter, target,
                                                      progress, damaged)))
            elif fmt == "epub":
                summary.update(asdict(export_epub(obj.layout, catalog, post_filter, target, title,
                                                  progress, damaged)))
            elif fmt == "jsonl":
                summary.update(asdict(export_jsonl(obj.layout, catalog, post_filter, target,
                                                   progress, damaged)))
            else:
                summary["pages"] = export_wacz(obj.layout, catalog, post_filter, target, title)
    except (EmptySelection, WaczError, OSError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        catalog.close()
    summary.update(_damage_report(damaged))
    if as_json:
        click.echo(json.dumps(summary))
    else:
        count = summary.get("posts", summary.get("pages"))
        click.echo(f"exported {count} posts as {fmt} to {target}{_images_line(summary)}")


def _check_target(fmt: str, target: Path) -> None:
    """The folder ``target`` goes in must exist (the export makes no folder above it: a typo must
    not grow folders elsewhere on the disk); a file cannot replace a folder, nor a folder a file."""
    folder = target.absolute().parent
    if not folder.is_dir():
        raise BadTarget(f"the folder {folder} does not exist: create it first, or choose another "
                        "TARGET")
    if fmt == "markdown" and target.exists() and not target.is_dir():
        raise BadTarget(f"{target} is a file: markdown exports to a folder")
    if fmt != "markdown" and target.is_dir():
        raise BadTarget(f"{target} is a folder: {fmt} exports to a file, e.g. {target / f'posts.{fmt}'}")


def _check(fmt: str, target: Path, catalog: Catalog, post_filter: PostFilter) -> None:
    """Refuse before writing anything: a target that cannot be written, an empty selection."""
    _check_target(fmt, target)
    if next(selected(catalog, post_filter), None) is None:
        chosen = post_filter.describe()
        raise NothingSelected(f"no posts match this selection{f' ({chosen})' if chosen else ''}: "
                              f"nothing exported, {target} not written")


def _images_line(summary: dict[str, Any]) -> str:
    """``; 12 images copied, 1 image not in the archive``: the summary's image counts."""
    embedded = "embedded" if summary["format"] == "epub" else "archived"
    said = [f"{summary[key]} image{'' if summary[key] == 1 else 's'} {label}" for key, label in (
        ("assets", "copied"), ("images", embedded), ("images_missing", "not in the archive"),
        ("images_unsupported", "in a type the book cannot hold"))
        if summary.get(key) or (key == "images_missing" and key in summary)]
    return "; " + ", ".join(said) if said else ""


def _damage_report(damaged: Damaged) -> dict[str, int]:
    """Say on stderr which rows the export got past; their counts for the summary."""
    for reason in damaged.skipped:
        click.echo(f"skipped: {reason}", err=True)
    if damaged.repaired:
        click.echo(f"warning: {damaged.repaired} post(s) had unreadable categories or tags and were "
                   "exported without them", err=True)
    return {"repaired": damaged.repaired, "skipped": len(damaged.skipped)}


def _when(text: str | None, name: str) -> datetime | None:
    try:
        return parse_when(text, name)
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint=name) from None
