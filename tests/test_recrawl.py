"""Re-crawls: the blogs change between two crawls, the archive keeps what changed and only that.

Two fixture blogs are crawled (``classic``: sitemap + REST; ``linksonly``: links only), then each gets
two new posts, one edited post and one deleted post (``POST /mutate``), and the same command runs
again into the same archive, revalidating (``-a revalidate=1``: every archived post asked for again,
conditionally; the default repeat is tests/test_recrawl_trust.py). Unchanged posts must cost a 304
and become revisit records that replay tools resolve to the first capture; the edit must give a
second version; the deletion a date.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.layout import Layout
from tests.conftest import BIN, FAST, ROOT, CrawlRun, run_cli, run_crawl
from tests.fixtures.blogs import BLOGS
from tests.fixtures.blogs.mutations import EDIT_NOTE
from tests.fixtures.server import FixtureServer
from tests.test_replay_tools import fetch, free_port, wait_for

pytestmark = pytest.mark.e2e

SCOPE = ("classic", "linksonly")
EDITED = {"classic": 12, "linksonly": 303}    # 12 has a comment thread; 303 sits mid-listing
DELETED = {"classic": 9, "linksonly": 305}
ADDED = 2
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


@dataclass
class Record:
    type: str
    url: str
    headers: dict[str, str]
    status: str | None
    file: str


@dataclass
class Recrawl:
    """Two crawls of ``SCOPE`` into one archive with the blogs mutated in between."""

    first: CrawlRun
    second: CrawlRun
    first_warcs: list[Path]
    second_warcs: list[Path]
    before: list[str]                  # post URLs before the mutation
    new: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> list[str]:
        return [u for u in self.before if u not in self.edited and u not in self.deleted]


def warc_files(archive: Path) -> list[Path]:
    return sorted(Layout(archive).warc_dir.glob("*.warc.gz"))


def read_records(paths: list[Path]) -> list[Record]:
    out = []
    for path in paths:
        with path.open("rb") as handle:
            for rec in ArchiveIterator(handle):
                headers = dict(rec.rec_headers.headers)
                status = rec.http_headers.get_statuscode() if rec.http_headers else None
                out.append(Record(rec.rec_type, headers.get("WARC-Target-URI", ""), headers,
                                  status, path.name))
    return out


def catalog(archive: Path) -> sqlite3.Connection:
    db = sqlite3.connect(Layout(archive).catalog_path)
    db.row_factory = sqlite3.Row
    return db


def versions(archive: Path) -> dict[str, list[sqlite3.Row]]:
    out: dict[str, list[sqlite3.Row]] = {}
    for row in catalog(archive).execute(
            "SELECT p.url, p.deleted_at, p.first_seen, p.last_seen, v.* FROM posts p "
            "JOIN versions v ON v.post_id = p.id ORDER BY p.url, v.version"):
        out.setdefault(row["url"], []).append(row)
    return out


def by_url(records: list[Record], kind: str) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = {}
    for rec in records:
        if rec.type == kind:
            out.setdefault(rec.url, []).append(rec)
    return out


@pytest.fixture(scope="module")
def recrawl(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recrawl]:
    archive = tmp_path_factory.mktemp("recrawl")
    server.restore()
    try:
        before = [p["url"] for name in SCOPE for p in server.posts(name)]
        first = run_crawl(server, archive, SCOPE)
        assert first.returncode == 0, first.log[-3000:]
        first_warcs = warc_files(archive)
        new, edited, deleted = [], [], []
        for name in SCOPE:
            old = {p["url"] for p in server.posts(name)}
            now = server.mutate(name, add=ADDED, edit=[EDITED[name]], delete=[DELETED[name]])
            new += [p["url"] for p in now if p["url"] not in old]
            edited += [p["url"] for p in now if p["id"] == EDITED[name]]
            deleted += [u for u in old if u not in {p["url"] for p in now}]
        second = run_crawl(server, archive, SCOPE, "-a", "revalidate=1")
        assert second.returncode == 0, second.log[-3000:]
        second_warcs = [p for p in warc_files(archive) if p not in first_warcs]
        yield Recrawl(first, second, first_warcs, second_warcs, before, new, edited, deleted)
    finally:
        server.restore()


@pytest.fixture(scope="module")
def full_crawl(recrawl: Recrawl, server: FixtureServer,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CrawlRun, list[Path]]]:
    """A third crawl with ``-a full=1`` into a copy of the archive (so the other tests keep theirs)."""
    archive = tmp_path_factory.mktemp("full") / "archive"
    shutil.copytree(recrawl.first.archive, archive)
    old = warc_files(archive)
    server.restore()
    try:
        for name in SCOPE:
            server.mutate(name, add=ADDED, edit=[EDITED[name]], delete=[DELETED[name]])
        run = run_crawl(server, archive, SCOPE, "-a", "full=1")
        assert run.returncode == 0, run.log[-3000:]
        yield run, [p for p in warc_files(archive) if p not in old]
    finally:
        server.restore()


# -- the fixture server's content control ---------------------------------------------------------
def test_mutation_keeps_untouched_posts_byte_identical(server: FixtureServer) -> None:
    server.restore()
    try:
        urls = BLOGS["classic"].post_urls(server.urls["classic"])
        first = {url: fetch(url) for url in urls}
        now = server.mutate("classic", add=2, edit=[12], delete=[9])
        assert len(now) == len(urls) + 1
        assert [p["title"][:11] for p in now[:2]] == ["Fresh Notes"] * 2
        for url in urls:
            etag = dict(first[url][1])["ETag"]
            status, _, _ = fetch_with(url, {"If-None-Match": etag, "Accept-Encoding": "gzip"})
            post = BLOGS["classic"].post_by_path(url[len(server.urls["classic"]) - 1:])
            assert post is not None
            expected = {12: 200, 9: 404}.get(post.id, 304)
            assert status == expected, url
        sitemap = fetch(server.url("classic", "/wp-sitemap-posts-post-1.xml"))[2].decode()
        rest = fetch(server.url("classic", "/wp-json/wp/v2/posts?per_page=100"))[2].decode()
        feed = fetch(server.url("classic", "/feed/"))[2].decode()
        for listing in (sitemap, rest, feed):
            assert "notes-from-the-party-conference" not in listing
            assert now[0]["url"] in listing.replace("\\/", "/")
        server.restore()
        assert [p["url"] for p in server.posts("classic")] == urls
    finally:
        server.restore()


def fetch_with(url: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, list(r.headers.items()), r.read()
    except urllib.error.HTTPError as error:
        return error.code, list(error.headers.items()), error.read()


# -- catalog and run report --------------------------------------------------------------------
def test_counts_new_changed_unchanged_deleted(recrawl: Recrawl) -> None:
    assert len(recrawl.new) == ADDED * len(SCOPE)
    assert len(recrawl.edited) == len(recrawl.deleted) == len(SCOPE)
    report = recrawl.second.report
    expected = {"new": len(recrawl.new), "changed": len(recrawl.edited),
                "unchanged": len(recrawl.unchanged), "deleted": len(recrawl.deleted), "failed": 0}
    assert {key: report[key] for key in expected} == expected, report["summary"]
    stats = report["stats"]
    assert stats.get("posts/new") == len(recrawl.new)
    assert stats.get("posts/changed") == len(recrawl.edited)
    assert stats.get("posts/unchanged") == len(recrawl.unchanged)
    assert stats.get("posts/deleted") == len(recrawl.deleted)
    assert stats.get("archive/revisits/not_modified") == len(recrawl.unchanged)
    assert stats.get("archive/revisits/identical", 0) == 0
    assert report["outcome"] == "ok" and report["bytes_written"] > 0
    assert f"{len(recrawl.new)} new, {len(recrawl.edited)} changed" in report["summary"]


def test_catalog_versions_and_deletions(recrawl: Recrawl) -> None:
    archive = recrawl.second.archive
    rows = versions(archive)
    assert set(rows) == set(recrawl.before) | set(recrawl.new)
    for url, post_versions in rows.items():
        numbers = [row["version"] for row in post_versions]
        assert numbers == ([1, 2] if url in recrawl.edited else [1]), url
        assert (post_versions[-1]["deleted_at"] is not None) == (url in recrawl.deleted), url
    for url in recrawl.unchanged:
        assert rows[url][0]["last_seen"] > rows[url][0]["first_seen"], url
    for url in recrawl.edited:
        v1, v2 = rows[url]
        assert v1["text_path"] != v2["text_path"] and v2["text_path"].endswith(".v2.txt")
        text1 = Layout(archive).resolve(v1["text_path"]).read_text()
        text2 = Layout(archive).resolve(v2["text_path"]).read_text()
        assert EDIT_NOTE not in text1 and EDIT_NOTE in text2
        assert v2["word_count"] == v1["word_count"] + len(EDIT_NOTE.split())
        assert v2["payload_digest"] != v1["payload_digest"]


def test_unchanged_posts_asked_conditionally_once(recrawl: Recrawl) -> None:
    gets: dict[str, list[dict[str, Any]]] = {}
    for entry in recrawl.second.requests:
        gets.setdefault(entry["path"], []).append(entry["headers"])
    for url in [*recrawl.unchanged, *recrawl.edited, *recrawl.deleted]:
        path = "/" + url.split("/", 3)[3]
        assert len(gets.get(path, [])) == 1, url
        assert "If-None-Match" in gets[path][0] and "If-Modified-Since" in gets[path][0], url
    for url in recrawl.new:
        path = "/" + url.split("/", 3)[3]
        assert len(gets.get(path, [])) == 1 and "If-None-Match" not in gets[path][0], url


# -- WARC records --------------------------------------------------------------------------------
def test_second_crawl_writes_revisits_pointing_at_first_capture(recrawl: Recrawl) -> None:
    first = by_url(read_records(recrawl.first_warcs), "response")
    second = read_records(recrawl.second_warcs)
    revisits, responses = by_url(second, "revisit"), by_url(second, "response")
    for url in recrawl.unchanged:
        assert url not in responses, url
        [revisit] = revisits[url]
        [original] = [r for r in first[url] if r.status == "200"]
        head = revisit.headers
        assert head["WARC-Profile"] == NOT_MODIFIED, url
        assert head["WARC-Refers-To"] == original.headers["WARC-Record-ID"], url
        assert head["WARC-Refers-To-Target-URI"] == url, url
        assert head["WARC-Refers-To-Date"] == original.headers["WARC-Date"], url
        assert head["WARC-Payload-Digest"] == original.headers["WARC-Payload-Digest"], url
        assert head["Content-Length"] == "0", url
        assert head["WARC-Date"] > original.headers["WARC-Date"], url
    for url in [*recrawl.new, *recrawl.edited]:
        assert url not in revisits, url
        assert [r.status for r in responses[url]] == ["200"], url
    for url in recrawl.deleted:
        assert [r.status for r in responses[url]] == ["404"], url
    requests = {r.headers["WARC-Concurrent-To"] for r in second if r.type == "request"}
    assert all(r.headers["WARC-Record-ID"] in requests for url in recrawl.unchanged
               for r in revisits[url])


def test_every_warc_passes_warcio_check(recrawl: Recrawl) -> None:
    warc_dir = Layout(recrawl.second.archive).warc_dir
    assert not list(warc_dir.glob("*.open")), "a finished crawl leaves no .open file"
    paths = [str(p) for p in warc_files(recrawl.second.archive)]
    assert len(paths) >= 2
    result = subprocess.run([str(BIN / "warcio"), "check", "-v", *paths], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_full_crawl_writes_full_responses_again(full_crawl: tuple[CrawlRun, list[Path]],
                                                recrawl: Recrawl) -> None:
    run, new_warcs = full_crawl
    records = read_records(new_warcs)
    assert not [r for r in records if r.type == "revisit"]
    responses = by_url(records, "response")
    for url in [*recrawl.unchanged, *recrawl.edited, *recrawl.new]:
        assert [r.status for r in responses[url]] == ["200"], url
    for entry in run.requests:
        assert "If-None-Match" not in entry["headers"], entry["path"]
    stats = run.stats
    assert stats.get("archive/revisits/not_modified", 0) == 0
    assert stats.get("archive/revisits/identical", 0) == 0
    result = subprocess.run([str(BIN / "warcio"), "check", *map(str, new_warcs)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]


def test_full_crawl_adds_no_version_for_identical_content(full_crawl: tuple[CrawlRun, list[Path]],
                                                          recrawl: Recrawl) -> None:
    run, _ = full_crawl
    rows = versions(run.archive)
    for url in recrawl.unchanged:
        assert [row["version"] for row in rows[url]] == [1], url
    assert run.report["new"] == 0


def test_unreachable_site_exits_1_with_a_summary(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={url}",
               "-s", f"ARCHIVE_DIR={tmp_path}", *FAST, "-s", "RETRY_TIMES=0"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log[-3000:]
    assert "Crawl FAILED (no site answered)" in log, log[-3000:]
    assert "0 posts found" in log
    [report] = (tmp_path / "runs").glob("*.json")
    data = json.loads(report.read_text())
    assert data["outcome"] == "failed" and data["failure"] == "no site answered"


# -- replay: pywb resolves a revisit to the original capture ------------------------------------
@pytest.fixture(scope="module")
def pywb(recrawl: Recrawl, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pywb-recrawl")
    paths = [str(p) for p in [*recrawl.first_warcs, *recrawl.second_warcs]]
    subprocess.run([str(BIN / "wb-manager"), "init", "blogs"], cwd=root, check=True,
                   capture_output=True)
    subprocess.run([str(BIN / "wb-manager"), "add", "blogs", *paths], cwd=root, check=True,
                   capture_output=True)
    port = free_port()
    process = subprocess.Popen([str(BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
                               cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}/blogs"
    finally:
        process.terminate()
        process.wait(timeout=10)


def timestamp(warc_date: str) -> str:
    return "".join(ch for ch in warc_date if ch.isdigit())[:14]


@pytest.mark.tools
def test_pywb_replays_unchanged_post_at_second_timestamp(recrawl: Recrawl, pywb: str,
                                                         server: FixtureServer) -> None:
    classic = server.urls["classic"]
    url = next(u for u in recrawl.unchanged if u.startswith(classic))
    [revisit] = by_url(read_records(recrawl.second_warcs), "revisit")[url]
    ts2 = timestamp(revisit.headers["WARC-Date"])
    status, headers, body = fetch(f"{pywb}/{ts2}id_/{url}")
    live_status, _, live_body = fetch(url)
    assert status == live_status == 200
    assert body[:2] == b"\x1f\x8b" and body == live_body
    memento = dict(headers).get("Memento-Datetime", "")
    assert memento, headers
    status, _, page = fetch(f"{pywb}/{ts2}mp_/{url}")
    assert status == 200
    text = gzip.decompress(page).decode() if page[:2] == b"\x1f\x8b" else page.decode()
    post = BLOGS["classic"].post_by_path("/" + url.split("/", 3)[3])
    assert post is not None
    assert post.title in text and post.paragraphs[0][:60] in text


@pytest.mark.tools
def test_pywb_replays_both_versions_of_the_edited_post(recrawl: Recrawl, pywb: str,
                                                       server: FixtureServer) -> None:
    url = next(u for u in recrawl.edited if u.startswith(server.urls["classic"]))
    first = by_url(read_records(recrawl.first_warcs), "response")[url][0]
    second = by_url(read_records(recrawl.second_warcs), "response")[url][0]
    old = fetch(f"{pywb}/{timestamp(first.headers['WARC-Date'])}id_/{url}")[2]
    new = fetch(f"{pywb}/{timestamp(second.headers['WARC-Date'])}id_/{url}")[2]
    assert EDIT_NOTE not in gzip.decompress(old).decode()
    assert EDIT_NOTE in gzip.decompress(new).decode()


# -- the history commands, as a user runs them ----------------------------------------------------
def test_history_lists_both_versions(recrawl: Recrawl) -> None:
    url = recrawl.edited[0]
    result = run_cli("history", url, archive=recrawl.second.archive)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert [line.split()[0] for line in lines] == ["v1", "v2"], result.stdout
    assert "first capture" in lines[0]
    assert f"+{len(EDIT_NOTE.split())} / -0 words" in lines[1], result.stdout
    unchanged = run_cli("history", recrawl.unchanged[0], archive=recrawl.second.archive)
    assert [line.split()[0] for line in unchanged.stdout.splitlines() if line.strip()] == ["v1"]
    gone = run_cli("history", recrawl.deleted[0], archive=recrawl.second.archive)
    assert "deleted" in gone.stdout, gone.stdout


def test_diff_shows_the_changed_words(recrawl: Recrawl) -> None:
    url = recrawl.edited[0]
    result = run_cli("diff", url, archive=recrawl.second.archive)
    assert result.returncode == 0, result.stderr
    assert "{+" + EDIT_NOTE + "+}" in result.stdout, result.stdout
    assert "[-" not in result.stdout
    explicit = run_cli("diff", url, "1", "2", archive=recrawl.second.archive)
    assert explicit.stdout == result.stdout
    single = run_cli("diff", recrawl.unchanged[0], archive=recrawl.second.archive)
    assert single.returncode != 0 and "single version" in single.stderr


def test_list_changed_since_lists_only_edited_posts(recrawl: Recrawl) -> None:
    result = run_cli("list", "--json", "--changed-since", "1 hour ago",
                     archive=recrawl.second.archive)
    assert result.returncode == 0, result.stderr
    urls = [json.loads(line)["url"] for line in result.stdout.splitlines() if line.strip()]
    assert sorted(urls) == sorted(recrawl.edited)
    plain = run_cli("list", "--changed-since", "1 hour ago", archive=recrawl.second.archive)
    assert len(plain.stdout.splitlines()) == len(recrawl.edited)


def test_runs_lists_both_crawls(recrawl: Recrawl) -> None:
    result = run_cli("runs", archive=recrawl.second.archive)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 2, result.stdout
    assert f"{len(recrawl.new)} new, {len(recrawl.edited)} changed" in lines[1]
    as_json = run_cli("runs", "--json", archive=recrawl.second.archive)
    reports = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [r["outcome"] for r in reports] == ["ok", "ok"]
    assert reports[1]["unchanged"] == len(recrawl.unchanged)

