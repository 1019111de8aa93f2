"""Replay archived responses as they were served, with their links kept inside the archive.

A replayed response never carries the server's own headers (no cookies, no scripts' origins): only
its status, its type and a strict Content-Security-Policy whose ``sandbox`` directive gives even a
directly opened replay URL an opaque origin, so archived scripts cannot act as the reader.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import IO
from urllib.parse import urljoin

from w3lib.encoding import html_to_unicode
from w3lib.url import safe_url_string

from archive.layout import Layout
from archive.warc.decoding import DecodeError, decoded_file
from archive.warc.reader import open_response
from archive.web.rewrite import not_archived_path, replay_path, rewrite_css, rewrite_html
from archive.web.warcindex import Capture, WarcIndex

# Rewriting parses the whole page in Python: 1.6 s per MB of link-dense HTML (measured on 0.9, 1.8
# and 7 MB pages; a 50 MB page took 17 s and ~1 GB). A larger page or stylesheet is streamed as
# plain text instead (its source, never its live links); real blog pages are well under 1 MB.
MAX_REWRITE = 4 * 1024 * 1024
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
    """A replayed response: a rewritten ``body``, or a ``stream`` of ``length`` bytes to send as
    it is (the caller closes it)."""

    status: int
    content_type: str
    body: bytes
    location: str | None = None
    stream: IO[bytes] | None = None
    length: int = 0


def replay(layout: Layout, index: WarcIndex, capture: Capture) -> Replayed:
    try:
        with open_response(layout, capture.warc_file, capture.offset) as (stored, raw):
            headers = {name.lower(): value for name, value in stored.headers}
            body = decoded_file(raw, headers.get("content-encoding", ""))
    except DecodeError as error:
        raise ReplayError(str(error)) from None
    except (EOFError, OSError, zlib.error) as error:
        raise ReplayError(f"cannot read the archived body: {error}") from None
    mime = (headers.get("content-type") or "application/octet-stream").strip()
    base_mime = mime.split(";")[0].strip().lower()
    size = body.seek(0, 2)
    body.seek(0)

    def mapper(url: str) -> str:
        found = index.lookup(url, capture.timestamp)
        return replay_path(capture.timestamp, url) if found else not_archived_path(url)

    location = headers.get("location")
    if location and 300 <= stored.status < 400:
        # as the crawler followed it (Scrapy's redirect uses safe_url_string): a raw UTF-8
        # Location, stored as sent, becomes the percent-encoded URL that was captured
        location = mapper(urljoin(stored.url, safe_url_string(location)))
    status = stored.status or 200
    rewrite = {"text/html": rewrite_html, "application/xhtml+xml": rewrite_html,
               "text/css": rewrite_css}.get(base_mime)
    if rewrite is None:
        return Replayed(status, mime, b"", location, body, size)
    if size > MAX_REWRITE:  # too large to rewrite: its source, as text that links nowhere
        return Replayed(status, "text/plain" + mime[len(base_mime):], b"", location, body, size)
    with body:
        _, text = html_to_unicode(mime, body.read())
    kind = "text/css" if rewrite is rewrite_css else base_mime
    return Replayed(status, f"{kind}; charset=utf-8",
                    rewrite(text, stored.url, mapper).encode("utf-8"), location)

