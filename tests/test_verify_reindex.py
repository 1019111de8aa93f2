"""`blogarchive verify` finds damage; `blogarchive reindex` rebuilds the catalog from the WARCs."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from archive.layout import Layout
from archive.warc.capture import Capture
from archive.warc.records import RefersTo, warc_date
from archive.warc.writer import RotatingWarcWriter
from tests.conftest import CrawlRun, run_cli

VOLATILE = ("id", "post_id", "version_id")


def copy_of(crawled: CrawlRun, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(crawled.archive, target)
    return target


def table(archive: Path, sql: str) -> list[dict[str, Any]]:
    db = sqlite3.connect(Layout(archive).catalog_path)
    db.row_factory = sqlite3.Row
    try:
        rows = [dict(row) for row in db.execute(sql)]
    finally:
        db.close()
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in rows]


CATALOG = {
    "posts": "SELECT * FROM posts ORDER BY url",
    "versions": "SELECT p.url, v.* FROM versions v JOIN posts p ON p.id = v.post_id "
                "ORDER BY p.url, v.version",
    "comments": "SELECT p.url, v.version, c.* FROM comments c JOIN versions v ON v.id = c.version_id "
                "JOIN posts p ON p.id = v.post_id ORDER BY p.url, v.version, c.comment_id",
}


def test_verify_passes_on_a_crawled_archive(crawled: CrawlRun) -> None:
    result = run_cli("verify", "--json", archive=crawled.archive)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["problems"] == []
    assert report["versions"] == crawled.stats["posts/archived"]
    assert report["records"] > report["versions"] and report["digests_checked"] > 0
    plain = run_cli("verify", archive=crawled.archive)
    assert plain.returncode == 0 and plain.stdout.strip().endswith("OK")
    assert "\x1b[" not in plain.stdout + plain.stderr  # no progress bar outside a terminal


def test_verify_reports_every_kind_of_damage(crawled: CrawlRun, tmp_path: Path) -> None:
    archive = copy_of(crawled, tmp_path)
    layout = Layout(archive)
    db = sqlite3.connect(layout.catalog_path)
    first, second = db.execute(
        "SELECT id, text_path, warc_file, warc_offset, warc_length FROM versions ORDER BY id "
        "LIMIT 2").fetchall()
    db.execute("UPDATE versions SET warc_offset = warc_offset + 1 WHERE id = ?", (second[0],))
    db.commit()
    db.close()
    layout.resolve(first[1]).unlink()
    warc = layout.warc_dir / first[2]
    data = bytearray(warc.read_bytes())
    data[first[3] + first[4] // 2] ^= 0xFF  # one flipped byte inside a compressed record
    warc.write_bytes(bytes(data))
    result = run_cli("verify", "--json", archive=archive)
    assert result.returncode == 1
    kinds = {problem["kind"] for problem in json.loads(result.stdout)["problems"]}
    assert {"missing-file", "missing-record"} <= kinds
    # A flipped byte breaks the gzip member (warc), its digest, or - when it still inflates to a
    # parsable record - the record no longer matches its catalog row (mismatch): all are damage.
    assert kinds & {"warc", "digest", "mismatch"}
    plain = run_cli("verify", archive=archive)
    assert plain.returncode == 1 and "problems" in plain.stdout.splitlines()[-1]


def test_reindex_rebuilds_the_same_catalog(crawled: CrawlRun, tmp_path: Path) -> None:
    archive = copy_of(crawled, tmp_path)
    before = {name: table(archive, sql) for name, sql in CATALOG.items()}
    result = run_cli("reindex", "--json", archive=archive)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["posts"] == crawled.stats["posts/archived"] and summary["deleted"] == 0
    for name, sql in CATALOG.items():
        assert table(archive, sql) == before[name], name
    assert not list(archive.glob(".catalog.rebuild-*"))
    hits = run_cli("search", "--json", "russia", archive=archive)
    assert hits.returncode == 0 and hits.stdout.strip()
    assert run_cli("verify", archive=archive).returncode == 0


def test_reindex_reads_revisits_and_gone_posts(crawled: CrawlRun, tmp_path: Path) -> None:
    """A later WARC holding a revisit (unchanged) and a 404 (deleted): no new versions."""
    archive = copy_of(crawled, tmp_path)
    rows = table(archive, CATALOG["versions"])
    unchanged, gone = rows[0], rows[1]
    later = datetime.now(UTC) + timedelta(days=1)
    writer = RotatingWarcWriter(Layout(archive).warc_dir, "blogarchive", {"software": "test"},
                                clock=lambda: later)
    refers = RefersTo(unchanged["fetched_url"], warc_date(datetime.fromisoformat(
        unchanged["captured_at"])), unchanged["record_id"], unchanged["payload_digest"])
    writer.write_revisit(capture(unchanged["url"], 304, later), refers, not_modified=True)
    writer.write_capture(capture(gone["url"], 404, later + timedelta(seconds=1)))
    writer.close()
    result = run_cli("reindex", "--json", archive=archive)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["unchanged"] == 1 and summary["deleted"] == 1
    assert len(table(archive, CATALOG["versions"])) == len(rows)
    posts = {row["url"]: row for row in table(archive, CATALOG["posts"])}
    assert posts[gone["url"]]["deleted_at"] == (later + timedelta(seconds=1)).isoformat()
    assert posts[unchanged["url"]]["last_seen"] == later.isoformat()
    assert posts[unchanged["url"]]["deleted_at"] is None


def capture(url: str, status: int, when: datetime) -> Capture:
    return Capture(url=url, started=when, method="GET", request_headers=[], status=status,
                   response_headers=[("Content-Type", "text/html")], body=b"gone" * (status == 404))


def test_reindex_refuses_an_archive_without_warcs(tmp_path: Path) -> None:
    (tmp_path / "catalog.sqlite").touch()
    result = run_cli("reindex", archive=tmp_path)
    assert result.returncode == 1 and "no WARC files" in result.stderr


@pytest.mark.parametrize("command", [["verify"], ["reindex"], ["cdxj"], ["search"], ["export"],
                                     ["comments"]])
def test_new_commands_have_help_with_an_example(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0 and "Example" in result.stdout
