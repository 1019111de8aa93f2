"""Undo a body's Content-Encoding (replay, re-extraction) in bounded steps, refusing compression bombs.

Every coding is decoded as a stream of chunks of at most ``CHUNK`` bytes (zlib and zstd with
``max_length``, Brotli with ``output_buffer_limit``), so memory per request stays bounded whatever
the body expands to, and the total is checked against ``MAX_DECODED`` as it grows: a 1 GB Brotli
bomb took the reader past 2.2 GB when it was decoded in one call. The decoded body goes to a
spooled temporary file (memory up to ``SPOOL_MEMORY``, disk beyond), from which it is rewritten or
streamed to the client.

zstd is never offered by the crawler, but servers send it unasked: it is decoded with the standard
library's ``compression.zstd`` (Python 3.14) or its backport ``backports.zstd`` (installed with
Scrapy); without either, replay says so instead of serving undecodable bytes.
"""

from __future__ import annotations

import importlib
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any

import brotli  # type: ignore[import-untyped]  # no stubs published

CHUNK = 64 * 1024
MAX_DECODED = 64 * 1024 * 1024  # refuse to inflate a body past this (a compression bomb)
SPOOL_MEMORY = 1024 * 1024  # a decoded body larger than this waits on disk, not in memory


class DecodeError(ValueError):
    """The body cannot be decoded (bad data, unknown coding, a bomb); the message says why."""


def decoded_file(raw: Iterable[bytes], content_encoding: str,
                 limit: int = MAX_DECODED) -> IO[bytes]:
    """The decoded body in a spooled temporary file, positioned at its start."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115  # returned open
    total = 0
    try:
        for chunk in decode_chunks(raw, content_encoding):
            total += len(chunk)
            if total > limit:
                raise DecodeError(f"the body decodes past the size limit ({limit >> 20} MB): "
                                  "refused as a possible compression bomb")
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def decode_chunks(raw: Iterable[bytes], content_encoding: str) -> Iterator[bytes]:
    """Chunks of the body with every coding undone, in reverse order of application."""
    chunks: Iterable[bytes] = raw
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip"):
            chunks = _zlib(chunks, zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            chunks = _deflate(chunks)
        elif coding == "br":
            chunks = _brotli(chunks)
        elif coding == "zstd":
            chunks = _zstd(chunks)
        elif coding != "identity":
            raise DecodeError(f"unknown Content-Encoding {coding!r}")
    return iter(chunks)


def _zlib(chunks: Iterable[bytes], wbits: int) -> Iterator[bytes]:
    inflater = zlib.decompressobj(wbits)
    try:
        for data in chunks:
            while data:
                yield inflater.decompress(data, CHUNK)
                data = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error as error:
        raise DecodeError(f"cannot decode compressed body: {error}") from None


def _deflate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``deflate`` is meant to be zlib-wrapped, but many servers send raw deflate: look first."""
    stream = iter(chunks)
    first = next(stream, b"")
    wrapped = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
    yield from _zlib(_prepend(first, stream), zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)


def _brotli(chunks: Iterable[bytes]) -> Iterator[bytes]:
    decompressor = brotli.Decompressor()
    if not hasattr(decompressor, "process"):
        raise DecodeError("cannot decode brotli: the installed `brotli` module is not Google's "
                          "(brotlipy shadows it); `make install` puts it back")
    try:
        for data in chunks:
            yield decompressor.process(data, output_buffer_limit=CHUNK)
            while not decompressor.can_accept_more_data():
                yield decompressor.process(b"", output_buffer_limit=CHUNK)
    except brotli.error as error:
        raise DecodeError(f"cannot decode brotli body: {error}") from None
    if not decompressor.is_finished():
        raise DecodeError("cannot decode brotli body: it ends early")


def _zstd(chunks: Iterable[bytes]) -> Iterator[bytes]:
    decompressor = _zstd_module().ZstdDecompressor()
    try:
        for data in chunks:
            yield decompressor.decompress(data, CHUNK)
            while not decompressor.eof and not decompressor.needs_input:
                yield decompressor.decompress(b"", CHUNK)
    except Exception as error:  # ZstdError, or EOFError past the end of the frame
        raise DecodeError(f"cannot decode zstd body: {error}") from None
    if not decompressor.eof:
        raise DecodeError("cannot decode zstd body: it ends early")


def _zstd_module() -> Any:
    for name in ("compression.zstd", "backports.zstd"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise DecodeError("cannot decode zstd: no zstd decoder is installed "
                      "(Python 3.14's compression.zstd or the backports.zstd package)")


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
