"""Build WARC records from a Capture, separate from writing them (as warcio splits builder/writer).

Scrapy cannot give back the original header case, the reason phrase, ``Transfer-Encoding`` or chunk
framing, so each record holds a rebuilt, self-consistent HTTP message: the real status code with its
standard phrase, every header line in order (repeated headers kept), no ``Transfer-Encoding``, and a
``Content-Length`` that always equals the stored body. The warcinfo record says so.

Header values are stored as the bytes received. A ``Capture`` holds each received header byte as one
character (Latin-1, the lossless 1:1 mapping ``http.client`` and WSGI use), and ``WireHeaders``
writes each character back as that byte. warcio on its own percent-encodes any non-ASCII header
(``StatusAndHeaders.to_ascii_bytes``), which stored a raw UTF-8 ``Location`` or title double-encoded
and broke redirect replay; its digests were computed after the rewrite, so ``warcio check`` passed.
"""

from __future__ import annotations

import http
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from archive.warc.capture import Capture, Headers

SENSITIVE_REQUEST_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
HOP_BY_HOP = frozenset({"transfer-encoding"})
RECONSTRUCTION_NOTE = (
    "HTTP messages rebuilt from Scrapy: header names as Scrapy normalises them, standard reason "
    "phrases, Transfer-Encoding removed and Content-Length set to the stored body; bodies are stored "
    "as sent (content-encoding kept)"
)


# Browsertrix's extension field, also read by warc2zim: marks a page requisite's records (response,
# revisit and request), so ``reindex`` finds exactly the captures the crawl catalogued as resources.
RESOURCE_TYPE = "WARC-Resource-Type"
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


@dataclass(frozen=True)
class RefersTo:
    """The earlier capture a revisit record stands in for."""

    target_uri: str
    date: str           # WARC-Date of the original record
    record_id: str
    payload_digest: str


class WireHeaders(StatusAndHeaders):  # type: ignore[misc]  # warcio has no types
    """An HTTP status line and header block written as the bytes received, never percent-encoded.

    warcio's writer and digest code call ``compute_headers_buffer`` for the block they store and
    hash, so both see these bytes.
    """

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        text = self.to_str(header_filter)
        self.headers_buff = b"\r\n".join(wire_bytes(line) for line in text.split("\r\n")) + b"\r\n"


def wire_bytes(line: str) -> bytes:
    """One header line as bytes: each character is one received byte (Latin-1); a line with
    characters past U+00FF came from text, not from the wire, and is written as UTF-8."""
    try:
        return line.encode("latin-1")
    except UnicodeEncodeError:
        return line.encode("utf-8")


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def warc_date(moment: datetime) -> str:
    """WARC 1.1 date with microseconds, always UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RecordFactory:
    """Makes the records of one capture; ids come from an injectable source for golden tests."""

    def __init__(self, make_id: Callable[[], str] = new_record_id,
                 store_credentials: bool = False) -> None:
        self.builder = RecordBuilder(warc_version="1.1")
        self.make_id = make_id
        self.store_credentials = store_credentials

    def warcinfo(self, filename: str, info: dict[str, str], when: datetime) -> ArcWarcRecord:
        payload = "".join(f"{k}: {v}\r\n" for k, v in info.items() if v).encode("utf-8")
        headers = {"WARC-Record-ID": self.make_id(), "WARC-Date": warc_date(when),
                   "WARC-Filename": filename}
        return self.builder.create_warc_record(
            "", "warcinfo", payload=BytesIO(payload), length=len(payload),
            warc_content_type="application/warc-fields", warc_headers_dict=headers)

    def response(self, capture: Capture, warcinfo_id: str) -> ArcWarcRecord:
        status = WireHeaders(_status_line(capture.status), _response_headers(capture),
                                  protocol=capture.protocol or "HTTP/1.1")
        headers = self._common(capture, warcinfo_id)
        headers["WARC-Payload-Digest"] = capture.payload_digest  # warcio then hashes the block only
        if capture.truncated:
            headers["WARC-Truncated"] = capture.truncated
        return self.builder.create_warc_record(
            capture.url, "response", payload=payload_stream(capture.body), length=len(capture.body),
            http_headers=status, warc_headers_dict=headers)

    def revisit(self, capture: Capture, warcinfo_id: str, refers: RefersTo,
                not_modified: bool) -> ArcWarcRecord:
        """A revisit as replay tools expect it (see WARC.md): a 304 gets an empty block, an
        identical payload keeps its HTTP headers only and says the payload was left out."""
        headers = self._common(capture, warcinfo_id)
        headers["WARC-Refers-To"] = refers.record_id
        http_headers = None
        if not not_modified:
            headers["WARC-Truncated"] = "length"
            http_headers = WireHeaders(_status_line(capture.status),
                                            _response_headers(capture),
                                            protocol=capture.protocol or "HTTP/1.1")
        record = self.builder.create_revisit_record(
            capture.url, refers.payload_digest, refers.target_uri, refers.date,
            http_headers=http_headers, warc_headers_dict=headers)
        profile = NOT_MODIFIED_PROFILE if not_modified else IDENTICAL_PROFILE
        record.rec_headers.replace_header("WARC-Profile", profile)
        return record

    def request(self, capture: Capture, warcinfo_id: str, response_id: str) -> ArcWarcRecord:
        parts = urlsplit(capture.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        lines = [("Host", parts.netloc), *self._request_headers(capture.request_headers)]
        status = WireHeaders(f"{capture.method} {target} HTTP/1.1", lines, is_http_request=True)
        headers = self._common(capture, warcinfo_id)
        headers["WARC-Concurrent-To"] = response_id
        return self.builder.create_warc_record(
            capture.url, "request", payload=BytesIO(capture.request_body),
            length=len(capture.request_body), http_headers=status, warc_headers_dict=headers)

    def _common(self, capture: Capture, warcinfo_id: str) -> dict[str, str]:
        headers = {"WARC-Record-ID": self.make_id(), "WARC-Date": warc_date(capture.started),
                   "WARC-Warcinfo-ID": warcinfo_id}
        if capture.ip_address:
            headers["WARC-IP-Address"] = capture.ip_address
        if capture.resource_type:
            headers[RESOURCE_TYPE] = capture.resource_type
        return headers

    def _request_headers(self, headers: Headers) -> Headers:
        if self.store_credentials:
            return [(k, v) for k, v in headers if k.lower() != "host"]
        return [(k, v) for k, v in headers
                if k.lower() not in SENSITIVE_REQUEST_HEADERS and k.lower() != "host"]


def payload_stream(body: bytes | Any) -> Any:
    """A body's bytes as a stream: a bytes body in memory, or a large one the WARC writer process
    kept in a file (``archive/warc/service.py`` ``SpooledBody``: its ``stream()``)."""
    return BytesIO(body) if isinstance(body, bytes) else body.stream()


def _status_line(code: int) -> str:
    try:
        phrase = http.HTTPStatus(code).phrase
    except ValueError:
        phrase = "Unknown"
    return f"{code} {phrase}"


def _response_headers(capture: Capture) -> Headers:
    """Every header as received, minus hop-by-hop framing, with a truthful Content-Length."""
    true_length = str(len(capture.body))
    kept: Headers = []
    for name, value in capture.response_headers:
        lower = name.lower()
        if lower in HOP_BY_HOP:
            continue
        kept.append((name, true_length) if lower == "content-length" else (name, value))
    if capture.body and not any(k.lower() == "content-length" for k, _ in kept):
        kept.append(("Content-Length", true_length))
    return kept
