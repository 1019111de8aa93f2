"""`blogarchive changes` after two real crawls between which the blogs changed.

Two fixture blogs on two ports of 127.0.0.1 are crawled; then ``classic`` gets a new post, an
edit, a deletion, a retitle with a hostile title and three new comments on two posts (one of them
also edited), and ``linksonly`` a new post and an edit; the same crawl runs again. Every event the
command lists is checked against what was changed, and nothing else may be listed.
"""

from __future__ import annotations

import json
import shlex
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CrawlRun, run_cli, run_crawl
from tests.fixtures.bigcatalog import big_catalog
from tests.fixtures.blogs import BLOGS
from tests.fixtures.blogs.mutations import COMMENT_AUTHOR, EDIT_NOTE
from tests.fixtures.blogs.textgen import POLITICS, comment_text
from tests.fixtures.server import FixtureServer

pytestmark = pytest.mark.e2e

SCOPE = ("classic", "linksonly")
HOSTILE = 'A <script>alert("x")</script> & Friends'
EDITED = {"classic": [12], "linksonly": [303]}
RETITLED = {11: HOSTILE}      # classic
DELETED = [9]                 # classic
COMMENTED = [12, 14, 14]      # classic: 12 is also edited; 14 gets two comments and no edit


@dataclass
class Changed:
    """Two crawls into one archive, and what changed on the blogs between them."""

    first: CrawlRun
    second: CrawlRun
    before: dict[str, dict[str, Any]]           # url -> post, as the blogs published them first
    after: dict[str, dict[str, Any]]            # url -> post, after the mutation
    site: dict[str, str]                        # blog name -> host:port
    reports: list[dict[str, Any]]               # the two run reports, with their file names
    comments: dict[str, list[int]] = field(default_factory=dict)   # url -> new comment ids

    def url(self, blog: str, post_id: int) -> str:
        return next(u for u, p in self.after.items() if p["id"] == post_id and p["blog"] == blog)

    def expected_second(self) -> set[tuple[str, str]]:
        new = {("new", u) for u in self.after if u not in self.before}
        gone = {("deleted", u) for u in self.before if u not in self.after}
        edits = {("edit", self.url(blog, i)) for blog, ids in EDITED.items() for i in ids}
        edits |= {("edit", self.url("classic", i)) for i in RETITLED}
        return new | gone | edits | {("comments", u) for u in self.comments}


def published(server: FixtureServer) -> dict[str, dict[str, Any]]:
    return {p["url"]: {**p, "blog": name} for name in SCOPE for p in server.posts(name)}


def crawl_change_crawl(server: FixtureServer, archive: Path) -> Changed:
    """The two crawls around the mutation (the caller restores the server afterwards)."""
    server.restore()
    before = published(server)
    first = run_crawl(server, archive, SCOPE)
    assert first.returncode == 0, first.log[-3000:]
    server.mutate("classic", add=1, edit=EDITED["classic"], delete=DELETED, comment=COMMENTED,
                  retitle=RETITLED)
    server.mutate("linksonly", add=1, edit=EDITED["linksonly"])
    after = published(server)
    second = run_crawl(server, archive, SCOPE)
    assert second.returncode == 0, second.log[-3000:]
    site = {name: server.urls[name].split("//")[1].rstrip("/") for name in SCOPE}
    reports = [{**json.loads(path.read_text()), "file": path.name}
               for path in sorted((archive / "runs").glob("*.json"))]
    assert len(reports) == 2
    changed = Changed(first, second, before, after, site, reports)
    first_id = max(c.id for p in BLOGS["classic"].posts for c in p.comments) + 1
    for offset, post_id in enumerate(COMMENTED):
        changed.comments.setdefault(changed.url("classic", post_id), []).append(first_id + offset)
    return changed


@pytest.fixture(scope="module")
def changed(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Changed]:
    try:
        yield crawl_change_crawl(server, tmp_path_factory.mktemp("changes") / "archive")
    finally:
        server.restore()


def events(changed: Changed, *args: str) -> list[dict[str, Any]]:
    result = run_cli("changes", "--json", *args, archive=changed.first.archive)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


# -- what each run found ------------------------------------------------------------------------
def test_first_run_lists_every_post_as_new(changed: Changed) -> None:
    first = [e for e in events(changed) if e["run"] == changed.reports[0]["file"]]
    assert {(e["kind"], e["url"]) for e in first} == {("new", u) for u in changed.before}
    assert len(first) == len(changed.before)
    assert {e["title"] for e in first} == {p["title"] for p in changed.before.values()}


def test_second_run_lists_exactly_what_changed(changed: Changed) -> None:
    second = [e for e in events(changed) if e["run"] == changed.reports[1]["file"]]
    listed = [(e["kind"], e["url"]) for e in second]
    assert len(listed) == len(set(listed))
    assert set(listed) == changed.expected_second()
    commented_only = changed.url("classic", 14)
    assert ("edit", commented_only) not in listed   # a comment alone is not an edit
    started = changed.reports[1]["started"]
    assert {e["run_started"] for e in second} == {started}
    assert all(e["at"] >= started for e in second)


