"""The images a post shows, found in the WARCs: where each one's bytes are, and the bytes.

Exports copy images out of the archive (Markdown's ``assets/``, the EPUB's ``images/``) and say
where each was captured (JSONL). One pass over the WARC files finds, for every wanted URL, its
latest capture as an image (HTTP 200, ``image/*``, not truncated); only then are the bodies read,
one at a time, by seeking to their records, so an export of thousands of posts never holds every
image in memory.

A capture may be a revisit: the crawler stores a requisite whose bytes it already holds (under this
URL or any other, even from an earlier crawl) as a record that points at the first one
(``WARC-Refers-To``, else the same ``WARC-Payload-Digest``). Such an image is read from that
response, as the replay does (``archive/web/warcindex.py``). Image URLs are compared by
``url_key``, so ``q"uote.png`` in a post finds the capture of ``q%22uote.png``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from archive.layout import Layout
from archive.maintain.completeness import read_stored
from archive.urls import url_key
from archive.warc.files import warc_files
from archive.warc.reader import ReadOptions, StoredRecord, iter_records

# The raster formats every EPUB reader must show (EPUB 3 core media types), by their first bytes;
# SVG is left out on purpose: an archived SVG may carry scripts, and epubcheck validates it.
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
          (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))


@dataclass(frozen=True)
class ArchivedImage:
    """Where the bytes of an image URL's latest capture are (a revisit's original response)."""

    url: str            # the URL the capture was made under (WARC-Target-URI)
    captured_at: str    # WARC-Date of that capture (a revisit's own date)
    content_type: str   # as the server sent it with the bytes
    warc_file: str      # the response record holding the bytes
    warc_offset: int
    revisit: bool       # the capture was a revisit; the bytes come from ``warc_file``

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "captured_at": self.captured_at,
                "content_type": self.content_type, "warc_file": self.warc_file,
                "warc_offset": self.warc_offset, "revisit": self.revisit}


def media_type(body: bytes) -> str | None:
    """The EPUB core image type the bytes are (by magic number, whatever the server said)."""
    return next((kind for magic, kind in _MAGIC if body.startswith(magic)), None)


def find_images(layout: Layout, urls: Iterable[str]) -> dict[str, ArchivedImage]:
    """The latest image capture of each URL the WARCs hold, keyed by ``url_key``."""
    scan = _Scan({url_key(u) for u in urls})
    if scan.wanted:
        for path in warc_files(layout, include_open=False):
            for stored in iter_records(path, ReadOptions()):
                scan.add(stored)
    return scan.resolved()


def read_image(layout: Layout, image: ArchivedImage) -> bytes | None:
    """The decoded bytes of ``image``; None when its record cannot be read or decoded."""
    stored = read_stored(layout, (image.warc_file, image.warc_offset))
    if stored is None or stored.body is None:
        return None
    try:
        return stored.content()
    except Exception:  # a damaged body (bad gzip, brotli) costs this image only
        return None


@dataclass(frozen=True)
class _Capture:
    """What the scan keeps of one capture of a wanted URL: its headers, never its body."""

    url: str
    date: str
    place: tuple[str, int, str] | None  # a full response: (file, offset, content type)
    refers_to: str = ""                 # a revisit: the record it stands for, or its digest
    digest: str = ""


@dataclass
class _Scan:
    """One pass: the wanted URLs' latest image captures, and where every full image is."""

    wanted: set[str]
    latest: dict[str, _Capture] = field(default_factory=dict)  # url key -> its latest capture
    full: dict[str, _Capture] = field(default_factory=dict)    # url key -> latest full response
    bodies: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # id/digest -> place

    def add(self, stored: StoredRecord) -> None:
        record = stored.record
        kind, http = record.rec_type, record.http_headers
        if kind not in ("response", "revisit") or (http is not None and (
                http.get_statuscode() != "200"
                or not (http.get_header("Content-Type") or "").lower().startswith("image/"))):
            return
        place = None
        if kind == "response":
            if http is None or stored.header("WARC-Truncated"):
                return  # a cut body is not the image
            place = (stored.file.name, stored.offset, http.get_header("Content-Type") or "")
            self.bodies[stored.header("WARC-Record-ID")] = place
            if stored.header("WARC-Payload-Digest"):
                self.bodies.setdefault(stored.header("WARC-Payload-Digest"), place)
        key = url_key(stored.header("WARC-Target-URI"))
        if key not in self.wanted:
            return
        capture = _Capture(stored.header("WARC-Target-URI"), stored.header("WARC-Date"), place,
                           stored.header("WARC-Refers-To"), stored.header("WARC-Payload-Digest"))
        for best in (self.latest, self.full) if place else (self.latest,):
            if key not in best or capture.date >= best[key].date:
                best[key] = capture

    def resolved(self) -> dict[str, ArchivedImage]:
        """Each wanted URL's latest capture with bytes: a revisit's original, or failing that
        the URL's own latest full response."""
        found = {}
        for key, capture in self.latest.items():
            place, revisit = capture.place, capture.place is None
            if revisit:
                place = self.bodies.get(capture.refers_to) or (
                    self.bodies.get(capture.digest) if capture.digest else None)
            if place is None and key in self.full:
                capture, place, revisit = self.full[key], self.full[key].place, False
            if place is not None:
                found[key] = ArchivedImage(capture.url, capture.date, place[2], place[0],
                                           place[1], revisit)
        return found
