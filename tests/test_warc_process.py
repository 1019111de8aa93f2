"""The WARC writer process (``archive/warc/service.py``): driven through its pipes as the crawler
drives it, killed and signalled for real, and a real crawl whose writer dies under it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.layout import Layout
from archive.maintain import recovery
from archive.maintain.recovery import Recovery, finish_open_file, recover
from archive.warc.records import RefersTo
from archive.warc.service import (
    ANSWER,
    SPOOL_OVER,
    WriterSettings,
    request_parts,
    split_frames,
)
from tests.conftest import BIN, FAST, ROOT
from tests.fixtures.server import FixtureServer
from tests.test_warcfile import capture


class Writer:
    """``python -m archive.warc.service`` with the crawler's end of its pipes."""

    def __init__(self, directory: Path, **popen: Any) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "archive.warc.service", str(directory)], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, **popen)
        self.send(("open", WriterSettings(directory, "test", {"software": "test"},
                                          max_size=10**9, store_credentials=False, host="h")))

    def send(self, message: tuple[Any, ...]) -> None:
        stdin: IO[bytes] = self.process.stdin  # type: ignore[assignment]
        stdin.write(b"".join(request_parts(message)))
        stdin.flush()

    def ask(self, message: tuple[Any, ...]) -> tuple[Any, ...]:
        self.send(message)
        stdout: IO[bytes] = self.process.stdout  # type: ignore[assignment]
        buffer = bytearray(stdout.read(ANSWER.size))
        assert len(buffer) == ANSWER.size, "the writer ended without answering"
        buffer += stdout.read(ANSWER.unpack(buffer)[0])
        (answer,) = split_frames(buffer)
        return answer


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[Writer]:
    running = Writer(tmp_path / "warcs")
    yield running
    if running.process.poll() is None:
        running.process.kill()
    running.process.wait(timeout=10)


