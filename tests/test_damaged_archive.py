"""Issue 15: a damaged or incomplete archive is reported, never "repaired" by deleting history.

Recovery must not drop catalog rows for a WARC file that is only missing right now; ``verify``
must see a cut WARC, a broken catalog and one flipped byte (and say so in a few lines); ``reindex``
must skip a damaged record and replace a broken catalog (kept aside, never deleted); and every
command on a damaged catalog gives one line, not a traceback.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from archive.catalog import Catalog
from archive.layout import Layout
from archive.maintain.recovery import recover
from archive.maintain.workers import recover_dead_workers
from tests.test_recovery import crashed_archive


def small_archive(root: Path) -> tuple[Layout, Path]:
    """A finished WARC with two post captures and a catalog row for each."""
    layout, name = crashed_archive(root, cut=0)
    recover(layout)
    with Catalog(layout.catalog_path) as catalog:
        assert len(catalog.locations()) == 2
    return layout, layout.warc_dir / name


# --- defect 8: recovery never deletes rows because a file is missing -------------------------

def test_recovery_keeps_rows_of_a_warc_that_is_missing_for_now(tmp_path: Path) -> None:
    layout, warc = small_archive(tmp_path / "archive")
    aside = tmp_path / "unmounted" / warc.name
    aside.parent.mkdir()
    shutil.move(warc, aside)  # the disk holding it is not mounted
    report = recover(layout)
    assert report.rows_removed == 0 and report.missing == [warc.name]
    shutil.move(aside, warc)  # mounted again: every post is still there
    with Catalog(layout.catalog_path) as catalog:
        assert len(catalog.locations()) == 2
    assert recover(layout).missing == []


def test_recovery_keeps_rows_of_an_unreadable_warc(tmp_path: Path) -> None:
    layout, warc = small_archive(tmp_path)
    warc.unlink()
    warc.mkdir()  # a name that cannot be read as a file (a broken mount point, say)
    report = recover(layout)
    assert report.rows_removed == 0 and report.missing == [warc.name]


def test_worker_recovery_keeps_rows_of_a_missing_warc(tmp_path: Path) -> None:
    layout, warc = small_archive(tmp_path)
    warc.rename(tmp_path / "elsewhere.warc.gz")
    crashed_archive(tmp_path, cut=30)  # a crashed single-process crawl's ``.open`` file
    report = recover_dead_workers(layout, "other-host-1")
    assert report.finished and report.missing == [warc.name]
    with Catalog(layout.catalog_path) as catalog:
        assert warc.name in {row["warc_file"] for row in catalog.locations()}
