"""Crawling the real WordPress and reading the result back, for tests/test_wordpress.py."""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
import subprocess
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.layout import Layout
from tests.conftest import BIN, ROOT, CrawlRun
from tests.wordpress.site import WordPressSite

SETTINGS = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "-s", "PROGRESS_INTERVAL=5", "-s", "LOG_LEVEL=INFO")
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2033": '"'})


@dataclass
class WordPressCrawl:
    """One crawl of the site, what WordPress held when it ran, and how long it took."""

    theme: str
    run: CrawlRun
    wordpress: dict[str, Any]
    seconds: float

    @property
    def posts(self) -> dict[str, dict[str, Any]]:
        return {post["url"]: post for post in self.wordpress["posts"]}


def crawl(site: WordPressSite, archive: Path, theme: str, *args: str) -> WordPressCrawl:
    """Run the real `scrapy crawl blog` against the site; the requests come from nginx's log."""
    before = site.web.log_size()
    started = time.monotonic()
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={site.url}",
               "-s", f"ARCHIVE_DIR={archive}", *SETTINGS, *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    seconds = round(time.monotonic() - started, 1)
    requests = [r for r in site.web.requests_since(before) if r.get("agent", "").startswith("blogarchive")]
    run = CrawlRun(archive, result.returncode, result.stdout + result.stderr, list(requests))
    wordpress = site.export()
    # Kept beside the archive, to compare by hand after a failure.
    archive.with_name(f"{archive.name}-wordpress.json").write_text(json.dumps(wordpress, indent=1))
    return WordPressCrawl(theme, run, wordpress, seconds)


def rows(archive: Path) -> list[sqlite3.Row]:
    """Every version in the catalog, with its post's URL and deletion mark."""
    db = sqlite3.connect(Layout(archive).catalog_path)
    db.row_factory = sqlite3.Row
    try:
        return list(db.execute("SELECT p.url, p.deleted_at, v.* FROM posts p "
                               "JOIN versions v ON v.post_id = p.id ORDER BY p.url, v.version"))
    finally:
        db.close()


def sidecar(archive: Path, row: sqlite3.Row) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Layout(archive).resolve(row["meta_path"]).read_text())
    return data


def normal(text: str) -> str:
    """Text as a reader sees it, ignoring layout only: entities decoded, NFC, the "- " marker the
    clean text puts before list items dropped, every run of white space one space."""
    text = unicodedata.normalize("NFC", html.unescape(text)).replace("\xa0", " ")
    text = re.sub(r"(?m)^[ \t]*- ", "", text)
    return re.sub(r"\s+", " ", text).strip()


def folded(name: str | None) -> str | None:
    """A comment author as typed: themes differ on curling its quotes (TT1 no, TT23 yes)."""
    return html.unescape(name).translate(QUOTES).strip() if name is not None else None


def first_difference(expected: str, got: str, context: int = 80) -> str:
    """Where two normalised texts part: a short window of each, for a readable failure."""
    at = next((i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
              min(len(expected), len(got)))
    start = max(0, at - context)
    return f"at {at}: expected ...{expected[start:at + context]!r}... got ...{got[start:at + context]!r}..."


def paths(crawled: WordPressCrawl) -> list[str]:
    return [r["uri"] for r in crawled.run.requests if r.get("method") == "GET"]
