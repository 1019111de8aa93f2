"""A captured response, decoded and run through today's extractor again.

Why one helper: recovery (captures that reached the WARC but not the catalog) and ``reindex`` (a
newer extractor over an old archive) both turn a stored 200 HTML response into a post; doing it in
one place keeps them from disagreeing on the charset, the date or the record's place. The extractor
(trafilatura, dateparser) is imported only when a page is extracted: the crawler runs recovery at
start-up and must not pay for it otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from warcio.recordloader import ArcWarcRecord

from archive.warc.capture import WarcLocation
from archive.warc.reader import StoredRecord
from archive.when import iso_date

if TYPE_CHECKING:
    from archive.extract.model import Extraction


@dataclass(frozen=True)
class StoredPage:
    url: str
    date: datetime
    html: bytes           # content-decoded body
    charset: str | None
    location: WarcLocation
    etag: str | None
    last_modified: str | None


def is_html_200(record: ArcWarcRecord) -> bool:
    """A 200 HTML response: the only records that can hold a post."""
    if record.rec_type != "response" or record.http_headers is None:
        return False
    content_type = record.http_headers.get_header("Content-Type") or ""
    return record.http_headers.get_statuscode() == "200" and "html" in content_type.lower()


def post_page(stored: StoredRecord) -> StoredPage | None:
    """The decoded page of a 200 HTML response read with its body kept; None unless it is a
    post page."""
    from archive.extract import is_post_page

    record = stored.record
    html = stored.content()
    url = record.rec_headers.get_header("WARC-Target-URI")
    if not is_post_page(html, url):
        return None
    return StoredPage(
        url=url, date=warc_date(record), html=html, charset=charset_of(record),
        location=WarcLocation(
            filename=stored.file.name.removesuffix(".open"), offset=stored.offset,
            length=stored.length, record_id=record.rec_headers.get_header("WARC-Record-ID"),
            payload_digest=record.rec_headers.get_header("WARC-Payload-Digest")),
        etag=record.http_headers.get_header("ETag"),
        last_modified=record.http_headers.get_header("Last-Modified"))


def reextract(page: StoredPage) -> Extraction:
    """Today's extraction of a stored post page (the extractor's errors are the caller's)."""
    from archive.extract import extract_post

    return extract_post(page.html, page.url, encoding=page.charset, captured_at=page.date)


def warc_date(record: ArcWarcRecord) -> datetime:
    return iso_date(record.rec_headers.get_header("WARC-Date"))


def charset_of(record: ArcWarcRecord) -> str | None:
    content_type = record.http_headers.get_header("Content-Type") or ""
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None
