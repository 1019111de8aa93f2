"""The reader under load and against bombs: bounded memory per request, a bounded number of
threads, and an index of a WARC being written that reads only what was added (issue 15)."""

from __future__ import annotations

import http.client
import io
import random
import threading
import time
import tracemalloc
import zlib
from pathlib import Path

import brotli  # type: ignore[import-untyped]  # no stubs published
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
from werkzeug.test import Client

from archive.layout import Layout
from archive.web import warcindex
from archive.web.app import ReaderApp, make_server
from archive.web.warcindex import IndexCache

HTML = [("Content-Type", "text/html; charset=utf-8")]
STAMP = "20240501000000"


def append_warc(path: Path, records: list[tuple[str, list[tuple[str, str]], bytes]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, headers, body in records:
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-05-01T00:00:00Z"}))


def brotli_bomb(size: int) -> bytes:
    compressor = brotli.Compressor(quality=1)
    zeros = bytes(1 << 20)
    return b"".join(compressor.process(zeros) for _ in range(size >> 20)) + compressor.finish()


def gzip_bomb(size: int) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1 << 20)
    return b"".join(compressor.compress(zeros) for _ in range(size >> 20)) + compressor.flush()


def client(archive: Path) -> Client:
    return Client(ReaderApp(archive))


@pytest.mark.parametrize("coding,bomb", [("br", brotli_bomb), ("gzip", gzip_bomb)])
def test_a_compression_bomb_is_refused_with_bounded_memory(tmp_path: Path, coding: str,
                                                           bomb: object) -> None:
    body = bomb(256 << 20)  # type: ignore[operator]
    append_warc(tmp_path / "warcs" / "bomb-00001.warc.gz", [
        ("http://bomb.example/", [*HTML, ("Content-Encoding", coding)], body)])
    tracemalloc.start()
    try:
        reply = client(tmp_path).get(f"/replay/{STAMP}/http://bomb.example/")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reply.status_code == 502
    assert "size limit" in reply.get_data(as_text=True)
    assert peak < 24 << 20, f"{peak >> 20} MB held for one request"


def test_a_large_body_is_streamed_not_held(tmp_path: Path) -> None:
    blob = random.Random(15).randbytes(40 << 20)  # incompressible, as media files are
    append_warc(tmp_path / "warcs" / "big-00001.warc.gz", [
        ("http://big.example/file.bin", [("Content-Type", "application/octet-stream")], blob),
        ("http://big.example/page/", HTML,
         b"<html><body><a href='http://live.example/'>x</a>" + b"<p>text</p>" * (1 << 20))])
    reader = client(tmp_path)
    assert reader.get(f"/replay/{STAMP}/http://big.example/none").status_code == 404  # indexed
    tracemalloc.start()
    try:
        reply = reader.get(f"/replay/{STAMP}/http://big.example/file.bin", buffered=False)
        received = sum(len(chunk) for chunk in reply.response)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reply.status_code == 200 and received == len(blob)
    assert reply.headers["Content-Length"] == str(len(blob))
    assert peak < 8 << 20, f"{peak >> 20} MB held to send a 40 MB body"
    page = reader.get(f"/replay/{STAMP}/http://big.example/page/")  # 11 MB: past MAX_REWRITE
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/plain")


def test_a_growing_open_warc_is_indexed_incrementally(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    starts: list[tuple[str, int]] = []
    real = warcindex.iter_records

    def counting(path: Path, options: warcindex.ReadOptions) -> object:
        starts.append((path.name, options.start))
        return real(path, options)

    monkeypatch.setattr(warcindex, "iter_records", counting)
    open_file = tmp_path / "warcs" / "crawl-00001.warc.gz.open"
    append_warc(open_file, [(f"http://grow.example/{n}", HTML, b"<p>%d</p>" % n) for n in range(3)])
    cache = IndexCache(Layout(tmp_path))
    assert cache.get().lookup("http://grow.example/2") is not None
    size = open_file.stat().st_size
    with open(open_file, "ab") as handle:  # a record being written: only half of it so far
        member = io.BytesIO()
        WARCWriter(member, gzip=True).write_record(WARCWriter(member).create_warc_record(
            "http://grow.example/3", "response", payload=io.BytesIO(b"<p>3</p>"),
            http_headers=StatusAndHeaders("200 OK", HTML, protocol="HTTP/1.1")))
        handle.write(member.getvalue()[:40])
    assert cache.get().lookup("http://grow.example/3") is None
    with open(open_file, "ab") as handle:
        handle.write(member.getvalue()[40:])
    index = cache.get()
    assert index.lookup("http://grow.example/3") is not None
    assert index.lookup("http://grow.example/0") is not None
    assert starts == [(open_file.name, 0), (open_file.name, size), (open_file.name, size)]
    assert not index.problems, index.problems  # the half-written record was no damage
    finished = open_file.with_name("crawl-00001.warc.gz")
    open_file.rename(finished)  # the crawl closes the file: same inode, nothing re-read
    assert cache.get().lookup("http://grow.example/3") is not None and len(starts) == 3
    assert cache.get().lookup("http://grow.example/3").warc_file == finished.name  # type: ignore[union-attr]


def test_the_server_answers_with_a_bounded_pool_of_threads(tmp_path: Path) -> None:
    busy, peak, lock, release = [0], [0], threading.Lock(), threading.Event()

    def slow_app(environ: dict[str, object], start_response: object) -> list[bytes]:
        with lock:
            busy[0] += 1
            peak[0] = max(peak[0], busy[0])
        release.wait(10)
        with lock:
            busy[0] -= 1
        start_response("200 OK", [("Content-Length", "2")])  # type: ignore[operator]
        return [b"ok"]

    server = make_server(tmp_path, "127.0.0.1", 0, threads=3)
    server.app = slow_app
    threading.Thread(target=server.serve_forever, daemon=True).start()
    before = threading.active_count()
    results: list[int] = []

    def fetch() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=20)
        connection.request("GET", "/")
        results.append(connection.getresponse().status)
        connection.close()

    clients = [threading.Thread(target=fetch) for _ in range(12)]
    for thread in clients:
        thread.start()
    time.sleep(0.5)
    grown = threading.active_count() - before - len(clients)
    release.set()
    for thread in clients:
        thread.join(20)
    server.shutdown()
    server.server_close()
    assert results == [200] * 12  # every client answered, the extra ones after waiting
    assert peak[0] == 3 and grown <= 3, (peak[0], grown)
