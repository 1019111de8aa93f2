"""What one crawl of the re-crawl benchmark cost, and how a repeat compares with the first crawl.

Requests and bytes are counted where the server saw them whenever the bench serves the blog with
nginx (its access log, the crawler's own lines only): a run report counts what Scrapy asked, which
misses nothing today but is the crawler's word about itself. Every series starts with the first
crawl; each repeat carries its ratio to it, the figure issue 19 sets targets on.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

RATIO_KEYS = ("requests", "bytes", "seconds")
REQUISITE_SUFFIXES = (".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico",
                      ".woff", ".woff2")


@dataclass(frozen=True)
class Crawl:
    """One ``scrapy crawl blog`` run: ``bytes`` are response body bytes as sent (gzipped where
    the server gzips), ``seconds`` the wall time of the whole process, start-up included."""

    label: str
    requests: int
    bytes: int
    seconds: float
    status_304: int = 0
    new: int = 0
    changed: int = 0
    deleted: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Series:
    """A first crawl and its repeats against one site; ``checks`` say what a repeat caught."""

    site: str
    description: str
    settings: str
    crawls: list[Crawl] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def first(self) -> Crawl:
        return self.crawls[0]

    def ratios(self, crawl: Crawl) -> dict[str, float | None]:
        first = asdict(self.first)
        return {key: round(float(getattr(crawl, key)) / first[key], 4) if first[key] else None
                for key in RATIO_KEYS}

    def as_json(self) -> dict[str, Any]:
        return {"site": self.site, "description": self.description, "settings": self.settings,
                "crawls": [{**asdict(c), "ratios": self.ratios(c)} for c in self.crawls],
                "checks": self.checks, "notes": self.notes}


def report_counts(archive: Path, before: set[Path]) -> dict[str, Any]:
    """The run report a crawl wrote into ``archive/runs`` (the one not in ``before``)."""
    [path] = set((archive / "runs").glob("*.json")) - before
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def reports_before(archive: Path) -> set[Path]:
    return set((archive / "runs").glob("*.json"))


def counted(label: str, seen: tuple[int, int, int], seconds: float, report: dict[str, Any],
            extra: dict[str, Any] | None = None) -> Crawl:
    """A crawl from what the server saw (requests, bytes, 304 answers) and its run report's new,
    changed and deleted posts (0 where it does not count them)."""
    requests, sent, not_modified = seen
    new, changed, deleted = (int(report.get(key, 0) or 0) for key in ("new", "changed", "deleted"))
    return Crawl(label, requests, sent, round(seconds, 2), not_modified, new, changed, deleted,
                 extra or {})


def from_report(label: str, report: dict[str, Any], seconds: float) -> Crawl:
    """Figures from a run report, for a server that keeps no access log."""
    stats = report.get("stats") or {}
    seen = (int(stats.get("downloader/request_count", 0) or 0),
            int(stats.get("downloader/response_bytes", 0) or 0),
            int(stats.get("downloader/response_status_count/304", 0) or 0))
    return counted(label, seen, seconds, report)


def by_kind(uris: list[str]) -> dict[str, int]:
    """Requests by what they asked for, to see where a repeat's cost goes: inventories (REST API,
    sitemaps, feeds, robots.txt), page requisites, and pages (posts, listings, everything else)."""
    counts = dict.fromkeys(("pages", "requisites", "REST API", "sitemaps", "feeds", "robots.txt"), 0)
    for uri in uris:
        path = urlsplit(uri).path.lower()
        if path.startswith("/wp-json/") or "rest_route=" in uri:
            kind = "REST API"
        elif "sitemap" in path:
            kind = "sitemaps"
        elif path.rstrip("/").endswith("/feed") or path.endswith((".atom.xml", ".rss", "/feed.xml")):
            kind = "feeds"
        elif path == "/robots.txt":
            kind = "robots.txt"
        elif path.endswith(REQUISITE_SUFFIXES):
            kind = "requisites"
        else:
            kind = "pages"
        counts[kind] += 1
    return counts


def table(series: Series) -> str:
    """The series as a text table: one row per crawl, ratios to the first crawl."""
    lines = [f"\n{series.site}: {series.description}", f"  ({series.settings})",
             f"  {'crawl':34}{'requests':>10}{'MB':>9}{'s':>8}{'304':>6}{'new':>6}{'chg':>5}"
             f"{'del':>5}{'req ratio':>11}{'byte ratio':>11}{'time ratio':>11}"]
    for crawl in series.crawls:
        ratio = series.ratios(crawl)
        cells = "".join(f"{(f'{ratio[k]:.3f}' if ratio[k] is not None else '-'):>11}"
                        for k in RATIO_KEYS)
        lines.append(f"  {crawl.label:34}{crawl.requests:>10,}{crawl.bytes / 1e6:>9.2f}"
                     f"{crawl.seconds:>8.1f}{crawl.status_304:>6}{crawl.new:>6}{crawl.changed:>5}"
                     f"{crawl.deleted:>5}{cells}")
        lines += [f"    {key}: {value}" for key, value in crawl.extra.items()]
    lines += [f"  caught: {name}: {'yes' if ok else 'NO'}" for name, ok in series.checks.items()]
    lines += [f"  note: {note}" for note in series.notes]
    return "\n".join(lines)
