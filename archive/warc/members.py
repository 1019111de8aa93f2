"""One gzip member per WARC record, deflated only where deflating can gain something.

warcio's own gzip wrapper deflates every record at level 9. The body of a response that is
already compressed (a page served with ``Content-Encoding: gzip`` or ``br``, a JPEG, a PNG, a
WOFF2 font, a video) gains nothing (a 14 KB JPEG comes out 26 bytes larger) and costs as much
CPU as text: deflate runs at about 65 MB/s over such bytes here, level 1 and level 9 alike. With
page requisites on, that was 8 % of the crawler's event loop (issue 21). Such records are written
as a gzip member of stored blocks (level 0): still one valid gzip member per record, read by
every WARC tool (warcio, cdxj-indexer, pywb), at the cost of a CRC-32; the record's few hundred
bytes of headers are stored uncompressed with it.
"""

from __future__ import annotations

import zlib
from typing import Any, BinaryIO

from warcio.recordloader import ArcWarcRecord

DEFLATE = 9   # warcio's level, kept for every record that can shrink: WARC sizes do not change
STORE = 0
# Media types whose bytes are compressed by their format.
COMPRESSED_TYPES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "image/heic",
    "image/heif", "image/jxl", "font/woff", "font/woff2", "application/font-woff",
    "application/font-woff2", "application/zip", "application/gzip", "application/x-gzip",
    "application/x-bzip2", "application/x-xz", "application/zstd", "application/x-7z-compressed",
    "application/vnd.rar",
})
COMPRESSED_PREFIXES = ("audio/", "video/")


def level_for(record: ArcWarcRecord) -> int:
    """``STORE`` for a response whose body is compressed already, else ``DEFLATE``."""
    if record.rec_type != "response" or not record.http_headers:
        return DEFLATE
    headers = record.http_headers
    encoding = (headers.get_header("Content-Encoding") or "").strip().lower()
    if encoding and encoding != "identity":
        return STORE
    media = (headers.get_header("Content-Type") or "").split(";", 1)[0].strip().lower()
    if media in COMPRESSED_TYPES or media.startswith(COMPRESSED_PREFIXES):
        return STORE
    return DEFLATE


class GzipMembers:
    """The file object handed to warcio's ``WARCWriter(gzip=False)``: each record it writes
    becomes one gzip member, at the level ``begin`` chose before it; warcio's ``flush()`` at the
    end of a record closes the member. The file itself is flushed by the caller, once per capture."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self._compressor: Any = None  # zlib's compressor type is not importable

    def begin(self, level: int) -> None:
        """Start the next record's member."""
        self._compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self._compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self._compressor.flush())
