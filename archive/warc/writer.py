"""A rotating WARC file writer: naming, ``.open`` while writing, size rotation, one warcinfo each.

Records are gzip members written one after another, so each capture can be read back from its offset.
A capture's request and response always land in the same file: rotation is checked before a group.
The file is flushed after every group, so a killed crawler leaves at most one partial group at the
tail of the ``.open`` file (recovered at the next start).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from archive.warc.capture import Capture, WarcLocation
from archive.warc.members import GzipMembers, level_for
from archive.warc.records import RecordFactory, RefersTo

OPEN_SUFFIX = ".open"
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class RotatingWarcWriter:
    def __init__(self, directory: Path, prefix: str, info: dict[str, str], *,
                 max_size: int = 1_000_000_000, factory: RecordFactory | None = None,
                 clock: Clock = utcnow, host: str | None = None) -> None:
        self.directory = directory
        self.prefix = prefix
        self.info = info
        self.max_size = max_size
        self.factory = factory or RecordFactory()
        self.clock = clock
        self.host = host or socket.gethostname().split(".")[0] or "host"
        self.serial = 0
        self.bytes_written = 0
        self.closed_files: list[str] = []
        self._handle: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self._members: GzipMembers | None = None
        self._name = ""
        self._warcinfo_id = ""

    @property
    def current_name(self) -> str:
        return self._name

    def write_capture(self, capture: Capture) -> WarcLocation:
        """Write response then request (WARC-Concurrent-To linked); return the response's place."""
        self._ensure_room()
        response = self.factory.response(capture, self._warcinfo_id)
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        offset, length = self._write(response)
        self._write(self.factory.request(capture, self._warcinfo_id, response_id))
        self._flush()
        return WarcLocation(
            filename=self._name, offset=offset, length=length, record_id=response_id,
            payload_digest=response.rec_headers.get_header("WARC-Payload-Digest"),
            date=capture.started)

    def write_revisit(self, capture: Capture, refers: RefersTo, not_modified: bool) -> WarcLocation:
        """Write a revisit (plus its request record) in place of an unchanged capture."""
        self._ensure_room()
        revisit = self.factory.revisit(capture, self._warcinfo_id, refers, not_modified)
        revisit_id = revisit.rec_headers.get_header("WARC-Record-ID")
        offset, length = self._write(revisit)
        self._write(self.factory.request(capture, self._warcinfo_id, revisit_id))
        self._flush()
        return WarcLocation(filename=self._name, offset=offset, length=length,
                            record_id=revisit_id, payload_digest=refers.payload_digest,
                            date=capture.started)

    def write_record(self, record: ArcWarcRecord) -> tuple[int, int]:
        """Write one extra record (metadata, revisit) into the current file."""
        self._ensure_room()
        record.rec_headers.replace_header("WARC-Warcinfo-ID", self._warcinfo_id)
        place = self._write(record)
        self._flush()
        return place

    def close(self) -> None:
        """Close the current file and give it its final name (drop the ``.open`` suffix)."""
        if self._handle is None:
            return
        self._handle.close()
        final = self.directory / self._name
        os.replace(final.with_name(self._name + OPEN_SUFFIX), final)
        self.closed_files.append(self._name)
        self._handle = self._writer = self._members = None

    def abandon(self) -> None:
        """Close the current file without its final name (after a write failed, e.g. disk full):
        ``NAME.open`` stays for the start-up recovery to cut at the last complete record."""
        if self._handle is None:
            return
        with contextlib.suppress(OSError):  # the unflushed tail is lost; what reached disk stays
            self._handle.close()
        self._handle = self._writer = self._members = None

    def _ensure_room(self) -> None:
        if self._handle is not None and self._handle.tell() >= self.max_size:
            self.close()
        if self._handle is None:
            self._open()

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        now = self.clock()
        stamp = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"
        self.serial += 1
        self._name = f"{self.prefix}-{stamp}-{self.serial:05d}-{self.host}.warc.gz"
        path = self.directory / (self._name + OPEN_SUFFIX)
        # "xb": never reuse (and so never truncate) an existing file; closed in close().
        self._handle = open(path, "xb")  # noqa: SIM115
        # Held while the file is written: the start-up recovery never cuts a file still written
        # (archive/maintain/recovery.py). Free when the handle closes or its process dies.
        fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # gzip=False: warcio writes into GzipMembers, which compresses each record as one member
        # (archive/warc/members.py: stored, not deflated, when its body is compressed already).
        self._members = GzipMembers(self._handle)
        self._writer = WARCWriter(self._members, gzip=False, warc_version="1.1")
        warcinfo = self.factory.warcinfo(self._name, self.info, now)
        self._warcinfo_id = warcinfo.rec_headers.get_header("WARC-Record-ID")
        self._write(warcinfo)
        self._flush()

    def _write(self, record: ArcWarcRecord) -> tuple[int, int]:
        assert self._handle is not None and self._writer is not None and self._members is not None
        offset = self._handle.tell()
        self._members.begin(level_for(record))
        self._writer.write_record(record)
        length = self._handle.tell() - offset
        self.bytes_written += length
        return offset, length

    def _flush(self) -> None:
        assert self._handle is not None
        self._handle.flush()
