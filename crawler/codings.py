"""A content-coded body decoded to its end once: whether it was cut, and what it decodes to.

The download handler must decode a gzip, deflate or br body to its end to know whether the server
cut it (``crawler/bodies.py``); Scrapy's decompression middleware then decoded it a second time,
on the event loop (issue 21: 0.13 ms for a 5 KB gzip page, each time; a larger body was checked
in a thread and still decoded on the loop). So the check keeps what it decoded
(``Decoded.body``) and ``BoundedCompressionMiddleware`` (``crawler/limits.py``) takes it.

The decoded body is kept only when it is the whole answer: one stream (one gzip member) that
ends where the body ends, within the limit. A cut, a bomb past the limit, several members or
junk after the stream leave ``body`` None, and Scrapy's own decoding (and its bomb guard) runs
as before.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import brotli  # type: ignore[import-untyped]  # no stubs published
from scrapy.http import Response

CHECK_CHUNK = 1024 * 1024       # decoded bytes per step of the completeness check
GZIP = 16 + zlib.MAX_WBITS


@dataclass(frozen=True)
class Decoded:
    """``complete``: the stream reaches its end (True when it cannot be told: an unknown coding,
    undecodable data, past the limit). ``body``: the decoded bytes, when they are the answer."""

    complete: bool
    body: bytes | None = None


UNKNOWN = Decoded(True)
# A response's body decoded by the download handler, for the decompression middleware. Keyed by
# the response object, never in ``request.meta``: a redirect or a retry copies the meta into a
# request that may be queued (on disk, in Redis). A response replaced on the way is decoded again.
DECODED: WeakKeyDictionary[Response, bytes] = WeakKeyDictionary()


def decode_to_end(coding: str, body: bytes, limit: int) -> Decoded:
    """Decode a body in this content-coding, at most ``limit`` bytes (0: no limit).

    Past ``limit`` the body is a bomb to the decompression middleware, whatever its end.
    Undecodable data is not a cut either: the decompression middleware reports it.
    (``archive/warc/decoding.py`` decodes for replay.)
    """
    coding = coding.strip().lower()
    try:
        if coding in ("gzip", "x-gzip"):
            return _zlib(body, GZIP, limit)
        if coding == "deflate":  # zlib-wrapped as the RFC says, or raw as some servers send
            wrapped = len(body) >= 2 and body[0] & 0x0F == 8 and (body[0] << 8 | body[1]) % 31 == 0
            return _zlib(body, zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS, limit)
        if coding == "br":
            return _brotli(body, limit)
    except (zlib.error, brotli.error):
        return UNKNOWN
    return UNKNOWN


def _zlib(body: bytes, wbits: int, limit: int) -> Decoded:
    rest, total, parts, members = body, 0, [], 0
    while rest:  # gzip: one member after the other
        stream, data, members = zlib.decompressobj(wbits), rest, members + 1
        while not stream.eof:
            out = stream.decompress(data, CHECK_CHUNK)
            total += len(out)
            if limit and total > limit:
                return UNKNOWN
            parts.append(out)
            data = stream.unconsumed_tail
            if not data and len(out) < CHECK_CHUNK and not stream.eof:
                return Decoded(False)  # all input used, no output held back, no end of stream
        rest = stream.unused_data
        if wbits != GZIP or rest[:2] != b"\x1f\x8b":
            break  # what follows the last member is not a member: not a cut
    whole = members == 1 and not rest
    return Decoded(True, b"".join(parts) if whole else None)


def _brotli(body: bytes, limit: int) -> Decoded:
    stream, total, data, parts = brotli.Decompressor(), 0, body, []
    while True:
        out = stream.process(data, output_buffer_limit=CHECK_CHUNK)
        total += len(out)
        parts.append(out)
        data = b""
        if limit and total > limit:
            return UNKNOWN
        if stream.is_finished():
            return Decoded(True, b"".join(parts))
        if stream.can_accept_more_data():
            return Decoded(False)  # it wants more input, and there is none
