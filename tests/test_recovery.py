"""Start-up recovery: a partial tail is cut aside, the file is finished, the catalog reconciled."""

from __future__ import annotations

import gzip
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from archive.catalog import Catalog
from archive.layout import Layout
from archive.maintain.recovery import complete_end, recover
from archive.warc.capture import Capture
from archive.warc.writer import RotatingWarcWriter

PAGES = Path(__file__).parent / "fixtures" / "pages"
URL = "https://unterwegsmitanke.wordpress.com/2022/01/12/winterwanderung-im-harz/"
FRENCH = "https://carnetslyonnais.wordpress.com/2022/01/12/le-marche-en-janvier/"


def post_capture(url: str = URL, page: str = "wpcom-german") -> Capture:
    html = (PAGES / f"{page}.html").read_bytes()
    return Capture(url=url, started=datetime(2022, 1, 13, tzinfo=UTC), method="GET",
                   request_headers=[("Accept-Encoding", "gzip")], status=200,
                   response_headers=[("Content-Type", "text/html; charset=UTF-8"),
                                     ("Content-Encoding", "gzip")],
                   body=gzip.compress(html, mtime=0))


def crashed_archive(root: Path, cut: int) -> tuple[Layout, str]:
    """Write two captures, then lose ``cut`` bytes of the tail as a killed process would."""
    layout = Layout(root)
    writer = RotatingWarcWriter(layout.warc_dir, "t", {"software": "test"}, host="h")
    writer.write_capture(post_capture())
    writer.write_capture(post_capture(FRENCH, "wpcom-french"))
    name = writer.current_name
    path = layout.warc_dir / (name + ".open")
    assert writer._handle is not None
    writer._handle.close()  # a crash: no close(), no rename
    data = path.read_bytes()
    path.write_bytes(data[:len(data) - cut])
    return layout, name


def test_partial_tail_is_cut_aside_and_file_finished(tmp_path: Path) -> None:
    layout, name = crashed_archive(tmp_path, cut=40)
    report = recover(layout)
    final = layout.warc_dir / name
    assert report.finished == [name] and final.exists()
    assert not list(layout.warc_dir.glob("*.open"))
    invalid = layout.warc_dir / (name + ".invalid")
    assert invalid.exists() and report.cut_bytes == invalid.stat().st_size > 0
    assert complete_end(final) == final.stat().st_size
    warcio = Path(sys.executable).with_name("warcio")
    check = subprocess.run([str(warcio), "check", str(final)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_complete_post_without_catalog_row_is_reextracted(tmp_path: Path) -> None:
    layout, _ = crashed_archive(tmp_path, cut=0)
    report = recover(layout)
    assert report.reextracted == 2 and report.cut_bytes == 0
    catalog = Catalog(layout.catalog_path)
    rows = list(catalog.latest())
    assert len(rows) == 2 and "Winterwanderung im Harz" in {r["title"] for r in rows}
    assert all(layout.resolve(r["text_path"]).exists() for r in rows)


def test_row_pointing_past_the_end_is_removed(tmp_path: Path) -> None:
    layout, name = crashed_archive(tmp_path, cut=0)
    recover(layout)
    catalog = Catalog(layout.catalog_path)
    locations = catalog.locations()
    assert len(locations) == 2
    path = layout.warc_dir / name
    last = max(row["warc_offset"] for row in locations)
    path.write_bytes(path.read_bytes()[:last + 10])  # lose the last capture for good
    catalog.close()
    report = recover(layout)
    assert report.rows_removed == 1
    assert len(Catalog(layout.catalog_path).locations()) == 1


def test_second_run_of_recovery_changes_nothing(tmp_path: Path) -> None:
    layout, _ = crashed_archive(tmp_path, cut=10)
    recover(layout)
    files = sorted(p.name for p in layout.warc_dir.iterdir())
    assert not recover(layout)
    assert sorted(p.name for p in layout.warc_dir.iterdir()) == files
