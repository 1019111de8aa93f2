"""The WARC writer on its own: records, digests, naming, rotation, golden bytes."""

from __future__ import annotations

import gzip
import itertools
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.layout import Layout
from archive.warc.capture import Capture
from archive.warc.reader import raw_member, read_response
from archive.warc.records import RecordFactory
from archive.warc.writer import RotatingWarcWriter

WHEN = datetime(2022, 1, 12, 13, 25, 0, 123456, tzinfo=UTC)
BODY = gzip.compress(b"<html><body>Hello</body></html>", mtime=0)


def capture(url: str = "http://127.0.0.1:8080/2022/01/12/hello/?a=1", **kw: object) -> Capture:
    fields: dict[str, object] = dict(
        url=url, started=WHEN, method="GET",
        request_headers=[("User-Agent", "test"), ("Cookie", "secret=1"),
                         ("Accept-Encoding", "gzip")],
        status=200,
        response_headers=[("Content-Type", "text/html; charset=UTF-8"),
                          ("Content-Encoding", "gzip"), ("Set-Cookie", "a=1"),
                          ("Set-Cookie", "b=2"), ("Transfer-Encoding", "chunked")],
        body=BODY, ip_address="127.0.0.1")
    fields.update(kw)
    return Capture(**fields)  # type: ignore[arg-type]


def writer(directory: Path, max_size: int = 10**9, ids: bool = False) -> RotatingWarcWriter:
    counter = itertools.count()
    factory = RecordFactory(
        make_id=lambda: f"<urn:uuid:00000000-0000-0000-0000-{next(counter):012d}>"
    ) if ids else None
    return RotatingWarcWriter(directory, "test", {"software": "blogarchive-test"},
                              max_size=max_size, factory=factory, clock=lambda: WHEN, host="h")


def records(path: Path) -> list:  # type: ignore[type-arg]
    with open(path, "rb") as handle:
        out = []
        for record in ArchiveIterator(handle):
            record.body = record.raw_stream.read()
            out.append(record)
        return out


def test_capture_group_is_warcinfo_response_request(tmp_path: Path) -> None:
    w = writer(tmp_path)
    location = w.write_capture(capture())
    assert (tmp_path / (location.filename + ".open")).exists()
    w.close()
    path = tmp_path / location.filename
    assert location.filename == "test-20220112132500123-00001-h.warc.gz"
    kinds = [r.rec_type for r in records(path)]
    assert kinds == ["warcinfo", "response", "request"]
    info, response, request = records(path)
    assert info.rec_headers.get_header("WARC-Filename") == location.filename
    for record in (response, request):
        assert record.rec_headers.get_header("WARC-Warcinfo-ID") == info.rec_headers.get_header(
            "WARC-Record-ID")
        assert record.rec_headers.get_header("WARC-Date") == "2022-01-12T13:25:00.123456Z"
        assert record.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
        assert record.rec_headers.get_header("WARC-Target-URI").endswith("/hello/?a=1")
    assert request.rec_headers.get_header("WARC-Concurrent-To") == location.record_id


def test_response_keeps_body_as_sent_and_repeated_headers(tmp_path: Path) -> None:
    w = writer(tmp_path)
    location = w.write_capture(capture())
    w.close()
    response = records(tmp_path / location.filename)[1]
    assert response.body == BODY
    headers = response.http_headers.headers
    assert [v for k, v in headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert not any(k.lower() == "transfer-encoding" for k, _ in headers)
    assert response.http_headers.get_header("Content-Length") == str(len(BODY))
    assert response.http_headers.statusline == "200 OK"


def test_request_record_has_host_and_no_credentials(tmp_path: Path) -> None:
    w = writer(tmp_path)
    location = w.write_capture(capture())
    w.close()
    request = records(tmp_path / location.filename)[2]
    assert request.http_headers.protocol == "GET"
    assert request.http_headers.statusline == "/2022/01/12/hello/?a=1 HTTP/1.1"
    assert request.http_headers.get_header("Host") == "127.0.0.1:8080"
    assert request.http_headers.get_header("Cookie") is None
    assert request.http_headers.get_header("User-Agent") == "test"


def test_offsets_read_back_the_same_record(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    w = writer(layout.warc_dir)
    first = w.write_capture(capture())
    second = w.write_capture(capture(url="http://127.0.0.1:8080/b/", body=b"plain"))
    stored = read_response(layout, second.filename, second.offset)
    assert stored.body == b"plain" and stored.url == "http://127.0.0.1:8080/b/"
    assert read_response(layout, first.filename, first.offset).body == BODY
    member = raw_member(layout, first.filename, first.offset, first.length)
    assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")
    w.close()


def test_rotation_never_splits_a_capture_group(tmp_path: Path) -> None:
    w = writer(tmp_path, max_size=1)
    names = {w.write_capture(capture()).filename for _ in range(3)}
    w.close()
    assert len(names) == 3 and sorted(w.closed_files) == sorted(names)
    for name in names:
        assert [r.rec_type for r in records(tmp_path / name)] == ["warcinfo", "response",
                                                                   "request"]


def test_golden_bytes_round_trip(tmp_path: Path) -> None:
    """Same capture, same ids and clock: byte-identical files (the determinism seam)."""
    outputs = []
    for run in ("a", "b"):
        w = writer(tmp_path / run, ids=True)
        w.write_capture(capture())
        w.close()
        outputs.append(next((tmp_path / run).iterdir()).read_bytes())
    assert outputs[0] == outputs[1]


def test_warcio_check_passes(tmp_path: Path) -> None:
    w = writer(tmp_path)
    w.write_capture(capture())
    w.write_capture(capture(url="http://127.0.0.1:8080/404", status=404, body=b"missing"))
    w.close()
    files = [str(p) for p in tmp_path.glob("*.warc.gz")]
    warcio = Path(sys.executable).with_name("warcio")
    result = subprocess.run([str(warcio), "check", "-v", *files],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("digest pass") >= 4, result.stdout
