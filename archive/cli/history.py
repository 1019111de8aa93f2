"""History commands: every version of a post, word-level diffs, edited posts, past runs."""

from __future__ import annotations

import json
import sqlite3

import click

from archive.cli.base import ArchiveContext, find_post, main
from archive.history import body_of, change_of, render_wdiff, run_reports, word_diff


@main.command()
@click.argument("post")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per version.")
@click.pass_obj
def history(obj: ArchiveContext, post: str, as_json: bool) -> None:
    """List every archived version of a post with its capture date and what changed.

    \b
    Example:
      blogarchive history https://example.org/2022/01/12/a-post/
    """
    catalog = obj.catalog()
    versions = catalog.versions_of(find_post(obj, catalog, post)["url"])
    previous = ""
    for row in versions:
        body = body_of(_text(obj, row))
        change = change_of(word_diff(previous, body)) if row["version"] > 1 else None
        previous = body
        if as_json:
            click.echo(json.dumps({"version": row["version"], "captured_at": row["captured_at"],
                                   "title": row["title"], "word_count": row["word_count"],
                                   "added": change.added if change else None,
                                   "removed": change.removed if change else None,
                                   "text_path": row["text_path"]}))
            continue
        what = change.summary() if change else "first capture"
        click.echo(f"v{row['version']}  {row['captured_at'][:19]}  {row['word_count']} words  "
                   f"{what}  {row['title']}")
    if versions and versions[-1]["deleted_at"] and not as_json:
        click.echo(f"deleted: seen gone on {versions[-1]['deleted_at'][:19]}")


@main.command()
@click.argument("post")
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
@click.pass_obj
def diff(obj: ArchiveContext, post: str, old: int | None, new: int | None) -> None:
    """Word-level diff between two versions of a post (default: the last two).

    Removed words are shown as [-words-], added words as {+words+}.

    \b
    Example:
      blogarchive diff https://example.org/2022/01/12/a-post/ 1 2
    """
    catalog = obj.catalog()
    versions = {r["version"]: r for r in catalog.versions_of(find_post(obj, catalog, post)["url"])}
    if len(versions) < 2 and (old is None or new is None):
        raise click.ClickException("this post has a single version: nothing to compare")
    newest = max(versions)
    old, new = (old or newest - 1), (new or newest)
    for number in (old, new):
        if number not in versions:
            raise click.ClickException(f"no version {number}: this post has 1 to {newest}")
    texts = [body_of(_text(obj, versions[n])) for n in (old, new)]
    ops = word_diff(*texts)
    click.echo(f"v{old} ({versions[old]['captured_at'][:19]}) -> v{new} "
               f"({versions[new]['captured_at'][:19]}): {change_of(ops).summary()}")
    click.echo(render_wdiff(ops))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print whole reports as JSON lines.")
@click.pass_obj
def runs(obj: ArchiveContext, as_json: bool) -> None:
    """List past crawls: when, outcome, new, changed, unchanged, deleted, failed.

    \b
    Example:
      blogarchive runs --json | tail -1
    """
    for report in run_reports(obj.layout.root / "runs"):
        if as_json:
            click.echo(json.dumps(report))
            continue
        click.echo(f"{str(report.get('started', '?'))[:19]}  {report.get('outcome', '?'):8}  "
                   f"{report.get('summary') or report.get('failure') or ''}")


def _text(obj: ArchiveContext, row: sqlite3.Row) -> str:
    """A version's text file; a path outside the archive or a missing file is one clean line."""
    try:
        return obj.layout.resolve(row["text_path"]).read_text(encoding="utf-8")
    except ValueError:
        raise click.ClickException(f"version {row['version']}: its text path {row['text_path']!r} "
                                   "points outside the archive (`blogarchive reindex` rebuilds "
                                   "the catalog from the WARCs)") from None
    except OSError as error:
        raise click.ClickException(f"version {row['version']}: cannot read its text file: "
                                   f"{error.strerror}") from None
