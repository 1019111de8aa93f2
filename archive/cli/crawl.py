"""``blogarchive crawl``: the project's ``scrapy crawl blog``, from any directory.

The archive library never imports Scrapy (tests/test_architecture.py), so this command only turns
its arguments into ``scrapy crawl``'s and replaces this process with ``python -m crawler.run``
(``crawler/run.py``). Replacing, not spawning: Ctrl-C, signals and the exit status are then
exactly those of ``scrapy crawl``, with no second process in between to forward them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from archive.cli.base import main
from archive.cli.sites import BadInput

RUNNER = "crawler.run"


@main.command("crawl")
@click.argument("urls", nargs=-1)
@click.option("-a", "spider_args", multiple=True, metavar="NAME=VALUE",
              help="A spider argument, as in `scrapy crawl blog -a`: since, until, max_posts, full, "
                   "revalidate, sites.")
@click.option("-s", "settings", multiple=True, metavar="NAME=VALUE",
              help="A setting, as in `scrapy crawl -s` (crawler/settings.py lists them).")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Archive directory (default: the one given before `crawl`, "
                                 "else $ARCHIVE_DIR or ./archive-data).")
@click.pass_context
def crawl(ctx: click.Context, urls: tuple[str, ...], spider_args: tuple[str, ...],
          settings: tuple[str, ...], archive_dir: Path | None) -> None:
    """Crawl blogs into the archive: `scrapy crawl blog` with the same arguments and settings,
    from any directory. Ctrl-C stops it gracefully. The exit status is the crawl's (0: done,
    1: failed, 2: bad argument, 75: the archive is busy with another crawl).

    \b
    Examples:
      blogarchive crawl https://example.org/
      blogarchive crawl https://example.org/ blog.example.net -s PROGRESS_INTERVAL=0
      blogarchive crawl -a sites=all                  # every blog of `blogarchive sites list`
      blogarchive crawl https://example.org/ -a since=2024-01-01 -a max_posts=50
      blogarchive crawl https://example.org/ -a revalidate=1
      blogarchive --archive ~/blogs crawl https://example.org/
    """
    parent = ctx.parent.params.get("archive_dir") if ctx.parent else None
    args = scrapy_args(urls, spider_args, settings, archive_dir or parent)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", RUNNER, *args])


def scrapy_args(urls: tuple[str, ...], spider_args: tuple[str, ...], settings: tuple[str, ...],
                archive_dir: Path | None) -> list[str]:
    """``-a``/``-s`` pairs for ``scrapy crawl blog``; a malformed one is one line, exit status 2."""
    named = {flag: [_pair(flag, raw) for raw in raws]
             for flag, raws in (("-a", spider_args), ("-s", settings))}
    if urls and any(name == "url" for name, _ in named["-a"]):
        raise BadInput("give the blogs as arguments or as -a url=, not both")
    if not urls and not any(name in ("url", "sites") for name, _ in named["-a"]):
        raise BadInput("no blog to crawl: blogarchive crawl https://example.org/ "
                       "(or -a sites=all for the archive's blog list)")
    if urls:
        named["-a"].insert(0, ("url", ",".join(urls)))
    if archive_dir is not None:
        if any(name == "ARCHIVE_DIR" for name, _ in named["-s"]):
            raise BadInput("give the archive once: --archive DIR or -s ARCHIVE_DIR=DIR")
        named["-s"].insert(0, ("ARCHIVE_DIR", str(archive_dir.absolute())))
    return [part for flag, pairs in named.items() for name, value in pairs
            for part in (flag, f"{name}={value}")]


def _pair(flag: str, raw: str) -> tuple[str, str]:
    name, sep, value = raw.partition("=")
    if not sep or not name.strip():
        raise BadInput(f"{flag} {raw!r}: use {flag} NAME=VALUE")
    return name.strip(), value