def test_captures_are_written_in_order_where_the_answers_say(writer: Writer,
                                                             tmp_path: Path) -> None:
    urls = [f"http://127.0.0.1:9/post-{n}/" for n in range(3)]
    answers = [writer.ask(("capture", capture(url))) for url in urls[:2]]
    first = answers[0][1]
    refers = RefersTo(urls[0], "2022-01-12T13:25:00.123456Z", first.record_id,
                      first.payload_digest)
    answers.append(writer.ask(("revisit", capture(urls[2]), refers, False)))
    assert [a[0] for a in answers] == ["ok", "ok", "ok"]
    assert all(a[2] > 0 for a in answers)  # bytes written, for the crawl's counters
    closed = writer.ask(("close",))
    assert closed[0] == "closed" and len(closed[1]) == 1
    path = tmp_path / "warcs" / closed[1][0]
    check = subprocess.run([str(BIN / "warcio"), "check", str(path)], capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    with open(path, "rb") as stream:
        records = [(it.rec_type, it.rec_headers.get_header("WARC-Target-URI"),
                    it.rec_headers.get_header("WARC-Record-ID"))
                   for it in ArchiveIterator(stream)]
    assert [uri for kind, uri, _ in records if kind in ("response", "revisit")] == urls
    for url, (_, location, _) in zip(urls, answers, strict=True):
        with open(path, "rb") as stream:
            stream.seek(location.offset)
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_headers.get_header("WARC-Target-URI") == url
            assert record.rec_headers.get_header("WARC-Record-ID") == location.record_id
    assert writer.process.wait(timeout=10) == 0


def test_a_large_body_is_written_whole_from_the_writers_temporary_file(writer: Writer,
                                                                       tmp_path: Path) -> None:
    """Past ``SPOOL_OVER`` the writer keeps a body in a temporary file, not in its memory (its
    peak RSS stays under the body's size): the record holds every byte, with the crawler's
    payload digest."""
    assert SPOOL_OVER < 40 << 20
    body = os.urandom(1 << 20) * 40  # 40 MB that deflate cannot shrink, stored as sent
    sent = capture(body=body, response_headers=[("Content-Type", "image/jpeg")])
    answer = writer.ask(("capture", sent))
    peak = next(line for line in Path(f"/proc/{writer.process.pid}/status").read_text().split("\n")
                if line.startswith("VmHWM:"))
    assert int(peak.split()[1]) < 40 << 10, peak  # kB
    closed = writer.ask(("close",))
    path = tmp_path / "warcs" / closed[1][0]
    with open(path, "rb") as stream:
        stream.seek(answer[1].offset)
        record = next(iter(ArchiveIterator(stream)))
        assert record.content_stream().read() == body
        assert record.rec_headers.get_header("WARC-Payload-Digest") == sent.payload_digest
    check = subprocess.run([str(BIN / "warcio"), "check", str(path)], capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_end_of_its_input_leaves_the_open_file_for_the_recovery(writer: Writer,
                                                                     tmp_path: Path) -> None:
    """A crawler that died without saying ``close``: what was answered is on disk, whole."""
    answer = writer.ask(("capture", capture()))
    writer.process.stdin.close()  # type: ignore[union-attr]
    writer.process.wait(timeout=10)
    layout = Layout(tmp_path)
    assert [p.name for p in layout.warc_dir.iterdir()] == [answer[1].filename + ".open"]
    report = recover(layout)
    assert report.finished == [answer[1].filename] and report.cut_bytes == 0


def test_a_terminals_ctrl_c_or_a_service_stop_does_not_cut_it(writer: Writer) -> None:
    """The crawler gets the same signal, stops cleanly and says ``close`` itself."""
    writer.ask(("capture", capture()))
    writer.process.send_signal(signal.SIGINT)
    writer.process.send_signal(signal.SIGTERM)
    assert writer.ask(("capture", capture()))[0] == "ok"
    assert writer.ask(("close",))[0] == "closed"


def test_a_failed_write_is_answered_and_nothing_more_is_appended(tmp_path: Path) -> None:
    (tmp_path / "warcs").write_text("a file where the WARC folder should be")
    writer = Writer(tmp_path / "warcs")
    failed = writer.ask(("capture", capture()))
    assert failed[0] == "failed" and failed[1] is False and "warcs" in failed[2]
    assert writer.ask(("capture", capture())) == failed
    assert writer.ask(("close",)) == ("closed", [])


def test_it_dies_with_the_crawler_that_started_it(tmp_path: Path) -> None:
    """SIGKILL the parent: the writer must not go on appending to a file the next start recovers.

    Its input stays open here (this test holds the pipe's other end), so the end of input cannot
    be what ends it: only the death signal it asked for can."""
    read, keep = os.pipe()
    parent = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, sys, time\n"
         f"w = subprocess.Popen([sys.executable, '-m', 'archive.warc.service', '{tmp_path}'], "
         f"stdin={read})\nprint(w.pid, flush=True)\ntime.sleep(120)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, pass_fds=(read,))
    os.close(read)
    try:
        child = int(parent.stdout.readline())  # type: ignore[union-attr]
        time.sleep(1.0)
        assert alive(child)
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child)
    finally:
        os.close(keep)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_recovery_leaves_a_file_its_writer_still_holds(writer: Writer, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recovery, "WRITER_WAIT", 0.3)
    answer = writer.ask(("capture", capture()))
    held = tmp_path / "warcs" / (answer[1].filename + ".open")
    report = Recovery()
    assert finish_open_file(held, report) is None
    assert report.busy == [held.name] and held.exists() and not report.finished
    writer.process.kill()  # the lock goes with the process
    writer.process.wait(timeout=10)
    assert finish_open_file(held, report) is not None
    assert report.finished == [answer[1].filename]


def crawl(server: FixtureServer, archive: Path, *extra: str) -> subprocess.Popen[str]:
    slow = ("-s", "DOWNLOAD_DELAY=0.05", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0",
            "-s", "CONCURRENT_REQUESTS=2")
    return subprocess.Popen(
        [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={server.urls['classic']}",
         "-s", f"ARCHIVE_DIR={archive}", *FAST, *slow, *extra],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)


def writer_of(crawler: int, archive: Path) -> int:
    """The crawler's WARC writer process, found by its command line as ``ps`` shows it: the
    module and the archive's WARC folder."""
    wanted = [b"-m", b"archive.warc.service", str(Layout(archive).warc_dir).encode()]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                stat = (entry / "stat").read_text()
            except (FileNotFoundError, ProcessLookupError, NotADirectoryError, PermissionError):
                continue
            if argv[1:4] == wanted and int(stat.rsplit(")", 1)[1].split()[1]) == crawler:
                return int(entry.name)
        time.sleep(0.1)
    raise AssertionError("no WARC writer process")


def wait_for_captures(archive: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(p.stat().st_size > 20_000 for p in archive.rglob("*.warc.gz.open")):
            return
        time.sleep(0.1)
    raise AssertionError("the crawl wrote no captures")


@pytest.mark.e2e
def test_a_crawl_whose_writer_dies_stops_with_one_line_and_loses_nothing(
        server: FixtureServer, tmp_path: Path) -> None:
    server.restore()
    archive = tmp_path / "archive"
    process = crawl(server, archive)
    wait_for_captures(archive)
    os.kill(writer_of(process.pid, archive), signal.SIGKILL)
    log, _ = process.communicate(timeout=120)
    assert process.returncode == 1, log[-3000:]
    assert len([line for line in log.splitlines() if "Cannot write the WARC" in line]) == 1, log
    assert "Closing spider (warc_failed)" in log and "Traceback" not in log, log[-3000:]
    again = crawl(server, archive)  # the next run recovers the .open file and completes
    log, _ = again.communicate(timeout=300)
    assert again.returncode == 0, log[-3000:]
    warcs = sorted(str(p) for p in Layout(archive).warc_dir.glob("*.warc.gz"))
    check = subprocess.run([str(BIN / "warcio"), "check", *warcs], capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0 and not list(archive.rglob("*.open")), check.stdout[-2000:]


@pytest.mark.e2e
def test_ctrl_c_in_a_terminal_finishes_the_warc(server: FixtureServer, tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal sends it: the writer lives on until the
    crawler's graceful stop says ``close``, so the WARC is finished, not left ``.open``."""
    server.restore()
    archive = tmp_path / "archive"
    process = crawl(server, archive)
    wait_for_captures(archive)
    os.killpg(process.pid, signal.SIGINT)
    log, _ = process.communicate(timeout=120)
    assert "Closing spider (shutdown)" in log and "Traceback" not in log, log[-3000:]
    warcs = sorted(str(p) for p in Layout(archive).warc_dir.glob("*.warc.gz"))
    assert warcs and not list(archive.rglob("*.open"))
    check = subprocess.run([str(BIN / "warcio"), "check", *warcs], capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0, check.stdout[-2000:]
