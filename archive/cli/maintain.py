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
from archive.maintain.rebuild import rebuild
from archive.maintain.verify import verify
from archive.warc.cdxj import write_cdxj, write_cdxj_file


@main.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@click.pass_obj
def verify_command(obj: ArchiveContext, as_json: bool) -> None:
    """Check every WARC (structure, block and payload digests), that every catalog row points at
    the record it names (record id, URL, length), and that every text and JSON file exists.

    Exits with status 1 when anything is wrong; nothing is changed.

    \b
    Example:
      blogarchive verify && echo archive intact
      blogarchive verify --json | jq .problems
    """
    try:
        catalog: Catalog | None = obj.catalog()
    except CatalogDamaged:
        catalog = None  # one "catalog" problem (verify checks the file); the WARCs still checked
    try:
        with progress_bar("verifying", quiet=as_json) as report_progress:
            report = verify(obj.layout, catalog, report_progress)
    finally:
        if catalog is not None:
            catalog.close()
    if as_json:
        click.echo(json.dumps(report.to_dict()))
    else:
        for problem in report.problems:
            click.echo(printable(f"{problem.kind}: {problem.where}: {problem.message}"))
        click.echo(f"{report.warc_files} WARC files, {report.records} records "
                   f"({report.digests_checked} digests checked), {report.versions} versions, "
                   f"{report.files_checked} files: "
                   + ("OK" if report.ok else f"{len(report.problems)} problems"))
    if not report.ok:
        sys.exit(1)


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
