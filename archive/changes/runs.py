"""Events grouped by the crawl run that found them, from the run reports (``runs/*.json``).

A run's window is its report's ``started`` to ``finished`` (a report without ``finished``, from a
crawl that died, reaches to the next run's start). An event belongs to the run whose window holds
its moment; when windows overlap (two crawls at once), to the run that crawled the event's blog,
and of those the one started last. Events in no window (a catalog rebuilt by ``reindex``, a
``merge`` of another archive, runs whose reports were deleted) are grouped by UTC day as "outside a
recorded run", so nothing is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from archive.catalog import Catalog
from archive.changes.events import Event, Query, read_events
from archive.history import run_reports
from archive.layout import Layout
from archive.when import parse_iso


@dataclass(frozen=True)
class Group:
    """The events of one crawl run, or of one UTC day outside every recorded run."""

    started: datetime             # the run's start, or the day's 00:00 UTC
    finished: datetime | None     # None: still running, or died without a report of its end
    run: str | None               # the report's file name in runs/; None: outside a recorded run
    outcome: str | None
    sites: tuple[str, ...]
    events: tuple[Event, ...]

    @property
    def label(self) -> str:
        if self.run is None:
            return f"{self.started:%Y-%m-%d}: outside a recorded run"
        return f"run {self.started:%Y-%m-%d %H:%M:%S} UTC ({self.outcome or 'unfinished'})"


def changes(catalog: Catalog, layout: Layout, query: Query) -> list[Group]:
    """What ``query`` selects, run by run, oldest run first (as ``blogarchive runs`` lists them)."""
    return group_by_run(read_events(catalog, layout, query), run_reports(layout.root / "runs"),
                        query)


def group_by_run(events: Iterable[Event], reports: list[dict[str, Any]], query: Query) -> list[Group]:
    """``events`` in the windows of ``reports``; runs started since ``query.since`` on the blogs
    it asks for are kept even when they changed nothing (a quiet night is news too)."""
    runs = _windows(reports)
    found: dict[tuple[datetime, str | None], list[Event]] = {}
    for event in events:
        run = _run_of(runs, event)
        key = (run.started, run.run) if run else (_day(event.at), None)
        found.setdefault(key, []).append(event)
    groups = {key: run for run in runs if (key := (run.started, run.run)) in found
              or _asked(run, query)}
    out = [Group(run.started, run.finished, run.run, run.outcome, run.sites,
                 tuple(found.get(key, ()))) for key, run in groups.items()]
    out += [Group(key[0], None, None, None, (), tuple(evs)) for key, evs in found.items()
            if key[1] is None]
    return sorted(out, key=lambda g: (g.started, g.run or ""))


def _windows(reports: list[dict[str, Any]]) -> list[Group]:
    """Each report with a readable start as an empty ``Group``, oldest first."""
    runs = []
    for report in reports:
        started = parse_iso(str(report.get("started") or ""))
        if started is None:
            continue  # unreadable report: ``blogarchive runs`` shows why
        finished = parse_iso(str(report.get("finished") or ""))
        runs.append(Group(started.astimezone(UTC), finished and finished.astimezone(UTC),
                          str(report["file"]), report.get("outcome"),
                          tuple(str(s) for s in report.get("sites") or ()), ()))
    runs.sort(key=lambda r: r.started)
    return [run if run.finished else Group(run.started, _next_start(runs, at), run.run,
                                           run.outcome, run.sites, ())
            for at, run in enumerate(runs)]


def _next_start(runs: list[Group], at: int) -> datetime | None:
    return runs[at + 1].started if at + 1 < len(runs) else None


def _run_of(runs: list[Group], event: Event) -> Group | None:
    moment = parse_iso(event.at)
    if moment is None:
        return None
    holding = [run for run in runs if run.started <= moment
               and (run.finished is None or moment <= run.finished)]
    own = [run for run in holding if event.site in run.sites]
    return max(own or holding, key=lambda r: r.started, default=None)


def _asked(run: Group, query: Query) -> bool:
    """Whether a run that changed nothing is still shown: it started since ``query.since`` and
    crawled the blog ``query.site`` names (any blog when it names none)."""
    if query.since is not None and run.started < query.since:
        return False
    if not query.site:
        return True
    site = query.site.lower()
    return any(s == site or s.startswith(site + ":") for s in run.sites)


def _day(stamp: str) -> datetime:
    moment = parse_iso(stamp) or datetime(1970, 1, 1, tzinfo=UTC)
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
