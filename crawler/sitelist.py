"""``-a sites=all``: the blogs listed in the archive (``blogarchive sites``) as start URLs.

Read by the ``crawl`` command before the reactor starts, into ``-a url=``, so everything
downstream (the spider, scale-out workers, the run report) sees ordinary start URLs. Blogs marked
gone are still tried: a blog may come back (a lapsed domain renewed, a server repaired), and one
answer clears the mark; the log line says how many there are. An entry superseded by a move to a
blog listed on its own is not crawled: its new entry is.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from archive.config import ConfigError
from archive.sites import Registry

logger = logging.getLogger(__name__)
EMPTY = "no sites: blogarchive sites add URL"


def registered_urls(sites: str, archive_dir: Path) -> list[str]:
    """The home pages ``sites=all`` stands for; a ConfigError when the list is empty."""
    if sites.strip().lower() != "all":
        raise ConfigError(f"sites={sites!r}: use sites=all (every blog of blogarchive sites list)")
    if not Registry.exists(archive_dir):
        raise ConfigError(EMPTY)
    with Registry.open(archive_dir) as registry:
        entries = [site for site in registry.sites() if not site.superseded]
    if not entries:
        raise ConfigError(EMPTY)
    gone = sum(1 for site in entries if site.gone_at)
    logger.info("sites=all: %d blogs from %s%s", len(entries), archive_dir,
                f" ({gone} marked gone, tried again)" if gone else "")
    return [site.url for site in entries]


def with_registered(spargs: dict[str, str], archive_dir: Path) -> None:
    """Turn ``sites=all`` (with or without ``url=``) into ``url=`` in the spider arguments."""
    sites = spargs.pop("sites", None)
    if sites is None:
        return
    urls = [u for u in (spargs.get("url") or "").split(",") if u.strip()]
    spargs["url"] = ",".join([*urls, *registered_urls(sites, archive_dir)])


def gone_after(settings: Any) -> int:
    """``SITES_GONE_AFTER``: consecutive failed runs after which a blog counts as gone."""
    raw = settings.get("SITES_GONE_AFTER", 5)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if value < 1:
        raise ConfigError(f"SITES_GONE_AFTER={raw!r}: use a number of runs, 1 or more")
    return value
