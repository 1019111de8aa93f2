"""Maintenance commands: verify an archive, rebuild its catalog from the WARCs, write a CDXJ index."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archive.catalog import Catalog
from archive.catalog.health import CatalogDamaged
from archive.cli.base import ArchiveContext, main
from archive.cli.progress import progress_bar
from archive.lock import ArchiveLock, ArchiveLocked
from archive.maintain.completeness import KINDS, AuditOptions, CompletenessReport
from archive.maintain.rebuild import rebuild
from archive.maintain.verify import verify
from archive.warc.cdxj import write_cdxj, write_cdxj_file


@main.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@click.option("--requisites", type=click.Choice(sorted(KINDS)), default="all", show_default=True,
              help="Which page requisites each post should have in the archive, as the crawl's "
                   "ARCHIVE_REQUISITES: all, images, or none (no completeness audit).")
@click.option("--strict", is_flag=True,
              help="Also exit with status 1 when posts miss requisites (incomplete captures).")
@click.pass_obj
def verify_command(obj: ArchiveContext, as_json: bool, requisites: str, strict: bool) -> None:
    """Check every WARC (structure, block and payload digests), that every catalog row points at
    the record it names (record id, URL, length), and that every text and JSON file exists.

    Then audit completeness: every post's latest capture is read back and the requisites its page
    loads (stylesheets and what they import, fonts, images, scripts, icons; trackers and ad hosts
    left out, as the crawl leaves them out) are looked up in the WARCs. Posts that miss some are
    listed under "incomplete"; that is not damage, so it fails only with --strict.

    Exits with status 1 when anything is wrong (or incomplete, with --strict); nothing is changed.

    \b
    Example:
      blogarchive verify && echo archive intact
      blogarchive verify --json | jq .problems
      blogarchive verify --json | jq '.incomplete[] | .post'
      blogarchive verify --strict --requisites images
    """
    try:
        catalog: Catalog | None = obj.catalog()
    except CatalogDamaged:
        catalog = None  # one "catalog" problem (verify checks the file); the WARCs still checked
    options = AuditOptions(kinds=KINDS[requisites]) if requisites != "none" else None
    try:
        with progress_bar("verifying", quiet=as_json) as report_progress:
            report = verify(obj.layout, catalog, report_progress, options)
    finally:
        if catalog is not None:
            catalog.close()
    if as_json:
        click.echo(json.dumps(report.to_dict()))
    else:
        for problem in report.problems:
            click.echo(printable(f"{problem.kind}: {problem.where}: {problem.message}"))
        if report.requisites is not None:
            _print_completeness(report.requisites)
        click.echo(f"{report.warc_files} WARC files, {report.records} records "
                   f"({report.digests_checked} digests checked), {report.versions} versions, "
                   f"{report.files_checked} files: "
                   + ("OK" if report.ok else f"{len(report.problems)} problems"))
    if not report.ok or (strict and not report.complete):
        sys.exit(1)


SHOWN_POSTS, SHOWN_URLS = 20, 5  # the human report stays readable; --json has every URL


def _print_completeness(audit: CompletenessReport) -> None:
    for post in audit.incomplete[:SHOWN_POSTS]:
        more = len(post.missing) - SHOWN_URLS
        urls = " ".join(post.missing[:SHOWN_URLS]) + (f" (+{more} more)" if more > 0 else "")
        click.echo(printable(f"incomplete: {post.post}: missing {urls}"))
    if len(audit.incomplete) > SHOWN_POSTS:
        click.echo(f"incomplete: ... and {len(audit.incomplete) - SHOWN_POSTS} more posts "
                   "(--json lists them all)")
    click.echo(f"requisites: {audit.posts_checked} posts checked ({audit.requisites_checked} "
               f"requisites), " + (f"{len(audit.incomplete)} posts miss {audit.missing} requisites"
                                   if audit.incomplete else "none missing")
               + (f", {audit.unreadable} posts unreadable" if audit.unreadable else ""))


@main.command("reindex")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def reindex_command(obj: ArchiveContext, as_json: bool) -> None:
    """Rebuild the catalog and search index from the WARCs alone, re-running extraction.

    A newer extractor improves an old archive this way. The new catalog is built in a temporary
    file and moved into place at the end; text files are rewritten from the new extraction.
    Takes the archive's lock: it will not run while a crawl writes.

    \b
    Example:
      blogarchive --archive /data/blogs reindex
    """
    if not obj.layout.warc_dir.is_dir():
        raise click.ClickException(f"no WARC files in {obj.layout.warc_dir}: nothing to rebuild from")
    lock = ArchiveLock(obj.layout.lock_path)
    try:
        lock.acquire()
    except ArchiveLocked as error:
        raise click.ClickException(str(error)) from None
    try:
        with progress_bar("reindexing", quiet=as_json) as report_progress:
            report = rebuild(obj.layout, report_progress)
    finally:
        lock.release()
    summary = {"warc_files": report.warc_files, "records": report.records, "posts": report.posts,
               "versions": report.versions, "unchanged": report.unchanged,
               "deleted": report.deleted, "failed": report.failed, "damaged": report.damaged,
               "damaged_catalog_kept_as": report.set_aside}
    if as_json:
        click.echo(json.dumps(summary))
        return
    for damage in report.damaged:
        click.echo(printable(f"skipped damaged record: {damage}"), err=True)
    if report.set_aside:
        click.echo(f"the old catalog was damaged: kept as {report.set_aside}", err=True)
    click.echo(f"rebuilt from {report.warc_files} WARC files ({report.records} records): "
               f"{report.posts} posts, {report.versions} versions, {report.unchanged} unchanged "
               f"captures, {report.deleted} deleted, {len(report.failed)} partial extractions"
               + (f", {len(report.damaged)} damaged records skipped" if report.damaged else ""))


@main.command("cdxj")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the index to this file (default: standard output).")
@click.pass_obj
def cdxj_command(obj: ArchiveContext, output: Path | None) -> None:
    """Write a sorted CDXJ index of every WARC, usable by pywb as is.

    \b
    Example:
      blogarchive cdxj -o collections/blogs/indexes/index.cdxj
      blogarchive cdxj | grep example.org
    """
    if not obj.layout.warc_dir.is_dir():
        raise click.ClickException(f"no WARC files in {obj.layout.warc_dir}")
    if output is None:
        result = write_cdxj(obj.layout, sys.stdout)
    else:
        result = write_cdxj_file(obj.layout, output)
        click.echo(f"indexed {result.indexed} WARC files into {output}", err=True)
    for damage in result.damaged:
        click.echo(f"left out of the index: {damage.file.name} is damaged at offset "
                   f"{damage.offset} ({printable(damage.reason)}); see `blogarchive verify`",
                   err=True)
    if result.damaged:
        sys.exit(1)


def printable(text: str) -> str:
    """Text taken from a record (a URL, warcio's error with the bytes it choked on) made safe
    for a terminal: control and other unprintable characters escaped, never written raw."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
