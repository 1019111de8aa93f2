"""Servers that compress with Brotli (or zstd, unasked): the crawl keeps every post, the reader decodes.

Issue 15: pywb (a test tool) pulled in brotlipy, whose ``brotli`` module shadows Google's; Scrapy then
failed on every ``Content-Encoding: br`` body and a blog served that way archived 0 posts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.layout import Layout
from archive.warc.reader import ReadOptions, always, iter_records
from tests.conftest import run_crawl
from tests.fixtures.blogs import BLOGS
from tests.fixtures.server import ENCODERS, FixtureServer
from tests.test_reader_load import append_warc


def test_the_environment_has_googles_brotli() -> None:
    """Scrapy decodes with ``Decompressor().process``; brotlipy's module has no such method."""
    import brotli  # type: ignore[import-untyped]  # no stubs published

    assert hasattr(brotli.Decompressor(), "process"), brotli.__file__


@pytest.fixture(scope="module")
def br_server() -> Iterator[FixtureServer]:
    with FixtureServer(only=["classic"], encoding="br") as running:
        yield running


def test_a_blog_served_in_brotli_is_archived_whole(br_server: FixtureServer, tmp_path: Path) -> None:
    run = run_crawl(br_server, tmp_path / "archive", ["classic"])
    assert run.returncode == 0, run.log[-3000:]
    db = sqlite3.connect(Layout(run.archive).catalog_path)
    urls = {url for (url,) in db.execute("SELECT url FROM posts")}
    blog = BLOGS["classic"]
    assert urls == {blog.post_url(br_server.urls["classic"], post) for post in blog.posts}
    encodings = set()
    for warc in sorted(Layout(run.archive).warc_dir.rglob("*.warc.gz")):
        with warc.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response" and record.http_headers:
                    encodings.add(record.http_headers.get_header("Content-Encoding"))
    assert "br" in encodings  # archive first: the bytes as the server sent them


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_archived_brotli_and_zstd_bodies_read_back_decoded(tmp_path: Path, coding: str) -> None:
    """Re-extraction and the Markdown export read bodies through ``StoredRecord.content``; warcio's
    own br decoder wants brotlipy's API, which the environment no longer has."""
    page = b"<html><body><p>archived page</p></body></html>"
    warc = tmp_path / "t.warc.gz"
    append_warc(warc, [("http://x.example/", [("Content-Type", "text/html"),
                                               ("Content-Encoding", coding)],
                        ENCODERS[coding](page))])
    [stored] = list(iter_records(warc, ReadOptions(keep_body=always)))
    assert stored.content() == page
