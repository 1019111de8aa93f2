"""Repeat crawls of a static blog: pages that are not posts cost a 304, or nothing.

A real Pelican blog (``bench/recrawl_static.py``'s adapter: the ``pelican-sitemap`` plugin, Atom
feeds, ten posts a listing page) served by nginx, which answers validators with 304. Its listings,
archives, category, tag and author pages are not posts: the first crawl remembers each one's
capture in the catalog (``resources`` rows of kind ``page``). Then:

- an unchanged repeat, blog not rebuilt: the sitemap dates every listing before its capture, so
  no page the archive holds is asked for (the home page is: discovery starts there);
- an unchanged repeat after a rebuild: ``pelican-sitemap`` dates listings by the build, after the
  capture, so they are asked for with their validators and every one answers 304;
- a new post: it is archived, and the listings it changed are fetched in full and catalogued again;
- ``reindex`` rebuilds the page rows the crawls wrote, row for row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from archive.catalog.resources import PAGE, ResourceRow, resource_rows
from archive.layout import Layout
from bench.nginx import free_port
from bench.recrawl_figures import report_counts, reports_before
from bench.recrawl_runs import run_scrapy
from bench.recrawl_static import BigPelican, blog_posts, build
from crawler.ledger import ResourcePrior
from crawler.meta import PAGE_PRIOR
from crawler.scalequeue import JsonCodec
from tests.conftest import run_cli
from tests.generators.site_node import StaticServer

pytestmark = pytest.mark.e2e
POSTS = 14
DISCOVERY = ("/robots.txt", "/sitemap.xml", "/wp-sitemap.xml", "/sitemap_index.xml", "/feed/")


@dataclass
class Crawl:
    seen: list[tuple[int, int, str]]   # (status, bytes, URI) from nginx's access log
    report: dict[str, Any]

    @property
    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.report["stats"]
        return stats

    def pages(self) -> dict[str, int]:
        """Status of each HTML page asked for (path), discovery documents and feeds left out."""
        out = {}
        for status, _, uri in self.seen:
            path = urlsplit(uri).path
            if path in DISCOVERY or path.startswith("/feeds/") or not (
                    path.endswith((".html", "/"))):
                continue
            out[path] = status
        return out


@dataclass
class Runs:
    archive: Path
    base: str
    first: Crawl
    same: Crawl          # unchanged, not rebuilt
    rebuilt: Crawl       # unchanged, rebuilt (listings dated by the build)
    added: Crawl         # a new post, rebuilt
    rows_before_added: list[ResourceRow]
    new_slug: str


def page_rows(archive: Path) -> list[ResourceRow]:
    db = sqlite3.connect(Layout(archive).catalog_path)
    try:
        return [row for row in resource_rows(db) if row.kind == PAGE]
    finally:
        db.close()


def post_paths(archive: Path) -> set[str]:
    db = sqlite3.connect(Layout(archive).catalog_path)
    try:
        return {urlsplit(url).path for (url,) in db.execute("SELECT url FROM posts")}
    finally:
        db.close()


def crawl(server: StaticServer, base: str, archive: Path) -> Crawl:
    server.log.mark()
    before = reports_before(archive)
    run_scrapy(base, archive, "-s", "AUTOTHROTTLE_ENABLED=0", timeout=600)
    return Crawl(server.log.since_mark(), report_counts(archive, before))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    work = tmp_path_factory.mktemp("pelican-pages")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    posts = blog_posts(POSTS + 1)
    adapter = BigPelican(posts[:POSTS])
    (work / "www").mkdir()
    build(adapter, work, base)
    server = StaticServer(work / "www", port, work / "nginx")
    archive = work / "archive"
    server.start()
    try:
        first = crawl(server, base, archive)
        same = crawl(server, base, archive)
        build(adapter, work, base)
        rebuilt = crawl(server, base, archive)
        rows = page_rows(archive)
        new = posts[POSTS]
        adapter.posts.append(new)  # published after the others: it heads the listings
        build(adapter, work, base)
        added = crawl(server, base, archive)
    finally:
        server.stop()
    yield Runs(archive, base, first, same, rebuilt, added, rows, new.slug)


def test_the_first_crawl_remembers_every_page_that_is_not_a_post(runs: Runs) -> None:
    rows = {urlsplit(row.url).path: row for row in runs.rows_before_added}
    posts = post_paths(runs.archive)
    assert len(posts) == POSTS + 1
    assert not set(rows) & posts  # a post is never a page row
    fetched = {path for path, status in runs.first.pages().items() if status == 200}
    assert set(rows) == fetched - posts  # home, index2, archives, categories, tags, authors
    assert {"/", "/index2.html", "/archives.html"} <= set(rows)
    assert all(row.etag and row.last_modified and row.payload_digest for row in rows.values())
    answers = [uri for status, _, uri in runs.first.seen if urlsplit(uri).path in rows]
    assert runs.first.stats["crawl/pages/not_post"] == len(answers)  # each page once


def test_an_unchanged_repeat_asks_for_no_page_the_archive_holds(runs: Runs) -> None:
    held = {urlsplit(row.url).path for row in runs.rows_before_added}
    asked = runs.same.pages()
    assert set(asked) == {"/"}, asked  # the home page only: discovery reads it
    assert runs.same.stats["pages/unchanged_by_inventory"] == len(held) - 1
    assert runs.same.report["new"] == runs.same.report["changed"] == 0


def test_listings_dated_after_their_capture_are_asked_conditionally(runs: Runs) -> None:
    asked = runs.rebuilt.pages()
    listings = {urlsplit(row.url).path for row in runs.rows_before_added} - {"/"}
    assert set(asked) - {"/"} == listings
    assert {asked[path] for path in listings} == {304}
    assert runs.rebuilt.stats["pages/conditional"] == len(listings)
    assert runs.rebuilt.stats["pages/revisited/not_modified"] == len(listings)
    assert runs.rebuilt.stats.get("pages/unchanged_by_inventory", 0) == 0
    assert runs.rebuilt.report["new"] == runs.rebuilt.report["changed"] == 0


def test_a_new_post_is_found_and_changed_listings_are_fetched_again(runs: Runs) -> None:
    assert runs.added.report["new"] == 1
    assert f"/{runs.new_slug}.html" in post_paths(runs.archive)
    asked = runs.added.pages()
    assert asked[f"/{runs.new_slug}.html"] == 200
    changed = {path for path, status in asked.items() if status == 200} - {f"/{runs.new_slug}.html"}
    assert {"/index2.html", "/archives.html"} <= changed  # the listings the new post moved
    assert any(status == 304 for status in asked.values())  # an untouched tag or author page
    before = {row.url: row for row in runs.rows_before_added}
    after = {row.url: row for row in page_rows(runs.archive)}
    for url in (runs.base + "index2.html", runs.base + "archives.html"):
        assert after[url].record_id != before[url].record_id
        assert after[url].captured_at > before[url].captured_at
    untouched = [url for url in before if urlsplit(url).path not in changed
                 and urlsplit(url).path != "/"]
    assert untouched and all(after[url] == before[url] for url in untouched)


def test_reindex_rebuilds_the_page_rows(runs: Runs) -> None:
    before = page_rows(runs.archive)
    assert before
    result = run_cli("reindex", archive=runs.archive)
    assert result.returncode == 0, result.stderr
    after = page_rows(runs.archive)
    assert after == before



def test_a_page_prior_crosses_the_shared_request_queue() -> None:
    """Scaled out, requests wait in Redis as JSON: a page's conditional request keeps its prior."""
    prior = ResourcePrior("http://127.0.0.1:8080/tag/harbour.html", "2026-01-02T03:04:05+00:00",
                          "<urn:uuid:0b8f>", "sha1:ABCDEF", '"5f-2a"', "Fri, 02 Jan 2026 GMT")
    stored = JsonCodec.dumps({"url": prior.url, "meta": {PAGE_PRIOR: prior}, "headers": {}})
    assert JsonCodec.loads(stored)["meta"][PAGE_PRIOR] == prior
