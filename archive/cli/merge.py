"""The ``merge`` command: fold the catalog shards of scaled-out workers into catalog.sqlite."""

from __future__ import annotations

import json

import click

from archive.cli.base import ArchiveContext, main
from archive.lock import ArchiveLock, ArchiveLocked
from archive.maintain.merge import merge_shards


@main.command("merge")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def merge_command(obj: ArchiveContext, as_json: bool) -> None:
    """Fold every worker's catalog shard (catalogs/HOST-PID.sqlite) into catalog.sqlite.

    Versions of a post are numbered by capture time; a capture already in the catalog is not
    added twice, so running it again is safe. Each shard is removed once its rows are committed
    (shards are derived data; the WARCs are never touched). Takes the archive's lock: it will not
    run while a crawl or a worker writes.

    \b
    Example:
      blogarchive --archive /data/blogs merge
    """
    lock = ArchiveLock(obj.layout.lock_path)
    try:
        lock.acquire()
    except ArchiveLocked as error:
        raise click.ClickException(f"{error}: merge once every worker has finished") from None
    try:
        report = merge_shards(obj.layout)
    finally:
        lock.release()
    if as_json:
        click.echo(json.dumps(report.to_dict()))
        return
    click.echo(f"merged {len(report.shards)} shards: {report.versions} versions added, "
               f"{report.duplicates} already there, {report.posts} posts")
