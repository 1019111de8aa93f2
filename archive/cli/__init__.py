"""The ``blogarchive`` command: read an archive without Scrapy.

A thin layer over the library (as sqlite-utils does it): each command opens the archive, calls one
or two functions, and turns domain errors into a one-line message and an exit code.
"""

from archive.cli import (  # noqa: F401  (registers commands)
    changes,
    crawl,
    export,
    history,
    maintain,
    merge,
    read,
    search,
    serve,
    sites,
)
from archive.cli.base import main

__all__ = ["main"]
