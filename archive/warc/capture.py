"""One HTTP exchange as it happened on the wire: the unit a WARC capture is written from.

The crawler fills it from Scrapy's request and response *before* decompression, so ``body`` holds the
bytes as the server sent them (still content-encoded). Keeping it free of Scrapy types lets the WARC
writer be tested, and reused offline, without a crawler.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Capture:
    url: str
    started: datetime
    method: str
    request_headers: Headers
    status: int
    response_headers: Headers
    body: bytes
    protocol: str = "HTTP/1.1"
    request_body: bytes = b""
    ip_address: str | None = None
    truncated: str | None = None  # WARC-Truncated reason ("length", "time") when the body was cut
    resource_type: str | None = None  # a page requisite's kind (image, stylesheet...): None for pages

    def header(self, name: str) -> str | None:
        """First value of a response header, case-insensitively (for decisions, never for writing)."""
        wanted = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == wanted), None)

    @cached_property
    def payload_digest(self) -> str:
        """The body's WARC-Payload-Digest, computed once: the revisit test compares it with the
        archive's, and the response record carries it (warcio would hash the body again)."""
        return payload_digest(self.body)


def payload_digest(body: bytes) -> str:
    """WARC-Payload-Digest of a body as sent: ``sha1:`` + base32, as warcio writes it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass(frozen=True)
class WarcLocation:
    """Where a capture's response record lives: enough to read it back with one seek."""

    filename: str
    offset: int
    length: int
    record_id: str
    payload_digest: str | None = None
    date: datetime | None = field(default=None, compare=False)
