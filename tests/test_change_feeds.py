"""The web reader's Atom feeds of what changed, read back as a feed reader reads them.

The archive is the one ``tests/test_changes.py`` builds (two real crawls with posts added, edited,
retitled with a hostile title, commented and deleted in between); `blogarchive serve` runs as a
user starts it, and ``feedparser`` parses what it answers over HTTP.
"""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import feedparser
import pytest

from tests.fixtures.server import FixtureServer
from tests.test_changes import HOSTILE, Changed, crawl_change_crawl
from tests.test_web import Reader, serving

pytestmark = pytest.mark.e2e
ATOM = "application/atom+xml"
ALTERNATE = re.compile(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" '
                       r'href="([^"]+)">')


@pytest.fixture(scope="module")
def changed(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Changed]:
    try:
        yield crawl_change_crawl(server, tmp_path_factory.mktemp("feeds") / "archive")
    finally:
        server.restore()


@pytest.fixture(scope="module")
def reader(changed: Changed) -> Iterator[Reader]:
    with serving(changed.first.archive) as running:
        yield running


def parsed(reader: Reader, path: str) -> tuple[Any, str]:
    page = reader.get(path)
    assert page.status == 200, page.text[:500]
    assert page.headers["content-type"].split(";")[0] == ATOM
    feed = feedparser.parse(page.text.encode())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed, page.text


def expected_titles(changed: Changed, site: str | None = None) -> set[str]:
    """Every entry title the second run should give, from what the mutation changed."""
    titles = set()
    for kind, url in changed.expected_second():
        if site and urlsplit(url).netloc != site:
            continue
        post = changed.after.get(url) or changed.before[url]
        if kind == "comments":
            count = len(changed.comments[url])
            titles.add(f"{count} new comment{'' if count == 1 else 's'} on {post['title']}")
        else:
            titles.add({"new": "New post", "edit": "Edited", "deleted": "Deleted"}[kind]
                       + f": {post['title']}")
    return titles


def test_archive_feed_validates_and_describes_itself(reader: Reader, changed: Changed) -> None:
    feed, _ = parsed(reader, "/changes.atom")
    assert feed.feed.id.startswith("urn:uuid:")
    assert feed.feed.title == "Changes in the blog archive"
    assert feed.feed.updated_parsed is not None
    selves = [link.href for link in feed.feed.links if link.rel == "self"]
    assert selves == [reader.url + "changes.atom"]
    newest = max(e.updated_parsed for e in feed.entries)
    assert feed.feed.updated_parsed == newest


def test_archive_feed_holds_every_change(reader: Reader, changed: Changed) -> None:
    feed, _ = parsed(reader, "/changes.atom")
    titles = [entry.title for entry in feed.entries]
    assert expected_titles(changed) <= set(titles)
    first_run = {f"New post: {post['title']}" for post in changed.before.values()}
    assert set(titles) == expected_titles(changed) | first_run
    assert len(titles) == len(changed.expected_second()) + len(changed.before)


def test_entry_ids_are_stable_and_unique(reader: Reader) -> None:
    once, _ = parsed(reader, "/changes.atom")
    twice, _ = parsed(reader, "/changes.atom")
    ids = [entry.id for entry in once.entries]
    assert ids == [entry.id for entry in twice.entries]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("urn:uuid:") for i in ids)


def test_entries_link_to_pages_of_the_reader(reader: Reader, changed: Changed) -> None:
    feed, _ = parsed(reader, "/changes.atom")
    for entry in feed.entries:
        assert entry.link.startswith(reader.url), entry.link
        page = reader.get(entry.link[len(reader.url) - 1:])
        assert page.status == 200, entry.link
        if entry.title.startswith("Edited: "):
            assert 'id="diff"' in page.text and "What changed from v1 to v2" in page.text
        if " new comment" in entry.title:
            author = entry.author.split(", ")[0]
            assert 'id="comments"' in page.text and author in page.text


def test_entries_say_what_changed(reader: Reader, changed: Changed) -> None:
    feed, _ = parsed(reader, "/changes.atom")
    by_title = {entry.title: entry for entry in feed.entries}
    edit = by_title["Edited: " + changed.after[changed.url("classic", 12)]["title"]]
    assert re.search(r"\+\d+ / -\d+ words \(version 1 → 2\)", edit.summary)
    assert edit.author == "Tom Berger"
    url = changed.url("classic", 14)
    comments = by_title[f"2 new comments on {changed.after[url]['title']}"]
    for number in changed.comments[url]:
        assert f"<strong>Late Reader {number}</strong>" in comments.summary
    gone = [e for e in feed.entries if e.title.startswith("Deleted: ")]
    assert len(gone) == 1 and "Seen gone on " in gone[0].summary