def test_edits_count_the_words_added_and_removed(changed: Changed) -> None:
    edits = {e["url"]: e for e in events(changed) if e["kind"] == "edit"}
    for blog, ids in EDITED.items():
        event = edits[changed.url(blog, ids[0])]
        assert event["added"] >= len(EDIT_NOTE.split())
        history = run_cli("history", event["url"], "--json", archive=changed.first.archive)
        last = json.loads(history.stdout.splitlines()[-1])
        assert (event["added"], event["removed"]) == (last["added"], last["removed"])
        assert event["version"] == last["version"] == 2
        assert event["old_title"] is None
        assert event["title"] == changed.after[event["url"]]["title"]
        diff = run_cli(*shlex.split(event["diff"])[1:], archive=changed.first.archive)
        assert diff.returncode == 0, diff.stderr
        assert f"+{event['added']} / -{event['removed']} words" in diff.stdout.splitlines()[0]
        assert "{+Update: readers spotted" in diff.stdout


def test_a_retitle_keeps_both_titles_as_typed(changed: Changed) -> None:
    url = changed.url("classic", 11)
    (event,) = [e for e in events(changed) if e["kind"] == "edit" and e["url"] == url]
    assert event["title"] == HOSTILE
    assert event["old_title"] == changed.before[url]["title"]


def test_new_comments_name_author_date_and_first_words(changed: Changed) -> None:
    listed = {e["url"]: e for e in events(changed) if e["kind"] == "comments"}
    assert set(listed) == set(changed.comments)
    for url, ids in changed.comments.items():
        comments = listed[url]["comments"]
        assert [c["id"] for c in comments] == [str(i) for i in ids]
        for comment, number in zip(comments, ids, strict=True):
            assert comment["author"] == COMMENT_AUTHOR.format(number=number)
            text = comment_text(f"classic-late-comment-{number}", POLITICS)
            assert text.startswith(comment["excerpt"].rstrip("…"))
            written = datetime.fromisoformat(comment["published"])
            assert abs(written - datetime.fromisoformat(listed[url]["at"])) < timedelta(minutes=5)


def test_deletion_names_the_post_and_when_it_was_seen_gone(changed: Changed) -> None:
    (gone,) = [e for e in events(changed) if e["kind"] == "deleted"]
    assert gone["url"] not in changed.after
    assert gone["title"] == changed.before[gone["url"]]["title"]
    report = changed.reports[1]
    assert report["started"] <= gone["at"] <= report["finished"]


def test_ids_are_stable_and_unique(changed: Changed) -> None:
    once, twice = events(changed), events(changed)
    assert [e["id"] for e in once] == [e["id"] for e in twice]
    assert len({e["id"] for e in once}) == len(once)


# -- filters ------------------------------------------------------------------------------------
def test_since_keeps_only_later_changes(changed: Changed) -> None:
    between = changed.reports[0]["finished"]
    later = events(changed, "--since", between)
    assert {(e["kind"], e["url"]) for e in later} == changed.expected_second()
    assert len(events(changed, "--since", "3 days ago")) == len(events(changed))


def test_since_in_the_future_is_an_empty_result(changed: Changed) -> None:
    result = run_cli("changes", "--since", "in 2 days", archive=changed.first.archive)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No changes since ")
    assert len(result.stdout.splitlines()) == 1
    scripted = run_cli("changes", "--json", "--since", "in 2 days", archive=changed.first.archive)
    assert scripted.returncode == 0 and scripted.stdout == ""
    assert scripted.stderr.startswith("No changes since ")


def test_site_with_port_keeps_one_blog_and_host_alone_keeps_both(changed: Changed) -> None:
    classic = changed.site["classic"]
    one = events(changed, "--site", classic)
    assert one and {e["site"] for e in one} == {classic}
    assert events(changed, "--site", f"http://{classic}/") == one
    host = classic.split(":")[0]
    assert {e["site"] for e in events(changed, "--site", host)} == set(changed.site.values())


def test_unknown_site_is_one_line_and_status_2(changed: Changed) -> None:
    result = run_cli("changes", "--site", "127.0.0.1:1", archive=changed.first.archive)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no blog '127.0.0.1:1'" in result.stderr


# -- the readable listing ---------------------------------------------------------------------------
def test_listing_is_grouped_by_run_oldest_first(changed: Changed) -> None:
    result = run_cli("changes", archive=changed.first.archive)
    assert result.returncode == 0, result.stderr
    headers = [line for line in result.stdout.splitlines() if line.startswith("run ")]
    firsts = [changed.reports[0]["started"], changed.reports[1]["started"]]
    assert [h[4:23] for h in headers] == [s[:19].replace("T", " ") for s in firsts]
    second = result.stdout.split(headers[1], 1)[1]
    assert f"{len(changed.expected_second())} changes" in headers[1]
    assert "2 new comments on " + changed.after[changed.url("classic", 14)]["title"] in second
    assert f"title was: {changed.before[changed.url('classic', 11)]['title']}" in second
    assert f"edited   {HOSTILE}  +" in second
    assert "diff: blogarchive diff " in second
    for number in changed.comments[changed.url("classic", 12)]:
        assert COMMENT_AUTHOR.format(number=number) + " (" in second


