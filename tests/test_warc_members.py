"""Each WARC record is one gzip member; a body compressed already is stored, not deflated again.

Real tools read the files back: warcio's reader and ``warcio check`` (digests), cdxj-indexer
(one line per record, offsets that open the record), and Python's gzip module member by member.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import zlib
from pathlib import Path

from archive.layout import Layout
from archive.warc.reader import raw_member, read_response
from archive.warc.writer import RotatingWarcWriter
from tests.test_warcfile import capture, records, writer

JPEG = os.urandom(20_000)  # as incompressible as a photograph
HTML = b"<html><body>" + b"<p>The same words, again and again.</p>" * 400 + b"</body></html>"


def _member_body_is_stored(member: bytes) -> bool:
    """True when the member's deflate stream is stored blocks (BTYPE 00) only: inflating it with
    zlib gives back exactly the input, and the member is larger than what it holds."""
    return len(member) > len(gzip.decompress(member))


def _write(directory: Path) -> tuple[RotatingWarcWriter, dict[str, tuple[str, int, int]]]:
    w = writer(directory)
    places = {}
    for name, headers, body in (
        ("jpeg", [("Content-Type", "image/jpeg")], JPEG),
        ("html", [("Content-Type", "text/html; charset=utf-8")], HTML),
        ("gzipped", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
         gzip.compress(HTML)),
        ("video", [("Content-Type", "video/mp4")], JPEG),
    ):
        location = w.write_capture(capture(url=f"http://127.0.0.1:8080/{name}",
                                           response_headers=headers, body=body))
        places[name] = (location.filename, location.offset, location.length)
    w.close()
    return w, places


def test_compressed_bodies_are_stored_and_text_is_deflated(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    _, places = _write(layout.warc_dir)
    members = {name: raw_member(layout, *place) for name, place in places.items()}
    for name in ("jpeg", "gzipped", "video"):
        assert _member_body_is_stored(members[name]), name
        assert zlib.decompressobj(zlib.MAX_WBITS + 16).decompress(members[name]).startswith(
            b"WARC/1.1\r\n")
    assert len(members["html"]) < len(HTML) / 10  # deflated as before
    assert read_response(layout, places["jpeg"][0], places["jpeg"][1]).body == JPEG
    assert read_response(layout, places["html"][0], places["html"][1]).body == HTML


def test_stored_members_pass_warcio_check_and_cdxj_indexer(tmp_path: Path) -> None:
    _write(tmp_path)
    files = [str(p) for p in tmp_path.glob("*.warc.gz")]
    tools = Path(sys.executable).parent
    check = subprocess.run([str(tools / "warcio"), "check", "-v", *files],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") >= 8, check.stdout
    index = subprocess.run([str(tools / "cdxj-indexer"), *files], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert sum(1 for line in index if "/jpeg" in line or "/video" in line) == 2, index
    kinds = [r.rec_type for r in records(Path(files[0]))]
    assert kinds == ["warcinfo"] + ["response", "request"] * 4


def test_every_record_is_its_own_gzip_member(tmp_path: Path) -> None:
    """Offsets and lengths from the writer cut the file into whole members, nothing between."""
    layout = Layout(tmp_path)
    _, places = _write(layout.warc_dir)
    data = (layout.warc_dir / next(iter(places.values()))[0]).read_bytes()
    for filename, offset, length in places.values():
        member = data[offset:offset + length]
        inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
        inflater.decompress(member)
        assert inflater.eof and not inflater.unused_data, filename
