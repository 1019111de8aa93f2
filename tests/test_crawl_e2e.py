"""End to end: the real `scrapy crawl blog` against the fixture blogs, everything read back."""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import sys
import urllib.request
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive.layout import Layout
from archive.urls import is_trap
from archive.warc.reader import raw_member, read_response
from tests.conftest import GOOD_BLOGS, CrawlRun
from tests.fixtures.blogs import BLOGS
from tests.fixtures.server import FixtureServer

SEED = Path(__file__).parent / "fixtures" / "seed" / "naive-extraction-with-wordpress-chrome.txt"
WIDGET_LINES = ("Leave a Reply", "Fill in your details below or click an icon to log in",
                "You are commenting using your WordPress.com account", "Connecting to %s",
                "This site uses Akismet to reduce spam", "WordPress.com Logo")


def catalog_rows(run: CrawlRun) -> list[sqlite3.Row]:
    db = sqlite3.connect(Layout(run.archive).catalog_path)
    db.row_factory = sqlite3.Row
    return list(db.execute(
        "SELECT p.url, p.site, v.* FROM posts p JOIN versions v ON v.post_id = p.id"))


def expected_posts(server: FixtureServer) -> dict[str, tuple[str, object]]:
    out = {}
    for name in GOOD_BLOGS:
        blog = BLOGS[name]
        for post in blog.posts:
            out[blog.post_url(server.urls[name], post)] = (name, post)
    return out


def test_every_post_archived_exactly_once_with_title_and_date(crawled: CrawlRun,
                                                             server: FixtureServer) -> None:
    rows = catalog_rows(crawled)
    expected = expected_posts(server)
    assert Counter(r["url"] for r in rows) == Counter(list(expected))
    for row in rows:
        _, post = expected[row["url"]]
        assert row["title"] == post.title  # type: ignore[attr-defined]
        assert datetime.fromisoformat(row["published"]) == post.published  # type: ignore[attr-defined]
        assert row["version"] == 1


def test_categories_tags_and_authors(crawled: CrawlRun, server: FixtureServer) -> None:
    expected = expected_posts(server)
    for row in catalog_rows(crawled):
        blog, post = expected[row["url"]]
        if blog in ("classic", "block", "wpcom"):
            assert json.loads(row["categories"]) == list(post.categories), row["url"]  # type: ignore[attr-defined]
            assert row["author"] == post.author, row["url"]  # type: ignore[attr-defined]


def test_each_post_fetched_once_and_no_trap_requested(crawled: CrawlRun,
                                                      server: FixtureServer) -> None:
    paths = Counter((r["blog"], r["path"]) for r in crawled.requests if r["method"] == "GET")
    for url, (blog, _) in expected_posts(server).items():
        assert paths[(blog, urlsplit(url).path)] == 1, url
    for _blog, path in paths:
        assert not is_trap(path), path
        assert "replytocom" not in path and "wp-login.php" not in path, path
        assert "utm_" not in path, path


def test_discovery_steps_are_counted(crawled: CrawlRun) -> None:
    stats = crawled.stats
    assert stats["discovery/robots/sitemaps"] >= 1
    assert stats["discovery/sitemap/urls"] > 0
    assert stats["discovery/feed/entries"] > 0
    assert stats["discovery/rest/posts"] > 0
    assert stats["discovery/links/followed"] > 0
    assert stats["discovery/links/fallback_sites"] == 1  # only the links-only blog
    assert stats["posts/archived"] == len(catalog_rows(crawled))


def test_seed_post_text_is_exactly_the_body(crawled: CrawlRun, server: FixtureServer) -> None:
    seed = SEED.read_text(encoding="utf-8")
    body = seed[seed.index("Monday\u2019s negotiations"):seed.index("Leave a Reply")].strip()
    url = server.urls["wpcom"].rstrip("/") + BLOGS["wpcom"].extra_paths["seed_post"]
    row = next(r for r in catalog_rows(crawled) if r["url"] == url)
    sidecar = json.loads(Layout(crawled.archive).resolve(row["meta_path"]).read_text())
    assert sidecar["text"] == body
    assert sidecar["published"].startswith("2022-01-12")
    text_file = Layout(crawled.archive).resolve(row["text_path"]).read_text()
    assert text_file.startswith("With No Progress In Talks Russia Will Have To React\n")
    assert "Published: 2022-01-12" in text_file
    for line in WIDGET_LINES:
        assert line not in text_file


def test_every_warc_passes_warcio_check(crawled: CrawlRun) -> None:
    files = sorted(Layout(crawled.archive).warc_dir.glob("*.warc.gz"))
    assert files and not list(Layout(crawled.archive).warc_dir.glob("*.open"))
    warcio = Path(sys.executable).with_name("warcio")
    result = subprocess.run([str(warcio), "check", "-v", *map(str, files)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert "digest pass" in result.stdout


def test_catalog_offsets_read_back_the_served_bytes(crawled: CrawlRun,
                                                    server: FixtureServer) -> None:
    layout = Layout(crawled.archive)
    for row in catalog_rows(crawled):
        stored = read_response(layout, row["warc_file"], row["warc_offset"])
        assert stored.record_id == row["record_id"]
        assert stored.url == row["fetched_url"]
        member = raw_member(layout, row["warc_file"], row["warc_offset"], row["warc_length"])
        assert row["record_id"].encode() in gzip.decompress(member)
    gzip_row = next(r for r in catalog_rows(crawled) if r["url"].startswith(server.urls["classic"]))
    request = urllib.request.Request(gzip_row["fetched_url"], headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as answer:
        served = answer.read()
    stored = read_response(layout, gzip_row["warc_file"], gzip_row["warc_offset"])
    assert served[:2] == b"\x1f\x8b" and stored.body == served


def test_list_json_has_the_promised_fields(crawled: CrawlRun) -> None:
    from tests.conftest import run_cli
    result = run_cli("list", "--json", archive=crawled.archive)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(catalog_rows(crawled))
    for field in ("url", "title", "author", "published", "categories", "tags", "word_count",
                  "text_path", "warc_file", "warc_offset"):
        assert all(field in line for line in lines), field


@pytest.mark.parametrize("blog", GOOD_BLOGS)
def test_no_comment_form_text_in_any_post(crawled: CrawlRun, server: FixtureServer,
                                          blog: str) -> None:
    layout = Layout(crawled.archive)
    for row in catalog_rows(crawled):
        if row["url"].startswith(server.urls[blog]):
            text = json.loads(layout.resolve(row["meta_path"]).read_text())["text"]
            for line in (*WIDGET_LINES, "Your email address will not be published",
                         "Post Comment", "Share this:", "Like this:"):
                assert line not in text, (row["url"], line)


def test_nothing_listens_on_a_port(crawled: CrawlRun) -> None:
    """Unattended crawls open no telnet console and no Scrapy remote control server."""
    assert "scrapy.extensions.remote_control.RemoteControl" not in crawled.log
    assert "listening on port" not in crawled.log
    assert "Telnet console listening" not in crawled.log
