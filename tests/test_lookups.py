"""Lookups forgive, and a post the blog removed says so everywhere (issue 20, point 4).

One fixture blog is crawled, one of its posts is deleted on the server, and the same crawl runs
again: the archive keeps the post with the date it was seen gone. Every reader a user has is then
run as the user runs it: `blogarchive list`, `show` (by the id `list` printed and by the URL typed
differently), `search`, each export format, and `blogarchive serve` over HTTP.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from archive.layout import Layout
from tests.conftest import run_cli, run_crawl
from tests.fixtures.server import FixtureServer
from tests.test_web import serving

pytestmark = pytest.mark.e2e

BLOG = "classic"
DELETED_POST = 9


@dataclass(frozen=True)
class Gone:
    """The archive after the second crawl, and the post the blog removed in between."""

    archive: Path
    url: str
    title: str
    post_id: int
    seen_gone: str     # the catalog's deleted_at


@pytest.fixture(scope="module")
def gone(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gone]:
    archive = tmp_path_factory.mktemp("lookups") / "archive"
    server.restore()
    try:
        first = run_crawl(server, archive, [BLOG])
        assert first.returncode == 0, first.log[-3000:]
        before = {p["url"] for p in server.posts(BLOG)}
        now = {p["url"] for p in server.mutate(BLOG, delete=[DELETED_POST])}
        (url,) = [u for u in before if u not in now]
        second = run_crawl(server, archive, [BLOG])
        assert second.returncode == 0, second.log[-3000:]
    finally:
        server.restore()
    db = sqlite3.connect(Layout(archive).catalog_path)
    post_id, seen_gone, title = db.execute(
        "SELECT p.id, p.deleted_at, v.title FROM posts p JOIN versions v ON v.post_id = p.id "
        "WHERE p.url = ? ORDER BY v.version DESC", (url,)).fetchone()
    db.close()
    assert seen_gone, "the second crawl did not mark the deleted post"
    yield Gone(archive, url, str(title), int(post_id), str(seen_gone))


def cli(gone: Gone, *args: str) -> str:
    result = run_cli(*args, archive=gone.archive)
    assert result.returncode == 0, (args, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stdout


def listed(gone: Gone) -> list[dict[str, object]]:
    return [json.loads(line) for line in cli(gone, "list", "--json").splitlines()]


def test_list_shows_the_ids_that_show_takes(gone: Gone) -> None:
    records = listed(gone)
    lines = cli(gone, "list").splitlines()
    assert len(lines) == len(records) > 2
    for record, line in zip(records, lines, strict=True):
        assert line.split()[0] == str(record["id"]) and str(record["url"]) in line
    for record in records[:3]:
        shown = json.loads(cli(gone, "show", str(record["id"]), "--json"))
        assert shown["url"] == record["url"] and shown["id"] == record["id"]


def test_a_url_matches_without_its_slash_with_the_other_scheme_and_www(gone: Gone) -> None:
    record = listed(gone)[0]
    url = str(record["url"])
    parts = urlsplit(url)
    assert parts.path.endswith("/") and parts.scheme == "http"
    exact = cli(gone, "show", url)
    other_scheme = "https://" + url.split("://", 1)[1]
    for typed in (url.rstrip("/"), other_scheme, f"http://www.{parts.netloc}{parts.path}",
                  f"https://www.{parts.netloc}{parts.path.rstrip('/')}",
                  f"{parts.netloc}{parts.path}"):
        assert cli(gone, "show", typed) == exact, typed
    assert cli(gone, "comments", url.rstrip("/"), "--json") == cli(gone, "comments", url, "--json")
    missing = run_cli("show", url.rstrip("/") + "-not-a-post", archive=gone.archive)
    assert missing.returncode == 1 and "blogarchive list" in missing.stderr


def test_list_and_show_mark_the_deleted_post_with_its_date(gone: Gone) -> None:
    day = gone.seen_gone[:10]
    (line,) = [line for line in cli(gone, "list").splitlines() if gone.url in line]
    assert line.endswith(f"[deleted: seen gone {day}]")
    assert sum("[deleted" in line for line in cli(gone, "list").splitlines()) == 1
    by_url = {r["url"]: r for r in listed(gone)}
    assert by_url[gone.url]["deleted_at"] == gone.seen_gone
    assert all(r["deleted_at"] is None for u, r in by_url.items() if u != gone.url)
    assert f"Deleted: seen gone on {day}" in cli(gone, "show", str(gone.post_id))
    assert json.loads(cli(gone, "show", gone.url, "--json"))["deleted_at"] == gone.seen_gone
    markdown = cli(gone, "show", gone.url, "--format", "markdown")
    assert f'deleted: "{gone.seen_gone}"' in markdown.split("---")[1]
    query = f'title:"{gone.title}"'
    hits = [json.loads(h) for h in cli(gone, "search", query, "--json").splitlines()]
    assert [h["deleted_at"] for h in hits if h["url"] == gone.url] == [gone.seen_gone]
    assert f"[deleted: seen gone {day}]" in cli(gone, "search", query)


def test_every_export_marks_the_deleted_post(gone: Gone, tmp_path: Path) -> None:
    day = gone.seen_gone[:10]
    cli(gone, "export", "--format", "markdown", str(tmp_path / "md"))
    (page,) = [p for p in (tmp_path / "md").rglob("*.md")
               if f'url: "{gone.url}"' in p.read_text(encoding="utf-8")]
    front, _, body = page.read_text(encoding="utf-8").partition("\n---\n")
    assert f'deleted: "{gone.seen_gone}"' in front and f"seen gone on {day}" in body
    others = [p for p in (tmp_path / "md").rglob("*.md") if p != page]
    assert others and not any("deleted:" in p.read_text(encoding="utf-8") for p in others)

    cli(gone, "export", "--format", "jsonl", str(tmp_path / "posts.jsonl"))
    lines = [json.loads(x) for x in (tmp_path / "posts.jsonl").read_text().splitlines()]
    assert {x["url"]: x["deleted_at"] for x in lines if x["deleted_at"]} == {gone.url: gone.seen_gone}

    cli(gone, "export", "--format", "epub", str(tmp_path / "book.epub"))
    with zipfile.ZipFile(tmp_path / "book.epub") as book:
        chapters = [book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml")]
    noted = [c for c in chapters if f"seen gone on {day}" in c]
    assert len(noted) == 1 and gone.url in noted[0]

    cli(gone, "export", "--format", "wacz", str(tmp_path / "blog.wacz"))
    with zipfile.ZipFile(tmp_path / "blog.wacz") as package:
        pages = [json.loads(x) for x in package.read("pages/pages.jsonl").decode().splitlines()[1:]]
    marked = [p["title"] for p in pages if "[deleted" in p["title"]]
    assert marked == [f"{gone.title} [deleted: seen gone {day}]"]


def test_the_reader_marks_the_deleted_post_in_its_listings(gone: Gone) -> None:
    site = urlsplit(gone.url).netloc
    published = json.loads(cli(gone, "show", gone.url, "--json"))["published"]
    year, month = published[:4], published[5:7]
    with serving(gone.archive) as reader:
        for path in (f"/site/{quote(site)}/{year}/", f"/site/{quote(site)}/{year}/{month}/"):
            page = reader.get(path)
            assert page.status == 200, path
            items = page.text.split("<li>")
            (item,) = [i for i in items if f'/post/{gone.post_id}"' in i]
            assert "deleted: seen gone" in item, path
            assert sum("deleted: seen gone" in i for i in items) == 1, path
        post = reader.get(f"/post/{gone.post_id}")
        assert post.status == 200 and "seen gone on" in post.text
