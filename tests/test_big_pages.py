"""A 50 MB page with ~3.5 M elements, as a post and as the start page (issue 15, defects 6 and 20).

Its bytes are archived whole; the crawler decides "post?" and finds links from a bounded prefix of
it, extraction refuses it with a reason (``EXTRACT_MAX_HTML_BYTES``), the other posts are archived,
and the crawl's whole process tree (crawler, WARC writer, forkserver, extraction workers) stays
under 400 MB.
Before: ``XPathEvalError: unknown error`` or a 2 GB parse tree in the crawler, and a lost post.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.layout import Layout
from tests.conftest import BIN, FAST, ROOT
from tests.fixtures.bigpages import HUGE_POST, POSTS, BigPages, PeakRss

pytestmark = pytest.mark.e2e
RSS_LIMIT_MB = 400


@dataclass
class Run:
    archive: Path
    returncode: int
    log: str
    peak_mb: float

    @property
    def stats(self) -> dict[str, Any]:
        report = sorted((self.archive / "runs").glob("*.json"))[-1]
        stats: dict[str, Any] = json.loads(report.read_text())["stats"]
        return stats

    def catalog(self) -> dict[str, str | None]:
        """URL -> extraction reason of every cataloged post."""
        db = sqlite3.connect(Layout(self.archive).catalog_path)
        rows = db.execute("SELECT p.url, v.reason FROM posts p JOIN versions v ON v.post_id = p.id")
        found = {url: reason for url, reason in rows}
        db.close()
        return found

    def warc(self) -> dict[str, tuple[int, str | None]]:
        """URL -> (body length, WARC-Truncated) of every response record."""
        found = {}
        for path in sorted(Layout(self.archive).warc_dir.glob("*.warc.gz")):
            with open(path, "rb") as handle:
                for record in ArchiveIterator(handle):
                    if record.rec_type == "response":
                        found[record.rec_headers.get_header("WARC-Target-URI")] = (
                            len(record.content_stream().read()),
                            record.rec_headers.get_header("WARC-Truncated"))
        return found


@pytest.fixture(scope="module")
def big() -> Iterator[BigPages]:
    served = BigPages()
    yield served
    served.close()


def crawl(url: str, archive: Path) -> Run:
    """``scrapy crawl blog`` as a user runs it, its process tree's peak RSS sampled meanwhile."""
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={url}",
               "-s", f"ARCHIVE_DIR={archive}", *FAST, "-s", "EXTRACT_WORKERS=2"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    sampler = PeakRss(process.pid)
    try:
        log, _ = process.communicate(timeout=120)
    finally:
        peak = sampler.stop()
        process.kill()
    return Run(archive, process.returncode, log, peak)


@pytest.fixture(scope="module")
def huge_post(big: BigPages, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return crawl(big.urls["post"], tmp_path_factory.mktemp("huge-post"))


@pytest.fixture(scope="module")
def huge_home(big: BigPages, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return crawl(big.urls["home"], tmp_path_factory.mktemp("huge-home"))


def test_huge_post_archived_cataloged_with_a_reason(huge_post: Run, big: BigPages) -> None:
    base = big.urls["post"]
    assert huge_post.returncode == 0, huge_post.log[-3000:]
    assert "Traceback" not in huge_post.log and "XPathEvalError" not in huge_post.log
    size, truncated = huge_post.warc()[f"{base}{HUGE_POST}/"]
    assert size > 50_000_000 and truncated is None  # the whole page, as sent
    catalog = huge_post.catalog()
    assert set(catalog) == {f"{base}{slug}/" for slug in (*POSTS, HUGE_POST)}
    reason = catalog[f"{base}{HUGE_POST}/"] or ""
    assert "EXTRACT_MAX_HTML_BYTES" in reason, reason
    assert all(catalog[f"{base}{slug}/"] is None for slug in POSTS)
    assert huge_post.stats["extract/too_large"] == 1
    assert f"{base}{HUGE_POST}/: extraction incomplete (page too large" in huge_post.log


def test_huge_start_page_does_not_stop_discovery(huge_home: Run, big: BigPages) -> None:
    base = big.urls["home"]
    assert huge_home.returncode == 0, huge_home.log[-3000:]
    assert "Traceback" not in huge_home.log and "XPathEvalError" not in huge_home.log
    assert huge_home.warc()[base][0] > 50_000_000
    assert set(huge_home.catalog()) == {f"{base}{slug}/" for slug in POSTS}
    assert huge_home.stats["crawl/parsed_prefix"] >= 1
    assert f"{base}: page of 5" in huge_home.log  # the one line saying only a prefix was read


@pytest.mark.parametrize("case", ["huge_post", "huge_home"])
def test_peak_memory_of_the_crawl_stays_bounded(case: str, request: pytest.FixtureRequest) -> None:
    run: Run = request.getfixturevalue(case)
    assert run.peak_mb < RSS_LIMIT_MB, f"{case}: peak RSS {run.peak_mb:.0f} MB"


def test_extractor_refuses_a_page_over_the_limit_with_a_reason() -> None:
    """Offline re-extraction (``reindex``) is bounded the same way, without parsing the page."""
    from archive.extract.core import extract_post

    result = extract_post(b"<p>" + b"x" * 2000 + b"</p>", "http://example.org/p/", max_bytes=1000)
    assert result.failure and result.counter == "extract/too_large"
    assert "2007 bytes > EXTRACT_MAX_HTML_BYTES=1000" in (result.reason or "")


def test_lxml_error_becomes_the_page_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """libxml2's ``XPathEvalError: unknown error`` ends this page with a reason, not a crash."""
    from lxml import etree

    from archive.extract import core

    def fail(text: str) -> None:
        raise etree.XPathEvalError("unknown error")

    monkeypatch.setattr(core, "parse", fail)
    result = core.extract_post(b"<p>words</p>", "http://example.org/p/")
    assert result.counter == "extract/unparsable"
    assert "XPathEvalError: unknown error" in (result.reason or "")
