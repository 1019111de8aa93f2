"""Which sites a scheduled crawl revalidates: every archived post and requisite asked for again.

A default repeat trusts the inventories (REST ``modified_gmt``, the comments endpoint, sitemap
``lastmod``, feed dates) and asks only for what they say changed. That misses what no inventory
tells (a theme edit, a plugin rewriting old posts, a server that lies about dates), so now and then a
run asks again for everything it holds, with conditional requests: ``-a revalidate=1``, every N-th
run of a site (``RECRAWL_REVALIDATE_EVERY``) or once the site's last revalidation is older than
``RECRAWL_REVALIDATE_AFTER``. The knowledge of past runs is the run reports' ``revalidated`` list
(``runs/*.json``): no second store to keep in step with the archive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from archive.config import ConfigError
from archive.when import parse_iso

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}
_AGE = re.compile(r"(\d+(?:\.\d+)?)\s*(second|minute|hour|day|week)s?")


@dataclass(frozen=True)
class RecrawlConfig:
    """``RECRAWL_*``: how much a repeat crawl trusts the inventories, and when it checks anyway."""

    trust_inventory: bool             # RECRAWL_TRUST_INVENTORY: the cheap default
    revalidate_every: int             # RECRAWL_REVALIDATE_EVERY: every N-th run (0: never)
    revalidate_after: timedelta | None  # RECRAWL_REVALIDATE_AFTER: an age (None: never)


def parse_age(name: str, raw: object) -> timedelta | None:
    """``30 days``, ``12 hours``, ``2 weeks``; empty is None (never), anything else a ConfigError."""
    text = str(raw or "").strip().lower()
    if not text:
        return None
    match = _AGE.fullmatch(text)
    if match is None or float(match[1]) <= 0:
        raise ConfigError(f"{name}={raw!r}: use an age such as '30 days', '12 hours' or "
                          "'2 weeks', or leave it empty for never")
    return timedelta(seconds=float(match[1]) * UNITS[match[2]])


@dataclass
class SiteRuns:
    """One site's past runs as the reports tell: how many since its last revalidation, and when."""

    since_revalidation: int = 0
    last_revalidation: datetime | None = None  # or the site's first run (it fetched everything)


def site_runs(reports: Iterable[dict[str, Any]], site: str) -> SiteRuns | None:
    """None when no readable report names the site (its first crawl)."""
    runs: SiteRuns | None = None
    for report in reports:
        if site not in (report.get("sites") or ()):
            continue
        started = parse_iso(str(report.get("started") or ""))
        if runs is None:
            runs = SiteRuns(0, started)
        if site in (report.get("revalidated") or ()):
            runs.since_revalidation, runs.last_revalidation = 0, started
        else:
            runs.since_revalidation += 1
    return runs


def due(config: RecrawlConfig, runs: SiteRuns | None, now: datetime) -> bool:
    """Whether this run of the site is the one that revalidates it."""
    if runs is None:
        return False  # a first crawl: nothing archived to revalidate
    if config.revalidate_every and runs.since_revalidation + 1 >= config.revalidate_every:
        return True
    after = config.revalidate_after
    if after is None:
        return False
    return runs.last_revalidation is None or now - runs.last_revalidation >= after


def revalidated_sites(config: RecrawlConfig, reports: list[dict[str, Any]], sites: Iterable[str],
                      now: datetime, forced: bool) -> set[str]:
    """The sites this run revalidates: all with ``-a revalidate=1`` (or trust switched off)."""
    if forced or not config.trust_inventory:
        return set(sites)
    return {site for site in sites if due(config, site_runs(reports, site), now)}


def report_of(spider: object) -> dict[str, Any]:
    """The run report's ``revalidated`` sites and ``notes`` (empty for other spiders)."""
    revalidated = getattr(spider, "revalidated", None)
    notes = getattr(spider, "notes", None)
    return {"revalidated": sorted(revalidated) if isinstance(revalidated, set) else [],
            "notes": list(notes) if isinstance(notes, list) else []}