def test_changes_outside_any_run_are_grouped_by_day(changed: Changed, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(changed.first.archive, archive)
    shutil.rmtree(archive / "runs")
    result = run_cli("changes", archive=archive)
    assert result.returncode == 0, result.stderr
    day = changed.reports[1]["started"][:10]
    assert result.stdout.splitlines()[0].startswith(f"{day}: outside a recorded run: ")
    listed = run_cli("changes", "--json", archive=archive).stdout.splitlines()
    assert len(listed) == len(events(changed))
    assert {json.loads(line)["run"] for line in listed} == {None}


# -- help and bad input -----------------------------------------------------------------------------
def test_help_has_examples() -> None:
    result = run_cli("changes", "--help")
    assert result.returncode == 0
    assert "Examples:" in result.stdout and "blogarchive changes --since" in result.stdout
    assert "/changes.atom" in result.stdout


def test_bad_since_is_one_line_and_status_2(changed: Changed) -> None:
    result = run_cli("changes", "--since", "the day after never", archive=changed.first.archive)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--since" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_archive_is_a_clean_error(tmp_path: Path) -> None:
    result = run_cli("changes", archive=tmp_path / "none")
    assert result.returncode == 1
    assert "no archive at" in result.stderr and "Traceback" not in result.stderr


def test_json_keys_are_always_the_same(changed: Changed) -> None:
    keys = {"id", "kind", "at", "run", "run_started", "site", "url", "post_id", "version", "title",
            "old_title", "author", "added", "removed", "diff", "reader_path", "problem", "comments"}
    listed = events(changed)
    assert {e["kind"] for e in listed} == {"new", "edit", "comments", "deleted"}
    assert all(set(e) == keys for e in listed)
    assert all(set(c) == {"id", "author", "published", "excerpt"}
               for e in listed for c in e["comments"])


def test_an_unreadable_text_file_still_lists_the_edit(changed: Changed, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(changed.first.archive, archive)
    url = changed.url("classic", 12)
    history = run_cli("history", url, "--json", archive=archive).stdout.splitlines()
    (archive / json.loads(history[-1])["text_path"]).unlink()
    result = run_cli("changes", "--json", archive=archive)
    assert result.returncode == 0, result.stderr
    listed = [json.loads(line) for line in result.stdout.splitlines()]
    (edit,) = [e for e in listed if e["kind"] == "edit" and e["url"] == url]
    assert edit["problem"].startswith("not compared: No such file or directory")
    assert len(listed) == len(events(changed))
    text = run_cli("changes", archive=archive)
    assert text.returncode == 0 and "not compared: No such file" in text.stdout


def test_a_quiet_run_is_listed_as_no_changes(changed: Changed, server: FixtureServer,
                                             tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(changed.first.archive, archive)
    third = run_crawl(server, archive, SCOPE)          # the blogs as the second crawl saw them
    assert third.returncode == 0, third.log[-3000:]
    result = run_cli("changes", "--since", changed.reports[1]["finished"], archive=archive)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"run {third.report['started'][:19].replace('T', ' ')} UTC (ok): ")
    assert line.endswith(": no changes")


def test_a_10000_post_archive_lists_every_change(tmp_path: Path) -> None:
    """Counts only: speed is measured by bench/changes.py, never clocked in a test."""
    archive = tmp_path / "big"
    big_catalog(archive)
    result = run_cli("changes", "--json", "--since", "2026-01-02", archive=archive)
    assert result.returncode == 0, result.stderr
    kinds = Counter(json.loads(line)["kind"] for line in result.stdout.splitlines())
    assert kinds == {"edit": 300, "comments": 300, "deleted": 100}
    every = run_cli("changes", "--json", archive=archive)
    assert len(every.stdout.splitlines()) == 10_000 + 700


def test_the_change_list_benchmark_runs_and_counts_what_it_built(tmp_path: Path) -> None:
    """bench/changes.py at a small size: its figures are there and the change counts are right."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "bench.changes", "--posts", "1000", "--repeat", "1",
                          "--json"], capture_output=True, text=True, timeout=300, check=True)
    figures = json.loads(out.stdout)
    last_run = 300 + 300 + 1000 // 100  # edits, new comments, deletions (bigcatalog's defaults)
    assert figures["changes_all"] == 1000 + last_run and figures["changes_last_run"] == last_run
    assert figures["baseline_s"] > 0 and figures["all_ratio"] > 0
