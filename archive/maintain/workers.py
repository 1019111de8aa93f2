"""Recovery after a scale-out worker died: its unfinished WARCs closed, its shard reconciled.

Workers (``crawler/scale.py``) each write their own WARC files and catalog shard
(``archive/catalog/shards.py``); the first worker to start after one died does this for it, one
process at a time.
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.catalog import Catalog
from archive.layout import Layout
from archive.lock import ArchiveLock, ArchiveLocked
from archive.maintain.recovery import Recovery, drop_dangling_rows, finish_open_file
from archive.maintain.reindex import index_missing
from archive.store import PostStore
from archive.warc.files import open_warc_files

# PREFIX-YYYYmmddHHMMSSfff-NNNNN-WRITER.warc.gz: WRITER is HOST, or HOST-PID for a worker.
WARC_WRITER = re.compile(r"-\d{17}-\d{5}-(?P<writer>.+)\.warc\.gz(?:\.open)?$")


def recover_dead_workers(layout: Layout, own: str | None = None) -> Recovery:
    """Finish the ``.open`` WARCs of workers that died (their shard lock is free) and drop their
    shard rows pointing past the end of a file (files that cannot be read are reported in
    ``missing``, their rows kept).

    Complete captures without a row are *not* re-extracted here: the dead worker's unfinished
    requests go back to the shared queue and another worker fetches them again, so re-extracting
    would archive those posts twice. ``.open`` files of a crashed single-process crawl (no worker
    name) get the usual recovery into the main catalog.
    """
    report = Recovery()
    with _recovery_turn(layout):
        stale: dict[str | None, list[Path]] = {}
        for path in open_warc_files(layout):
            match = WARC_WRITER.search(path.name)
            writer = match["writer"] if match else None
            stale.setdefault(writer if _is_worker(layout, writer) else None, []).append(path)
        workers = {p.stem for p in layout.shard_dir.glob("*.lock")} | {w for w in stale if w}
        for name in sorted(workers - {own, ".recovery"}):
            lock = ArchiveLock(layout.shard_dir / f"{name}.lock")
            try:
                lock.acquire()
            except ArchiveLocked:
                continue  # alive
            try:
                _recover_files(layout, stale.get(name, []), layout.shard_path(name), report,
                               reextract=False)
            finally:
                lock.release()
                (layout.shard_dir / f"{name}.lock").unlink(missing_ok=True)
        if stale.get(None):
            _recover_files(layout, stale[None], layout.catalog_path, report, reextract=True)
    return report


def _is_worker(layout: Layout, writer: str | None) -> bool:
    """A worker's files (its lock or shard exists), not a single-process crawl's."""
    return writer is not None and ((layout.shard_dir / f"{writer}.lock").exists()
                                   or layout.shard_path(writer).exists())


def _recover_files(layout: Layout, open_files: list[Path], catalog_path: Path, report: Recovery,
                   reextract: bool) -> None:
    finished = [f for p in open_files if (f := finish_open_file(p, report)) is not None]
    if not catalog_path.exists() and not (reextract and finished):
        return
    catalog = Catalog(catalog_path)
    try:
        drop_dangling_rows(layout, catalog, report)
        if reextract:
            store, known = PostStore(layout, catalog), catalog.record_ids()
            report.reextracted += sum(index_missing(store, path, known) for path in finished)
    finally:
        catalog.close()


@contextmanager
def _recovery_turn(layout: Layout) -> Iterator[None]:
    """One process at a time looks for dead workers (short: only their unfinished files)."""
    layout.shard_dir.mkdir(parents=True, exist_ok=True)
    with open(layout.shard_dir / ".recovery.lock", "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
