"""Start-up recovery after a crash: finish the ``.open`` WARC and reconcile the catalog.

A killed crawler leaves at most one partial capture at the tail of its ``.open`` file (the writer
flushes after every capture). The tail is cut at the last complete gzip member — each WARC record is
one member — and the cut bytes are kept in ``NAME.invalid`` for inspection, never dropped. Then the
catalog is made to agree with the WARCs: rows pointing past the end of a file are removed (the
capture never fully reached the disk), and complete post captures without a row are re-extracted.

Recovery only acts on WARC files it can read. A file the catalog names that is missing or
unreadable right now (moved, on a disk not mounted) is listed in the report and logged, never
taken as a reason to delete its rows: they come back as soon as the file does.
"""

from __future__ import annotations

import fcntl
import logging
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from archive.catalog import Catalog
from archive.layout import Layout
from archive.lock import flock_within
from archive.maintain.reindex import index_missing
from archive.store import PostStore
from archive.warc.files import open_warc_files
from archive.warc.writer import OPEN_SUFFIX

logger = logging.getLogger(__name__)
CHUNK = 1 << 20
WRITER_WAIT = 30.0  # seconds a killed crawler's writer process may take to end


@dataclass
class Recovery:
    finished: list[str] = field(default_factory=list)   # .open files given their final name
    invalid: list[str] = field(default_factory=list)    # files holding cut-away tails
    cut_bytes: int = 0
    rows_removed: int = 0
    reextracted: int = 0
    temporaries: int = 0   # stale write_atomic temporaries removed (never archive data)
    missing: list[str] = field(default_factory=list)  # WARCs the catalog names, unreadable now
    busy: list[str] = field(default_factory=list)  # .open files a live writer still holds

    def __bool__(self) -> bool:
        """Whether recovery changed anything (``missing`` only reports)."""
        return bool(self.finished or self.rows_removed or self.reextracted or self.temporaries)


def complete_end(path: Path) -> int:
    """Offset just after the last complete gzip member of ``path``."""
    end = position = 0
    inflater = zlib.decompressobj(31)
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            data = chunk
            while data:
                try:
                    inflater.decompress(data)
                except zlib.error:
                    return end
                if not inflater.eof:
                    position += len(data)
                    break
                position += len(data) - len(inflater.unused_data)
                end, data = position, inflater.unused_data
                inflater = zlib.decompressobj(31)
    return end


def finish_open_file(path: Path, report: Recovery) -> Path | None:
    """Cut the partial tail aside, then give the file its final name (None if nothing was left).

    Not while a writer still holds the file (``RotatingWarcWriter`` locks its ``.open`` file): a
    crawler's WARC writer process may outlive the crawler by a moment after a kill. A file still
    held after ``WRITER_WAIT`` seconds is left as it is, in ``report.busy``."""
    with open(path, "rb") as held:
        if not flock_within(held, fcntl.LOCK_EX, WRITER_WAIT, 0.05):
            report.busy.append(path.name)
            return None
        return _finish(path, report)


def _finish(path: Path, report: Recovery) -> Path | None:
    end, size = complete_end(path), path.stat().st_size
    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    if end < size:
        invalid = _free_name(final.with_name(final.name + ".invalid"))
        with open(path, "rb") as source, open(invalid, "xb") as target:
            source.seek(end)
            target.write(source.read())
            target.flush()
            os.fsync(target.fileno())
        report.invalid.append(invalid.name)
        report.cut_bytes += size - end
        with open(path, "r+b") as handle:
            handle.truncate(end)
            os.fsync(handle.fileno())
    if end == 0:
        path.unlink()  # empty: its bytes, if any, are all in the .invalid file
        return None
    os.replace(path, final)
    report.finished.append(final.name)
    return final


def recover(layout: Layout) -> Recovery:
    """Everything a crashed crawl left behind, made whole again. Safe to run at every start."""
    report = Recovery()
    report.temporaries = _remove_temporaries(layout)
    finished = [f for p in open_warc_files(layout)
                if (f := finish_open_file(p, report)) is not None]
    if not layout.catalog_path.exists() and not finished:
        return report
    catalog = Catalog(layout.catalog_path)
    try:
        drop_dangling_rows(layout, catalog, report)
        known = catalog.record_ids()
        store = PostStore(layout, catalog)
        report.reextracted = sum(index_missing(store, path, known) for path in finished)
    finally:
        catalog.close()
    return report


def drop_dangling_rows(layout: Layout, catalog: Catalog, report: Recovery) -> None:
    """Remove rows pointing past the end of a WARC file that is there and readable; a file that
    cannot be opened is added to ``report.missing`` and its rows are left alone."""
    sizes: dict[str, int | None] = {}
    for row in catalog.locations():
        name = row["warc_file"]
        if name not in sizes:
            sizes[name] = _readable_size(layout.warc_dir / name)
            if sizes[name] is None and name not in report.missing:
                report.missing.append(name)
                logger.warning("WARC file %s named in the catalog cannot be read; its catalog "
                               "rows are kept (is its disk mounted?)", name)
        size = sizes[name]
        if size is not None and row["warc_offset"] + row["warc_length"] > size:
            logger.warning("catalog row for %s points past the end of %s: removed",
                           row["url"], name)
            catalog.delete_version(row["id"])
            report.rows_removed += 1


def _readable_size(path: Path) -> int | None:
    """Size of a WARC file that can be opened for reading, None if it cannot (missing, no access,
    a dangling link to an unmounted disk)."""
    try:
        with open(path, "rb") as handle:
            return os.fstat(handle.fileno()).st_size
    except OSError:
        return None


def _remove_temporaries(layout: Layout) -> int:
    """``.NAME.PID.tmp`` files a killed ``write_atomic`` left; their final files were never
    replaced, so nothing is lost. Called under the archive lock: no writer is running."""
    removed = 0
    for folder in (layout.posts_dir, layout.root / "runs"):
        for path in folder.rglob(".*.tmp") if folder.is_dir() else ():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _free_name(path: Path) -> Path:
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.{number}")
    return candidate
