"""The one WARC reader: file listing, and damage reported once while reading goes on."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.layout import Layout
from archive.warc.capture import Capture, WarcLocation
from archive.warc.files import open_warc_files, warc_files, warc_path
from archive.warc.reader import Damage, ReadOptions, iter_records, read_response
from archive.warc.writer import RotatingWarcWriter

WHEN = datetime(2022, 1, 12, 13, 25, tzinfo=UTC)


def capture(number: int) -> Capture:
    body = f"<html><body>post {number} {'words ' * 200}</body></html>".encode()
    return Capture(url=f"http://blog.example/{number}/", started=WHEN, method="GET",
                   request_headers=[], status=200,
                   response_headers=[("Content-Type", "text/html")], body=body)


def write(directory: Path, count: int, close: bool = True, host: str = "h") -> list[WarcLocation]:
    writer = RotatingWarcWriter(directory, "test", {"software": "test"}, clock=lambda: WHEN,
                                host=host)
    places = [writer.write_capture(capture(n)) for n in range(count)]
    if close:
        writer.close()
    return places


def read(path: Path) -> tuple[list[str], list[Damage]]:
    """``TYPE URL`` of every record read, and the damage reported."""
    damage: list[Damage] = []
    found = [f"{stored.record.rec_type} {stored.header('WARC-Target-URI')}".strip()
             for stored in iter_records(path, ReadOptions(on_damage=damage.append))]
    return found, damage


def test_a_flipped_byte_costs_one_record(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    places = write(tmp_path, 4)
    path = tmp_path / places[0].filename
    damaged = places[1]
    data = bytearray(path.read_bytes())
    data[damaged.offset + damaged.length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        urls, damage = read(path)
    assert damage == [Damage(path, damaged.offset, damage[0].reason)] and damage[0].reason
    # only the damaged response is lost: its request record and the later captures are read
    assert urls == ["warcinfo"] + [f"{kind} http://blog.example/{n}/" for n in range(4)
                                   for kind in ("response", "request") if (n, kind) != (1, "response")]
    assert len([r for r in caplog.records if "damaged WARC record" in r.message]) == 1


def test_offsets_and_lengths_match_the_writer(tmp_path: Path) -> None:
    places = write(tmp_path, 3)
    found = {(s.offset, s.length) for s in iter_records(tmp_path / places[0].filename)}
    assert {(p.offset, p.length) for p in places} <= found


def test_garbage_after_the_last_record_is_one_damage(tmp_path: Path) -> None:
    places = write(tmp_path, 2)
    path = tmp_path / places[0].filename
    end = path.stat().st_size
    with open(path, "ab") as handle:
        handle.write(b"\x1f\x8b\x08\x00not a gzip member" * 10)
    urls, damage = read(path)
    assert len(urls) == 5 and [d.offset for d in damage] == [end]


def test_a_truncated_tail_is_damage(tmp_path: Path) -> None:
    places = write(tmp_path, 2)
    path = tmp_path / places[0].filename
    with open(path, "r+b") as handle:
        handle.truncate(places[1].offset + places[1].length // 2)
    urls, damage = read(path)
    assert urls == ["warcinfo", "response http://blog.example/0/", "request http://blog.example/0/"]
    assert [d.offset for d in damage] == [places[1].offset] and "truncated" in damage[0].reason


def test_an_empty_file_has_no_records_and_no_damage(tmp_path: Path) -> None:
    path = tmp_path / "empty.warc.gz"
    path.write_bytes(b"")
    assert read(path) == ([], [])


def test_kept_bodies_and_read_response(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    places = write(layout.warc_dir, 2, close=False)
    options = ReadOptions(keep_body=lambda record: record.rec_type == "response")
    bodies = [s.content() for s in iter_records(warc_path(layout, places[0].filename), options)
              if s.body is not None]
    assert bodies == [capture(0).body, capture(1).body]
    assert read_response(layout, places[1].filename, places[1].offset).body == capture(1).body


def test_warc_files_lists_open_and_finished_files(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    finished = write(layout.warc_dir, 1)[0].filename
    still_open = write(layout.warc_dir, 1, close=False, host="i")[0].filename
    (layout.warc_dir / (finished + ".invalid")).write_bytes(b"tail")
    names = [p.name for p in warc_files(layout)]
    assert sorted([finished, still_open + ".open"]) == names
    assert [p.name for p in warc_files(layout, include_open=False)] == [finished]
    assert [p.name for p in open_warc_files(layout)] == [still_open + ".open"]
    assert len(warc_files(layout, include_set_aside=True)) == 3
    assert warc_path(layout, still_open).name == still_open + ".open"
    assert warc_files(Layout(tmp_path / "nothing")) == []
