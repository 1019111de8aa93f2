"""The function extraction workers run: plain values in, a JSON-ready dict out (cheap to pickle).

A custom ``EXTRACT_FUNCTION`` has this signature and returns such a dict too; the crawler reads
it back with ``Extraction.from_dict``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from archive.extract.core import extract_post


def extract_dict(html: bytes, url: str, encoding: str | None,
                 captured_at: datetime | None) -> dict[str, Any]:
    return extract_post(html, url, encoding=encoding, captured_at=captured_at).to_dict()
