"""The ``changes`` command: new posts, edits, deletions and new comments, run by run."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from archive.changes import Event, Group, Query, changes
from archive.changes.events import has_site
from archive.cli.base import ArchiveContext, main
from archive.config import ConfigError
from archive.urls import site_of
from archive.when import parse_when

KIND_LABELS = {"new": "new", "edit": "edited", "comments": "comments", "deleted": "deleted"}


@main.command(name="changes")
@click.option("--since", metavar="WHEN",
              help="Only changes from this moment on: a date, '12 January 2022', '3 days ago'.")
@click.option("--site", metavar="HOST",
              help="Only this blog: host:port, or a host alone for every blog on it.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per change (kind, at, run, url, title, words, comments...).")
@click.pass_obj
def changes_command(obj: ArchiveContext, since: str | None, site: str | None, as_json: bool) -> None:
    """What the crawls found new, edited, deleted or commented, run by run (oldest run first).

    Edits show the words added and removed and the command that shows the diff; new comments
    show their author, date and first words. The web reader publishes the same as Atom feeds:
    /changes.atom and /site/HOST:PORT/changes.atom.

    \b
    Examples:
      blogarchive changes --since '2 days ago'
      blogarchive changes --site example.org --json | jq .kind
    """
    query = Query(since=_since(since), site=_site(site))
    catalog = obj.catalog()
    if query.site and not has_site(catalog, query.site):
        _usage_error(f"--site: no blog {query.site!r} in this archive (see `blogarchive list`)")
    groups = changes(catalog, obj.layout, query)
    if not any(group.events for group in groups) and (as_json or not groups):
        click.echo(_nothing(query), err=as_json)  # stdout stays JSON lines for scripts
    for group in groups:
        if as_json:
            for event in group.events:
                click.echo(json.dumps(event_json(group, event), ensure_ascii=False))
        else:
            _print_group(group)


def event_json(group: Group, event: Event) -> dict[str, Any]:
    """The ``--json`` line of one event: every key always there (null when it does not apply)."""
    return {"id": event.entry_id, "kind": event.kind, "at": event.at, "run": group.run,
            "run_started": group.started.isoformat() if group.run else None,
            "site": event.site, "url": event.url, "post_id": event.post_id,
            "version": event.version, "title": event.title, "old_title": event.old_title,
            "author": event.author,
            "added": event.added if event.kind == "edit" else None,
            "removed": event.removed if event.kind == "edit" else None,
            "diff": event.diff_command(), "reader_path": event.reader_path(),
            "problem": event.problem,
            "comments": [{"id": c.comment_id, "author": c.author, "published": c.published,
                          "excerpt": c.excerpt} for c in event.comments]}


def _print_group(group: Group) -> None:
    count = len(group.events)
    click.echo(f"{group.label}: " + (f"{count} change{'' if count == 1 else 's'}" if count
                                      else "no changes"))
    for event in group.events:
        click.echo(f"  {KIND_LABELS[event.kind]:9}{_headline(event)}")
        click.echo(f"  {'':9}{event.url}")
        for line in _details(event):
            click.echo(f"  {'':9}{line}")


def _headline(event: Event) -> str:
    title = event.title or "(untitled)"
    if event.kind == "edit":
        words = event.problem or f"+{event.added} / -{event.removed} words"
        return f"{title}  {words}"
    if event.kind == "comments":
        count = len(event.comments)
        return f"{count} new comment{'' if count == 1 else 's'} on {title}"
    if event.kind == "deleted":
        return f"{title}  (seen gone {event.at[:19].replace('T', ' ')} UTC)"
    return title


def _details(event: Event) -> list[str]:
    lines = []
    if event.old_title is not None:
        lines.append(f"title was: {event.old_title}")
    if event.kind == "edit":
        lines.append(f"diff: {event.diff_command()}")
    for comment in event.comments:
        when = (comment.published or "")[:16].replace("T", " ")
        lines.append(f"{comment.author or 'anonymous'} ({when}): {comment.excerpt}")
    return lines


def _nothing(query: Query) -> str:
    where = f" on {query.site}" if query.site else ""
    since = f" since {query.since:%Y-%m-%d %H:%M} UTC" if query.since else ""
    return f"No changes{where}{since}."


def _since(text: str | None) -> datetime | None:
    try:
        return parse_when(text, "--since")
    except ConfigError as error:
        _usage_error(str(error))
    return None


def _site(text: str | None) -> str | None:
    """A host, host:port, or a pasted URL (its host and port)."""
    if text is None:
        return None
    site = site_of(text) if "://" in text else text.strip().lower().rstrip("/")
    if not site or "/" in site or " " in site:
        _usage_error(f"--site: {text!r} is not a host: try example.org or 127.0.0.1:8080")
    return site


def _usage_error(message: str) -> None:
    """A bad option: one line on stderr and exit status 2, as click's own usage errors use."""
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(2)
