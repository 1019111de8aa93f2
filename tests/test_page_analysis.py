"""Issue 21: pages are read in the extraction workers (``archive.extract.analysis``), and what a
worker answers is what the crawler used to compute itself: the same verdict, the same requisites,
the same extraction. Checked on real pages from public parser test suites (``tests/corpora``),
then through a real worker pool, including the ways a worker fails."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.extract.analysis import PageAnalysis, analyse_page
from archive.extract.containers import main_container
from archive.extract.dom import parse
from archive.extract.encoding import decode_html
from archive.extract.model import Extraction
from archive.extract.page_type import PARSE_MAX_BYTES, PageKind, classify_page, prefix
from archive.extract.pool import DEFAULT_FUNCTION, ExtractionPool
from archive.extract.requisites import ATTACHMENT_TYPES, Requisite, attachments, page_requisites
from archive.extract.worker import extract_dict
from bench import realpages
from bench.realpages import RealPage

WHEN = datetime(2026, 1, 2, tzinfo=UTC)
POST = b"""<html><head><title>A post</title><meta property="og:type" content="article">
<meta property="article:published_time" content="2024-02-01T10:00:00Z">
<link rel="stylesheet" href="/style.css"></head><body><article><h1>A post</h1>
<p>First paragraph of the post, long enough to be kept as the text of the post.</p>
<img src="/img/a.jpg"><p><a href="/files/paper.pdf">the paper</a></p></article></body></html>"""


@pytest.fixture(scope="module")
def pages() -> list[RealPage]:
    directory = realpages.corpus_dir()
    assert (directory / "manifest.json").exists(), "run `python -m tests.corpora.install`"
    return realpages.load(directory)


def here(page: RealPage) -> tuple[PageKind, list[Requisite]]:
    """What the crawler computed on its event loop before (crawler/spiders/pages.py)."""
    kind = classify_page(page.html, page.url, page.charset, listed=True)
    root = parse(decode_html(prefix(page.html, PARSE_MAX_BYTES), page.charset).text)
    found = page_requisites(root, page.url)
    if kind.is_post:
        body = main_container(root)
        found += attachments(root if body is None else body, page.url, ATTACHMENT_TYPES)
    return kind, found


def test_a_worker_answers_what_the_event_loop_computed(pages: list[RealPage]) -> None:
    posts = 0
    for page in pages:
        got = PageAnalysis.from_dict(analyse_page(DEFAULT_FUNCTION, page.html, page.url,
                                                  page.charset, WHEN, True, True,
                                                  ATTACHMENT_TYPES),
                                     page.url)
        kind, found = here(page)
        assert got.kind == kind, page.id
        assert got.kind is not None and got.requisites == tuple(found), page.id
        if got.kind.is_post:
            posts += 1
            assert got.extraction == Extraction.from_dict(
                extract_dict(page.html, page.url, page.charset, WHEN)), page.id
        else:
            assert got.extraction is None, page.id
    assert 0 < posts < len(pages)  # both kinds: news pages without post markup are not posts


def test_a_posts_attachments_come_with_its_requisites() -> None:
    got = PageAnalysis.from_dict(analyse_page(DEFAULT_FUNCTION, POST, "http://b.test/p/", "utf-8",
                                              WHEN, True, True, frozenset({"pdf"})), "http://b.test/p/")
    assert got.kind is not None and got.kind.is_post
    assert got.requisites == (Requisite("http://b.test/style.css", "stylesheet"),
                              Requisite("http://b.test/img/a.jpg", "image"),
                              Requisite("http://b.test/files/paper.pdf", "attachment"))
    assert got.extraction is not None and "First paragraph" in got.extraction.text


def test_no_requisites_unless_asked() -> None:
    got = analyse_page(DEFAULT_FUNCTION, POST, "http://b.test/p/", "utf-8", WHEN, True, False,
                       frozenset({"pdf"}))
    assert "requisites" not in got and PageAnalysis.from_dict(got, "u").requisites is None


@pytest.mark.parametrize(("function", "reason"), [
    ("broken", "extractor error: RuntimeError('boom')"),
    ("unreadable", "extractor returned no readable result: AttributeError("),
])
def test_a_failed_extraction_keeps_the_verdict_and_the_requisites(function: str,
                                                                   reason: str) -> None:
    got = PageAnalysis.from_dict(analyse_page(f"tests.test_page_analysis:{function}", POST,
                                              "http://b.test/p/", "utf-8", WHEN, True, True,
                                              frozenset()), "http://b.test/p/")
    assert got.kind is not None and got.kind.is_post and got.requisites
    assert got.extraction is not None and got.extraction.failure
    assert (got.extraction.reason or "").startswith(reason)


def broken(html: bytes, url: str, encoding: str | None,
           captured_at: datetime | None) -> dict[str, object]:
    raise RuntimeError("boom")


def unreadable(html: bytes, url: str, encoding: str | None,
               captured_at: datetime | None) -> object:
    return None  # not the dict an EXTRACT_FUNCTION returns


def crash(html: bytes, url: str, encoding: str | None,
          captured_at: datetime | None) -> dict[str, object]:
    if "/crash/" in url:
        os._exit(70)  # as a segfaulting C extension would: no exception, no cleanup
    return extract_dict(html, url, encoding, captured_at)


def pool_answers() -> None:
    """Run in a process of its own (the forkserver is per process): prints what a real pool
    answered for a post, a page over the size limit and a page that crashes its worker."""
    async def run() -> list[PageAnalysis]:
        pool = ExtractionPool(1, 30, max_pending=2, function="tests.test_page_analysis:crash",
                              max_html_bytes=len(POST) + 10)
        try:
            return [await pool.analyse(html, url, "utf-8", WHEN, listed=True, requisites=True,
                                       attachment_types=frozenset({"pdf"}))
                    for html, url in ((POST, "http://b.test/p/"),
                                      (POST + b" " * 20, "http://b.test/p/"),
                                      (POST, "http://b.test/crash/"))]
        finally:
            pool.close()
    print(json.dumps([{"post": None if got.kind is None else got.kind.is_post,
                       "requisites": len(got.requisites or ()),
                       "reason": got.extraction.reason if got.extraction else "no extraction",
                       "text": bool(got.extraction and got.extraction.text)}
                      for got in asyncio.run(run())]))


def test_through_the_pool_and_when_it_cannot() -> None:
    """A page over the size limit and a crashed worker give no verdict (the crawler reads such
    a page itself) and say why the post has no text."""
    out = subprocess.run([sys.executable, "-c", "from tests.test_page_analysis import "
                          "pool_answers; pool_answers()"], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent.parent)
    ok, large, crashed = json.loads(out.stdout)
    assert ok == {"post": True, "requisites": 3, "reason": None, "text": True}
    assert large["post"] is None and large["reason"].startswith("page too large to extract")
    assert crashed == {"post": None, "requisites": 0, "text": False,
                       "reason": "extraction worker crashed (exit code 70)"}
