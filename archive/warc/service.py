"""The WARC writer as a process of its own: captures in on stdin, their places out on stdout.

Why: building and compressing a capture's two records is pure CPU (warcio's Python, deflate,
SHA-1), about 0.4 ms a response. In the crawler that time is taken from the event loop that
moves every request, while half of the second core is idle (issue 21); in a thread it would still
hold the GIL for most of it. Here the crawler only pickles the capture and waits for the answer.

The crawler awaits each answer before the response goes on, so "captured before anything can
drop it" holds as before, and records are written in the order they were sent, so the WARC keeps
the crawl's capture order. A request is its lengths, a pickle and a capture's body as sent; an
answer is a 4-byte big-endian length and a pickle; both sides are the same program (trusted input,
never read from elsewhere).

Requests: ``("open", WriterSettings)`` first, then ``("capture", Capture)``,
``("revisit", Capture, RefersTo, not_modified)`` and finally ``("close",)``. Answers, one per
request, in order: ``("ok", WarcLocation, bytes_written)``, ``("closed", closed_files)`` or
``("failed", disk_full, message)``. End of input without ``close`` means the crawler died: the
``.open`` file is left as it is, flushed after every capture, for the next start to recover, as a
crawler killed while writing itself would leave it. SIGINT and SIGTERM are ignored: a Ctrl-C or a
service manager's stop reaches the crawler too, which shuts down cleanly and says ``close``.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import pickle
import signal
import struct
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from archive.warc.records import RecordFactory
from archive.warc.writer import RotatingWarcWriter

REQUEST = struct.Struct("!IQ")  # the pickle's length, the body's
ANSWER = struct.Struct("!I")
SPOOL_OVER = 4 << 20  # bytes of a body kept in memory; larger ones go to a temporary file
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@dataclass(frozen=True)
class WriterSettings:
    """What ``RotatingWarcWriter`` is built from, sent once as the first request."""

    directory: Path
    prefix: str
    info: dict[str, str]
    max_size: int
    store_credentials: bool
    host: str | None = None  # scale-out: the crawler's HOST-PID; else the host name

    def writer(self) -> RotatingWarcWriter:
        return RotatingWarcWriter(self.directory, self.prefix, self.info, max_size=self.max_size,
                                  factory=RecordFactory(store_credentials=self.store_credentials),
                                  host=self.host)


def request_parts(message: tuple[Any, ...]) -> list[bytes]:
    """A request as the pieces to write: lengths, the pickle, and a capture's body apart, never
    copied into the pickle (a 50 MB page would be copied twice more on the crawler's side)."""
    body = b""
    if message[0] in ("capture", "revisit"):
        body = message[1].body
        digest = message[1].payload_digest  # cached by the crawler: the writer need not hash
        message = (message[0], replace(message[1], body=b""), *message[2:], digest)
    head = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return [REQUEST.pack(len(head), len(body)), head, body]


def read_request(stream: BinaryIO) -> tuple[Any, ...] | None:
    """The next request, or None at the end of input (a request cut short counts as the end)."""
    lengths = stream.read(REQUEST.size)
    if len(lengths) < REQUEST.size:
        return None
    head_size, body_size = REQUEST.unpack(lengths)
    head = stream.read(head_size)
    body = read_body(stream, body_size)
    if len(head) < head_size or body is None:
        return None
    message: tuple[Any, ...] = pickle.loads(head)
    if message[0] in ("capture", "revisit"):
        *fields, digest = message[2:]
        capture = replace(message[1], body=body)
        vars(capture)["payload_digest"] = digest  # the crawler's cached value (cached_property)
        message = (message[0], capture, *fields)
    return message


def read_body(stream: BinaryIO, size: int) -> bytes | SpooledBody | None:
    """A body in memory, or in a temporary file past ``SPOOL_OVER`` bytes: the crawler holds the
    body already, and a second copy of a 50 MB page here would double the crawl's memory."""
    if size <= SPOOL_OVER:
        body = stream.read(size)
        return body if len(body) == size else None
    spool = SpooledBody(size)
    left = size
    while left:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            spool.file.close()
            return None
        spool.file.write(chunk)
        left -= len(chunk)
    return spool


class SpooledBody:
    """What the record builder needs of a large body (its length, a stream of its bytes), kept
    in a temporary file that is gone once the record is written and the body is dropped."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the body is dropped

    def __len__(self) -> int:
        return self.size

    def __bool__(self) -> bool:
        return self.size > 0

    def stream(self) -> BinaryIO:
        self.file.seek(0)
        return self.file

    def __del__(self) -> None:
        self.file.close()


def frame(message: tuple[Any, ...]) -> bytes:
    """An answer: its length and its pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return ANSWER.pack(len(data)) + data


def split_frames(buffer: bytearray) -> list[tuple[Any, ...]]:
    """Take every whole frame off the front of ``buffer`` (the crawler's side reads in chunks)."""
    messages: list[tuple[Any, ...]] = []
    start = 0
    while len(buffer) - start >= ANSWER.size:
        (size,) = ANSWER.unpack_from(buffer, start)
        end = start + ANSWER.size + size
        if len(buffer) < end:
            break
        messages.append(pickle.loads(buffer[start + ANSWER.size:end]))
        start = end
    del buffer[:start]
    return messages


class WriterService:
    """Answers one request at a time with the writer it was opened with."""

    def __init__(self, settings: WriterSettings) -> None:
        self.writer = settings.writer()
        self.failed: tuple[Any, ...] | None = None  # after a failed write nothing more is appended

    def answer(self, message: tuple[Any, ...]) -> tuple[Any, ...]:
        if self.failed is not None:
            return self.failed
        before = self.writer.bytes_written
        try:
            if message[0] == "capture":
                location = self.writer.write_capture(message[1])
            else:
                location = self.writer.write_revisit(message[1], message[2], message[3])
        except OSError as error:
            self.writer.abandon()  # NAME.open keeps what reached the disk, for the recovery
            self.failed = ("failed", is_disk_full(error), str(error))
            return self.failed
        return ("ok", location, self.writer.bytes_written - before)

    def close(self) -> tuple[Any, ...]:
        if self.failed is None:
            self.writer.close()
        return ("closed", list(self.writer.closed_files))


def is_disk_full(error: OSError) -> bool:
    return error.errno in (errno.ENOSPC, errno.EDQUOT)


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    opening = read_request(requests)
    if opening is None:
        return
    service = WriterService(opening[1])
    while (message := read_request(requests)) is not None:
        if message[0] == "close":
            answers.write(frame(service.close()))
            answers.flush()
            return
        answers.write(frame(service.answer(message)))
        answers.flush()


def main() -> None:
    """``python -m archive.warc.service WARC_DIR``: the folder is named for ``ps`` only (which
    archive a writer serves); everything else comes in the opening request."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    die_with_parent()
    try:
        serve(sys.stdin.buffer, sys.stdout.buffer)
    except BrokenPipeError:  # the crawler is gone: what was written stays, .open and flushed
        sys.exit(1)


def die_with_parent() -> None:
    """SIGKILL this process when the crawler that started it dies (Linux ``PR_SET_PDEATHSIG``):
    a killed crawler leaves no writer appending to its ``.open`` file behind it. What it wrote
    stays; a record cut by the kill is recovered at the next start, as a killed crawler's was."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the crawler died before the call
        sys.exit(1)


if __name__ == "__main__":
    main()
