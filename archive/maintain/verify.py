"""Check an archive end to end (``blogarchive verify``): WARCs, catalog pointers, text files.

Why: an archive is kept for years, across disks and copies. This answers "is everything still
here and intact?" without trusting the catalog: every WARC is read record by record with warcio's
digest checking (block and payload SHA-1, as ``warcio check`` does), then every catalog version is
matched against the record actually found at its offset (record id, URL, length), and every text and
JSON file it names must exist. Nothing is changed: problems are reported, never repaired.

The catalog files themselves are checked too (``PRAGMA integrity_check``, their tables), and a
catalog that cannot be opened at all is one problem, not the end of the check: the WARCs, the
archive itself, are still verified. A damaged record costs one problem (the reader goes on at the
next record), plus one for each catalog row pointing into it.

Then, unless told not to, the completeness audit (``archive/maintain/completeness.py``): each
post's latest capture is read back and its page requisites looked up among the URLs the same pass
over the WARCs saw. What is missing is reported apart from the problems: an incomplete capture is
not damage, and fails verify only when the caller says so (``blogarchive verify --strict``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from warcio.recordloader import ArcWarcRecord

from archive.catalog import Catalog
from archive.catalog.health import integrity_problems
from archive.catalog.shards import shard_paths
from archive.layout import Layout
from archive.maintain.completeness import (
    EVERYTHING,
    ArchivedUrls,
    AuditOptions,
    CompletenessReport,
    audit,
)
from archive.maintain.reextract import is_html_200, post_page
from archive.warc.files import open_warc_files, warc_files
from archive.warc.reader import Damage, ReadOptions, iter_records

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    kind: str      # warc, digest, missing-record, mismatch, missing-file, catalog
    where: str     # file name, "file:offset" or catalog row
    message: str


@dataclass(frozen=True)
class RecordSeen:
    record_id: str
    url: str
    length: int


@dataclass
class VerifyReport:
    warc_files: int = 0
    records: int = 0
    digests_checked: int = 0
    versions: int = 0
    files_checked: int = 0
    post_pages: int = 0  # counted only while the catalog has no rows: then it lost them
    problems: list[Problem] = field(default_factory=list)
    requisites: CompletenessReport | None = None  # None: the audit was not asked for

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def complete(self) -> bool:
        return self.requisites is None or not self.requisites.incomplete

    def to_dict(self) -> dict[str, Any]:
        data = {**asdict(self), "ok": self.ok, "complete": self.complete}
        data["requisites"] = self.requisites.to_dict() if self.requisites else None
        data["incomplete"] = data["requisites"]["incomplete"] if self.requisites else []
        return data


def verify(layout: Layout, catalog: Catalog | None, progress: Progress | None = None,
           requisites: AuditOptions | None = EVERYTHING) -> VerifyReport:
    """Every check, in order: catalog files, WARC files, then catalog rows against them, then
    text files, then (``requisites`` not None) the completeness audit of every post's latest
    capture. ``catalog`` is None when it could not be opened (the file check says why)."""
    report = VerifyReport()
    archived = ArchivedUrls()
    _check_catalog_files(layout, report)
    files = warc_files(layout, include_open=False) + open_warc_files(layout)
    rows = catalog.version_checks() if catalog is not None else []
    total = sum(p.stat().st_size for p in files) + len(rows)
    report.warc_files = len(files)
    seen: dict[tuple[str, int], RecordSeen] = {}
    done = 0
    look_for_posts = catalog is not None and not rows
    for path in files:
        _check_warc(path, report, seen, archived, offset_progress(progress, done, total),
                    look_for_posts)
        done += path.stat().st_size
    names = {p.name.removesuffix(".open") for p in files}
    if look_for_posts and report.post_pages:
        report.problems.append(Problem(
            "catalog", layout.catalog_path.name, "no rows, but the WARCs hold post pages: "
            "rebuild it with `blogarchive reindex`"))
    for number, row in enumerate(rows, 1):
        _check_row(layout, row, names, seen, report)
        if progress:
            progress(done + number, total)
    if requisites is not None and catalog is not None:
        posts = [(row["url"], row["warc_file"], row["warc_offset"]) for row in catalog.latest()]
        report.requisites = audit(layout, posts, archived, requisites)
    return report


def _check_catalog_files(layout: Layout, report: VerifyReport) -> None:
    for path in [layout.catalog_path, *shard_paths(layout)]:
        if path.exists() or path.is_symlink():
            report.problems.extend(Problem("catalog", path.name, message)
                                   for message in integrity_problems(path))


def offset_progress(progress: Progress | None, base: int, total: int) -> Callable[[int], None]:
    """Progress within one file, reported as progress over all files."""
    def report(at: int) -> None:
        if progress:
            progress(base + at, total)
    return report


def _check_warc(path: Path, report: VerifyReport, seen: dict[tuple[str, int], RecordSeen],
                archived: ArchivedUrls, progress: Callable[[int], object],
                look_for_posts: bool = False) -> None:
    """Digests and record ids of one file; with ``look_for_posts`` (an empty catalog), also
    whether any page is a post, stopping at the first (a crawl of listings only has none)."""
    name = path.name.removesuffix(".open")

    def damaged(damage: Damage) -> None:
        report.problems.append(Problem("warc", f"{path.name}:{damage.offset}",
                                       f"unreadable record: {damage.reason}"))

    def keep(record: ArcWarcRecord) -> bool:
        return look_for_posts and not report.post_pages and is_html_200(record)

    options = ReadOptions(keep_body=keep, check_digests=True, on_damage=damaged)
    for stored in iter_records(path, options):
        report.records += 1
        if stored.body is not None and post_page(stored) is not None:
            report.post_pages += 1
        archived.add(stored)
        checker = stored.record.digest_checker
        if checker.passed is not None:
            report.digests_checked += 1
        if checker.passed is False:
            report.problems.extend(Problem("digest", f"{name}:{stored.offset}", message)
                                   for message in checker.problems)
        seen[(name, stored.offset)] = RecordSeen(
            stored.header("WARC-Record-ID"), stored.header("WARC-Target-URI"), stored.length)
        progress(stored.offset + stored.length)


def _check_row(layout: Layout, row: tuple[Any, ...], names: set[str],
               seen: dict[tuple[str, int], RecordSeen], report: VerifyReport) -> None:
    (_id, url, fetched, version, warc_file, offset, length, record_id, text_path, meta_path) = row
    report.versions += 1
    where = f"{url} v{version}"
    if warc_file not in names:
        report.problems.append(Problem("missing-record", where, f"WARC file {warc_file} is missing"))
    elif (record := seen.get((warc_file, int(offset)))) is None:
        report.problems.append(Problem(
            "missing-record", where, f"no record starts at {warc_file}:{offset}"))
    else:
        for label, expected, found in (("record id", record_id, record.record_id),
                                       ("URL", fetched, record.url),
                                       ("length", int(length), record.length)):
            if expected != found:
                report.problems.append(Problem(
                    "mismatch", where,
                    f"{label} at {warc_file}:{offset} is {found!r}, catalog says {expected!r}"))
    for relative in (text_path, meta_path):
        report.files_checked += 1
        try:
            present = layout.resolve(relative).is_file()
        except ValueError:
            present = False
        if not present:
            report.problems.append(Problem("missing-file", where, f"{relative} is missing"))
