"""Read WARC records back: the one record reader, with one failure policy.

Why one reader: verify, reindex, recovery, the replay index and the exports all walk WARC files,
and each used to stop (or not) at damage in its own way. Here a damaged record (bad gzip, bad
headers, a truncated member) is reported once, as a ``Damage`` naming its file and offset, and
reading goes on at the next gzip member after it; only when none follows does the file end there.
Archive files are kept for years, so one flipped byte must cost one record, never the rest of a
file.

warcio parses the records; on its own it writes a mid-member inflate error to stderr and carries on
as if the member had ended, and a truncated member just ends early. Both are turned into damage
here, so every reader sees the same thing.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader, DecompressingBufferedReader
from warcio.recordloader import ArcWarcRecord
from warcio.utils import BUFF_SIZE

from archive.layout import Layout
from archive.warc.decoding import decoded_file
from archive.warc.files import warc_path

logger = logging.getLogger(__name__)
GZIP_MEMBER = b"\x1f\x8b\x08"  # magic and "deflate": where a WARC record's gzip member starts
CHUNK = 1 << 20


class RecordNotFound(LookupError):
    """The catalog points at a place where no WARC record starts."""


@dataclass(frozen=True)
class Damage:
    """A record that could not be read: where it starts and why."""

    file: Path
    offset: int
    reason: str


@dataclass(frozen=True)
class StoredRecord:
    """One record as read back, with its place in the file (as the catalog stores it)."""

    file: Path
    offset: int
    length: int
    record: ArcWarcRecord
    body: bytes | None  # after the HTTP headers, as stored (still encoded); None unless kept

    def header(self, name: str) -> str:
        return str(self.record.rec_headers.get_header(name) or "")

    def content(self) -> bytes:
        """The kept body with its transfer and content coding undone (warcio's content_stream)."""
        if self.body is None:
            raise ValueError(f"the body of {self.file.name}:{self.offset} was not kept")
        http = self.record.http_headers
        coding = (http.get_header("Content-Encoding") or "") if http else ""
        if {c.strip().lower() for c in coding.split(",")} & {"br", "zstd"}:
            # warcio's br decoder wants brotlipy's API (Google's Brotli is the one installed) and
            # it has no zstd: those two are decoded here, with the replay's size cap.
            raw = self.body
            if "chunked" in (http.get_header("Transfer-Encoding") or "").lower():
                raw = ChunkedDataReader(io.BytesIO(raw), decomp_type=None).read()
            with decoded_file([raw], coding) as decoded:
                return decoded.read()
        self.record.raw_stream = io.BytesIO(self.body)
        return bytes(self.record.content_stream().read())


def never(_record: ArcWarcRecord) -> bool:
    return False


def always(_record: ArcWarcRecord) -> bool:
    return True


@dataclass(frozen=True)
class ReadOptions:
    keep_body: Callable[[ArcWarcRecord], bool] = never  # bodies are read into memory only if asked
    check_digests: bool = False   # fill ``record.digest_checker`` (block and payload SHA-1)
    on_damage: Callable[[Damage], object] | None = None
    start: int = 0                # where the first record starts
    resync: bool = True           # after damage, go on at the next gzip member


def iter_records(path: Path, options: ReadOptions = ReadOptions()
                 ) -> Generator[StoredRecord, None, None]:
    """Every readable record of ``path`` in file order; damage is reported once per damaged
    stretch (a logger warning plus ``options.on_damage``) and skipped."""
    with open(path, "rb") as handle:
        offset: int | None = options.start
        while offset is not None:
            damage = yield from _records_from(handle, path, offset, options)
            if damage is None:
                return
            offset = _next_member(handle, damage.offset + 1) if options.resync else None
            if damage.same_stretch:
                continue  # still inside the stretch already reported
            logger.warning("damaged WARC record at %s:%d (%s); %s", path.name, damage.offset,
                           damage.reason, "no record after it" if offset is None
                           else f"reading goes on at offset {offset}")
            if options.on_damage:
                options.on_damage(Damage(path, damage.offset, damage.reason))


@dataclass(frozen=True)
class _Stop:
    offset: int
    reason: str
    same_stretch: bool  # no good record since the last damage: already reported


def _records_from(handle: BinaryIO, path: Path, offset: int,
                  options: ReadOptions) -> Generator[StoredRecord, None, _Stop | None]:
    """Records from ``offset`` on until the end of the file (None) or the first damage."""
    handle.seek(offset)
    records = ArchiveIterator(handle, check_digests=options.check_digests)
    resynced = offset != options.start  # nothing good read since the last damage yet
    records.reader = _StrictReader(records.fh, block_size=BUFF_SIZE)
    records.reader.may_be_plain = not resynced
    start = offset
    while True:
        try:
            record = next(records, None)
            if record is None:  # warcio takes a member cut short before its headers for the end
                if handle.tell() > start:
                    raise EOFError(f"truncated: {handle.tell() - start} bytes hold no record")
                return None
            body = record.raw_stream.read() if options.keep_body(record) else None
            stored = StoredRecord(path, records.get_record_offset(), records.get_record_length(),
                                  record, body)
            _check_complete(records, record)
        except Exception as error:  # warcio raises many types on malformed bytes: all are damage
            return _Stop(start, " ".join(f"{type(error).__name__}: {error}".split()), resynced)
        resynced = False
        yield stored
        start = records.offset


class _StrictReader(DecompressingBufferedReader):  # type: ignore[misc]  # warcio has no types
    """warcio's reader, except that an inflate error is raised, not taken for the member's end
    (warcio writes it to stderr and returns nothing) nor, after the first member, for a plain
    uncompressed record (warcio then parses the bytes as they are, even as an ARC record)."""

    may_be_plain = True  # where the caller starts, not at a resync guess: may be uncompressed

    def _decompress(self, data: bytes) -> bytes:
        if self.decompressor and data and (
                self.num_block_read or self.num_read or not self.may_be_plain):
            return bytes(self.decompressor.decompress(data))
        return bytes(super()._decompress(data))


def _check_complete(records: ArchiveIterator, record: ArcWarcRecord) -> None:
    """A member or record that ends before its end is truncated: damage, not a short record."""
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        raise EOFError(f"truncated: {missing} bytes of the record block are missing")
    decompressor = records.reader.decompressor
    if decompressor is not None and not decompressor.eof:
        raise EOFError("truncated: the gzip member ends early")


def _next_member(handle: BinaryIO, after: int) -> int | None:
    """Offset of the next gzip member header at or after ``after``, if any."""
    handle.seek(after)
    position, carry = after, b""
    while chunk := handle.read(CHUNK):
        data = carry + chunk
        found = data.find(GZIP_MEMBER)
        if found >= 0:
            return position - len(carry) + found
        carry = data[-(len(GZIP_MEMBER) - 1):]
        position += len(chunk)
    return None


@dataclass(frozen=True)
class StoredResponse:
    url: str
    record_id: str
    date: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # as sent by the server: still content-encoded


def raw_member(layout: Layout, filename: str, offset: int, length: int) -> bytes:
    """The exact gzip member the crawler wrote for one record."""
    with open(warc_path(layout, filename), "rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def read_response(layout: Layout, filename: str, offset: int) -> StoredResponse:
    """Parse the response record starting at ``offset`` without decoding its body."""
    options = ReadOptions(keep_body=always, start=offset, resync=False)
    with closing(iter_records(warc_path(layout, filename), options)) as records:
        stored = next(records, None)
    if stored is not None and stored.offset == offset:
        record = stored.record
        if record.rec_type in ("response", "revisit") and record.http_headers is not None:
            return StoredResponse(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                record_id=record.rec_headers.get_header("WARC-Record-ID"),
                date=record.rec_headers.get_header("WARC-Date"),
                status=int(record.http_headers.get_statuscode() or 0),
                headers=list(record.http_headers.headers), body=stored.body or b"")
    raise RecordNotFound(f"no response record at {filename}:{offset}")


@contextmanager
def open_response(layout: Layout, filename: str, offset: int
                  ) -> Iterator[tuple[StoredResponse, Iterator[bytes]]]:
    """``read_response`` for bodies too large to hold: the body (still encoded) as chunks read
    from the file while the ``with`` block lasts; a truncated record raises ``EOFError``."""
    with open(warc_path(layout, filename), "rb") as handle:
        handle.seek(offset)
        records = ArchiveIterator(handle)
        records.reader = _StrictReader(records.fh, block_size=BUFF_SIZE)
        try:
            record = next(records, None)
        except Exception as error:  # warcio raises many types on malformed bytes
            raise RecordNotFound(f"no readable record at {filename}:{offset}: {error}") from None
        if record is None or record.rec_type not in ("response", "revisit") or (
                record.http_headers is None):
            raise RecordNotFound(f"no response record at {filename}:{offset}")
        headers = record.rec_headers

        def chunks() -> Iterator[bytes]:
            while chunk := record.raw_stream.read(CHUNK):
                yield chunk
            if getattr(record.raw_stream, "limit", 0):
                raise EOFError(f"truncated record at {filename}:{offset}")

        yield StoredResponse(
            url=headers.get_header("WARC-Target-URI"), record_id=headers.get_header("WARC-Record-ID"),
            date=headers.get_header("WARC-Date"),
            status=int(record.http_headers.get_statuscode() or 0),
            headers=list(record.http_headers.headers), body=b""), chunks()
