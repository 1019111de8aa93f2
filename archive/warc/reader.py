"""Read captures back from WARC files by (file, offset): the way the catalog points at them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.layout import Layout


class RecordNotFound(LookupError):
    """The catalog points at a place where no WARC record starts."""


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
    with open(_warc_path(layout, filename), "rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def read_response(layout: Layout, filename: str, offset: int) -> StoredResponse:
    """Parse the response record starting at ``offset`` without decoding its body."""
    with open(_warc_path(layout, filename), "rb") as handle:
        handle.seek(offset)
        for record in ArchiveIterator(handle):
            if record.rec_type not in ("response", "revisit") or record.http_headers is None:
                break
            return StoredResponse(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                record_id=record.rec_headers.get_header("WARC-Record-ID"),
                date=record.rec_headers.get_header("WARC-Date"),
                status=int(record.http_headers.get_statuscode() or 0),
                headers=list(record.http_headers.headers),
                body=record.raw_stream.read(),
            )
    raise RecordNotFound(f"no response record at {filename}:{offset}")


def _warc_path(layout: Layout, filename: str) -> Path:
    path = layout.resolve(f"warcs/{filename}")
    if path.exists():
        return path
    open_path = path.with_name(path.name + ".open")
    return open_path if open_path.exists() else path
