"""``python -m crawler.run ARGS``: ``scrapy crawl blog ARGS`` from any directory (``blogarchive crawl``).

``scrapy crawl`` finds the project through ``scrapy.cfg`` in the current directory; this names the
settings module instead (``SCRAPY_SETTINGS_MODULE``, unless one is set already), so an installed
``blogarchive`` crawls from anywhere. The crawl itself is Scrapy's, through the project's ``crawl``
command (``crawler/commands/crawl.py``): same arguments, settings, locks, Ctrl-C and exit status.
Only a bad argument differs: it is checked first, before Scrapy logs its start-up, so it is one line.
"""

from __future__ import annotations

import os
import sys

from scrapy.cmdline import execute
from scrapy.utils.project import get_project_settings

from archive.config import ConfigError
from crawler.commands.crawl import check_crawl

SETTINGS_MODULE = "crawler.settings"
SPIDER = "blog"


def main(argv: list[str] | None = None) -> None:
    """ARGS are ``-a NAME=VALUE`` and ``-s NAME=VALUE`` pairs, as ``blogarchive crawl`` passes them."""
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)  # one already set wins, as in Scrapy
    try:
        spargs, overrides = _pairs(args)
        settings = get_project_settings()
        settings.setdict(overrides, priority="cmdline")
        check_crawl(settings, SPIDER, spargs)
    except ConfigError as error:
        print(f"blogarchive crawl: error: {error}", file=sys.stderr)
        sys.exit(2)
    execute(["scrapy", "crawl", SPIDER, *args])  # fresh settings: the check's copy is left behind


def _pairs(args: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The ``-a`` spider arguments and ``-s`` settings of ARGS (``-a name=value -s NAME=VALUE``)."""
    found: dict[str, dict[str, str]] = {"-a": {}, "-s": {}}
    if len(args) % 2:
        raise ConfigError(f"{args[-1]!r} without a value: use -a name=value or -s NAME=VALUE")
    for flag, pair in zip(args[::2], args[1::2], strict=True):
        name, sep, value = pair.partition("=")
        if flag not in found or not sep or not name:
            raise ConfigError(f"{flag} {pair!r}: use -a name=value or -s NAME=VALUE")
        found[flag][name] = value
    return found["-a"], found["-s"]


if __name__ == "__main__":
    main()
