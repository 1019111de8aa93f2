"""Replay archived responses as they were served, with their links kept inside the archive.

A replayed response never carries the server's own headers (no cookies, no scripts' origins): only
its status, its type and a strict Content-Security-Policy whose ``sandbox`` directive gives even a
directly opened replay URL an opaque origin, so archived scripts cannot act as the reader.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from urllib.parse import urljoin

import brotli  # type: ignore[import-untyped]  # no stubs published
from w3lib.encoding import html_to_unicode
from w3lib.url import safe_url_string

from archive.layout import Layout
from archive.warc.reader import read_response
from archive.web.rewrite import not_archived_path, replay_path, rewrite_css, rewrite_html
from archive.web.warcindex import Capture, WarcIndex

MAX_DECODED = 64 * 1024 * 1024  # refuse to inflate a body past this (a compression bomb)
REPLAY_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
              "font-src 'self' data:; media-src 'self'; frame-src 'self'; form-action 'none'; "
              "base-uri 'none'; frame-ancestors 'self'; sandbox")
REPLAY_HEADERS = {
    "Content-Security-Policy": REPLAY_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class ReplayError(Exception):
    """The capture cannot be replayed; the message says why."""


@dataclass(frozen=True)
class Replayed:
    status: int
    content_type: str
    body: bytes
    location: str | None = None


def replay(layout: Layout, index: WarcIndex, capture: Capture) -> Replayed:
    stored = read_response(layout, capture.warc_file, capture.offset)
    headers = {name.lower(): value for name, value in stored.headers}
    body = decode_body(stored.body, headers.get("content-encoding", ""))
    mime = (headers.get("content-type") or "application/octet-stream").strip()
    base_mime = mime.split(";")[0].strip().lower()

    def mapper(url: str) -> str:
        found = index.lookup(url, capture.timestamp)
        return replay_path(capture.timestamp, url) if found else not_archived_path(url)

    location = headers.get("location")
    if location and 300 <= stored.status < 400:
        # as the crawler followed it (Scrapy's redirect uses safe_url_string): a raw UTF-8
        # Location, stored as sent, becomes the percent-encoded URL that was captured
        location = mapper(urljoin(stored.url, safe_url_string(location)))
    if base_mime in ("text/html", "application/xhtml+xml"):
        _, text = html_to_unicode(mime, body)
        body = rewrite_html(text, stored.url, mapper).encode("utf-8")
        mime = f"{base_mime}; charset=utf-8"
    elif base_mime == "text/css":
        _, text = html_to_unicode(mime, body)
        body = rewrite_css(text, stored.url, mapper).encode("utf-8")
        mime = "text/css; charset=utf-8"
    return Replayed(stored.status or 200, mime, body, location)


def decode_body(body: bytes, content_encoding: str) -> bytes:
    """Undo Content-Encoding (gzip, deflate, br, in reverse order of application)."""
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip"):
            body = _inflate(body, zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            try:
                body = _inflate(body, zlib.MAX_WBITS)
            except ReplayError:
                body = _inflate(body, -zlib.MAX_WBITS)
        elif coding == "br":
            try:
                body = brotli.decompress(body)
            except brotli.error as error:
                raise ReplayError(f"cannot decode brotli body: {error}") from None
        elif coding != "identity":
            raise ReplayError(f"unknown Content-Encoding {coding!r}")
    return body


def _inflate(body: bytes, wbits: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(body, MAX_DECODED)
    except zlib.error as error:
        raise ReplayError(f"cannot decode compressed body: {error}") from None
    if inflater.unconsumed_tail:
        raise ReplayError("body inflates past the size limit")
    return out

