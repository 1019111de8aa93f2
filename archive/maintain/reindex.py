"""Rebuild catalog rows from WARC files: the archive's text and catalog are derived data.

Used after a crash (captures that reached the WARC but not the catalog) and by ``reindex`` (a newer
extractor improving an old archive without re-crawling).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from archive.maintain.reextract import StoredPage, is_html_200, post_page, reextract
from archive.store import PostStore
from archive.urls import post_key
from archive.warc.reader import ReadOptions, iter_records

logger = logging.getLogger(__name__)


def post_pages(path: Path, known_records: frozenset[str] | set[str] = frozenset()
                   ) -> Iterator[StoredPage]:
    """Post pages among the 200 HTML responses of one WARC file (bodies decoded from their
    content coding), except those whose record id is in ``known_records``."""
    for stored in iter_records(path, ReadOptions(keep_body=is_html_200)):
        if stored.body is None or stored.header("WARC-Record-ID") in known_records:
            continue
        page = post_page(stored)
        if page is not None:
            yield page


def index_missing(store: PostStore, path: Path, known_records: set[str]) -> int:
    """Extract and catalog every post page in ``path`` whose record the catalog lacks."""
    added = 0
    for page in post_pages(path, known_records):
        result = reextract(page)
        url = post_key(page.url, result.canonical_url)
        if store.save(url, page.url, page.date, result, page.location,
                      validators=(page.etag, page.last_modified)) is not None:
            logger.info("re-extracted %s from %s", url, path.name)
            added += 1
    return added
