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
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.layout import Layout
from archive.warc.files import warc_files
from archive.warc.reader import ReadOptions, iter_records
from bench.structure import Recall, html_items, markdown_items, recall
from tests.conftest import BIN, ROOT, CrawlRun
from tests.wordpress.site import WordPressSite

SETTINGS = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "-s", "PROGRESS_INTERVAL=5", "-s", "LOG_LEVEL=INFO")
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2033": '"'})


@dataclass
class WordPressCrawl:
    """One crawl of the site, what WordPress held when it ran, and how long it took.

    ``rendered``: each published post's ``content.rendered`` from WordPress's REST API, by link.
    """

    theme: str
    run: CrawlRun
    wordpress: dict[str, Any]
    seconds: float
    rendered: dict[str, str]

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
    rendered = rest_content(site.url)
    # Kept beside the archive, to compare by hand after a failure.
    archive.with_name(f"{archive.name}-wordpress.json").write_text(
        json.dumps({**wordpress, "rendered": rendered}, indent=1))
    return WordPressCrawl(theme, run, wordpress, seconds, rendered)


def rest_content(site_url: str) -> dict[str, str]:
    """``content.rendered`` of every published post, as ``/wp-json/wp/v2/posts`` serves it."""
    found: dict[str, str] = {}
    page, pages = 1, 1
    while page <= pages:
        url = f"{site_url}wp-json/wp/v2/posts?per_page=100&page={page}&_fields=link,content"
        with urllib.request.urlopen(url, timeout=60) as answer:
            pages = int(answer.headers["X-WP-TotalPages"])
            found.update({post["link"]: post["content"]["rendered"] for post in json.load(answer)})
        page += 1
    return found


def captures(archive: Path) -> Counter[str]:
    """How many times each URL was captured (response or revisit records) in the archive's WARCs."""
    found: Counter[str] = Counter()
    for path in warc_files(Layout(archive)):
        for stored in iter_records(path, ReadOptions()):
            if stored.record.rec_type in ("response", "revisit"):
                found[stored.header("WARC-Target-URI")] += 1
    return found


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
    """Text as a reader sees it, ignoring layout only: entities decoded, NFC, the markers the clean
    text puts before list items ("- ", "3. ") and footnotes ("[1]"), between table cells (" | ")
    and after a footnote ("↩") dropped, every run of white space one space."""
    text = unicodedata.normalize("NFC", html.unescape(text)).replace("\xa0", " ")
    text = re.sub(r"(?m)^[ \t]*(- |\d+\. )", "", text)
    text = re.sub(r"\[\d+\]|\u21a9\ufe0e?|(?<= )\|(?= )", " ", text)
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


def structure_recall(crawled: WordPressCrawl) -> tuple[Recall, list[tuple[str, list[str]]]]:
    """Every archived post's Markdown against WordPress's ``content.rendered`` (``bench/structure.py``),
    and the copy's images whose file is not in the WARCs. The figures and what was missed are kept
    beside the archive, to look at after a run."""
    archive = crawled.run.archive
    total, captured, uncaptured = Recall(), captures(archive), []
    for row in rows(archive):
        copy = markdown_items(sidecar(archive, row)["markdown"], row["url"])
        total.add(recall(html_items(crawled.rendered[row["url"]], row["url"]), copy))
        uncaptured += [(row["url"], sorted(i.urls)) for i in copy
                       if i.kind == "image" and not any(captured[url] for url in i.urls)]
    archive.with_name(f"{archive.name}-structure.json").write_text(json.dumps(
        {"recall": total.table(), "missed": {k: [i.key for i in v] for k, v in total.missed.items()}}))
    return total, uncaptured