def test_hostile_title_round_trips_escaped(reader: Reader, changed: Changed) -> None:
    feed, raw = parsed(reader, "/changes.atom")
    assert f"Edited: {HOSTILE}" in [entry.title for entry in feed.entries]
    assert "<script>" not in raw
    assert "&lt;script&gt;" in raw
    (entry,) = [e for e in feed.entries if e.title == f"Edited: {HOSTILE}"]
    before = changed.before[changed.url("classic", 11)]["title"]
    assert f"Title was: {before}" in entry.summary


@pytest.mark.parametrize("spelling", ["plain", "encoded"])
def test_blog_feed_holds_only_that_blog(reader: Reader, changed: Changed, spelling: str) -> None:
    site = changed.site["classic"]
    path = f"/site/{site if spelling == 'plain' else quote(site, safe='')}/changes.atom"
    feed, _ = parsed(reader, path)
    titles = {entry.title for entry in feed.entries}
    classic_first = {f"New post: {p['title']}" for p in changed.before.values()
                     if p["blog"] == "classic"}
    assert titles == expected_titles(changed, site) | classic_first
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [
        f"{reader.url}site/{quote(site, safe='')}/changes.atom"]   # one spelling, as pages link it
    heading = re.search(r"<h1>(.*?)</h1>", reader.get(f"/site/{site}/").text)
    assert heading and feed.feed.title == f"Changes to {html.unescape(heading.group(1))}"


def test_blog_feed_ids_differ_from_the_archive_feed_id(reader: Reader, changed: Changed) -> None:
    whole, _ = parsed(reader, "/changes.atom")
    ids = {parsed(reader, f"/site/{site}/changes.atom")[0].feed.id for site in changed.site.values()}
    assert len(ids) == 2 and whole.feed.id not in ids


def test_unknown_blog_feed_is_404(reader: Reader) -> None:
    assert reader.get("/site/127.0.0.1:1/changes.atom").status == 404


def test_feeds_answer_conditional_requests(reader: Reader) -> None:
    first = reader.get("/changes.atom")
    again = reader.get("/changes.atom", headers={"If-None-Match": first.headers["etag"]})
    assert again.status == 304 and again.text == ""


def test_pages_advertise_the_feeds(reader: Reader, changed: Changed) -> None:
    home = reader.get("/")
    assert ALTERNATE.findall(home.text) == ["/changes.atom"]
    assert '<a href="/changes.atom" type="application/atom+xml">' in home.text
    site = changed.site["classic"]
    blog = reader.get(f"/site/{quote(site, safe='')}/")
    assert blog.status == 200
    blog_feed = f"/site/{quote(site, safe='')}/changes.atom"
    assert ALTERNATE.findall(blog.text) == ["/changes.atom", blog_feed]
    year = reader.get(f"/site/{quote(site, safe='')}/2022/")
    assert year.status == 200 and ALTERNATE.findall(year.text) == ["/changes.atom", blog_feed]
    feed, _ = parsed(reader, "/changes.atom")
    post = next(e.link for e in feed.entries if urlsplit(e.link).path.startswith("/post/"))
    page = reader.get(post[len(reader.url) - 1:])
    links = ALTERNATE.findall(page.text)
    assert links[0] == "/changes.atom" and links[1].endswith("/changes.atom")
    for href in links:
        assert reader.get(href).status == 200


def test_a_feed_carries_the_newest_100_changes(changed: Changed, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(changed.first.archive, archive)
    db = sqlite3.connect(archive / "catalog.sqlite")
    site = changed.site["classic"]
    with db:
        for number in range(150):
            stamp = f"2030-01-01T00:{number // 60:02d}:{number % 60:02d}+00:00"
            url = f"http://{site}/later/{number}/"
            post = db.execute("INSERT INTO posts (url, site, first_seen, last_seen) "
                              "VALUES (?,?,?,?)", (url, site, stamp, stamp)).lastrowid
            db.execute("""INSERT INTO versions (post_id, version, captured_at, fetched_url, title,
                          text_path, meta_path, warc_file, warc_offset, warc_length, record_id)
                          VALUES (?,1,?,?,?,'','','',0,0,'')""", (post, stamp, url, f"Later {number}"))
    db.close()
    with serving(archive) as running:
        for path in ("/changes.atom", f"/site/{site}/changes.atom"):
            feed, _ = parsed(running, path)
            assert [e.title for e in feed.entries] == [f"New post: Later {n}"
                                                      for n in range(149, 49, -1)]
