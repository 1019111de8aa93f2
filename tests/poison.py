"""An extraction function for tests: crashes or hangs its worker on chosen pages.

Set as ``EXTRACT_FUNCTION=tests.poison:extract``; ``POISON_CRASH`` and ``POISON_HANG`` name URL
fragments. Every other page goes to the real extractor, so the rest of the crawl is real.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from typing import Any

from archive.extract.worker import extract_dict


def extract(html: bytes, url: str, encoding: str | None,
            captured_at: datetime | None) -> dict[str, Any]:
    if os.environ.get("POISON_CRASH") and os.environ["POISON_CRASH"] in url:
        os._exit(70)  # the worker dies as a segfaulting C extension would: no exception, no cleanup
    if os.environ.get("POISON_HANG") and os.environ["POISON_HANG"] in url:
        time.sleep(3600)
    return extract_dict(html, url, encoding, captured_at)
