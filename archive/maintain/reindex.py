"""Rebuild catalog rows from WARC files: the archive's text and catalog are derived data.

Used after a crash (captures that reached the WARC but not the catalog) and by ``reindex`` (a newer
extractor improving an old archive without re-crawling).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from archive.store import PostStore
from archive.urls import post_key
from archive.warc.capture import WarcLocation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredPage:
    url: str
    date: datetime
    html: bytes           # content-decoded body
    charset: str | None
    location: WarcLocation
    etag: str | None
    last_modified: str | None


def html_responses(path: Path) -> Iterator[StoredPage]:
    """200 HTML response records of one WARC file, bodies decoded from their content coding."""
    with open(path, "rb") as handle:
        records = ArchiveIterator(handle)
        for record in records:
            if not _is_html_200(record):
                continue
            html = record.content_stream().read()
            yield StoredPage(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                date=datetime.fromisoformat(
                    record.rec_headers.get_header("WARC-Date").replace("Z", "+00:00")),
                html=html, charset=charset_of(record),
                location=WarcLocation(
                    filename=path.name, offset=records.get_record_offset(),
                    length=records.get_record_length(),
                    record_id=record.rec_headers.get_header("WARC-Record-ID"),
                    payload_digest=record.rec_headers.get_header("WARC-Payload-Digest")),
                etag=record.http_headers.get_header("ETag"),
                last_modified=record.http_headers.get_header("Last-Modified"))


def index_missing(store: PostStore, path: Path, known_records: set[str]) -> int:
    """Extract and catalog every post page in ``path`` whose record the catalog lacks."""
    from archive.extract import extract_post, is_post_page  # the extractor loads only when needed

    added = 0
    for page in html_responses(path):
        if page.location.record_id in known_records or not is_post_page(page.html, page.url):
            continue
        result = extract_post(page.html, page.url, encoding=page.charset, captured_at=page.date)
        url = post_key(page.url, result.canonical_url)
        if store.save(url, page.url, page.date, result, page.location,
                      validators=(page.etag, page.last_modified)) is not None:
            logger.info("re-extracted %s from %s", url, path.name)
            added += 1
    return added


def _is_html_200(record: ArcWarcRecord) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    content_type = record.http_headers.get_header("Content-Type") or ""
    return record.http_headers.get_statuscode() == "200" and "html" in content_type.lower()


def charset_of(record: ArcWarcRecord) -> str | None:
    content_type = record.http_headers.get_header("Content-Type") or ""
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None
