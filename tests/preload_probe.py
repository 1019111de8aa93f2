"""An extraction function for tests that says which process imported it.

Set as ``EXTRACT_FUNCTION=tests.preload_probe:extract``: its "title" is the id of the process that
imported this module and its "author" the worker's own, so a test sees whether the workers were
forked from a server that had the extractor loaded already. ``niceness`` titles a page with the
worker's CPU niceness (``EXTRACT_WORKER_NICE``).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

IMPORTED_BY = os.getpid()


def extract(html: bytes, url: str, encoding: str | None,
            captured_at: datetime | None) -> dict[str, Any]:
    return {"url": url, "title": str(IMPORTED_BY), "author": str(os.getpid()), "text": "x"}


def niceness(html: bytes, url: str, encoding: str | None,
             captured_at: datetime | None) -> dict[str, Any]:
    return {"url": url, "title": f"nice {os.nice(0)}", "text": "x"}
