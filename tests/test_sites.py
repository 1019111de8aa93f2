"""The blog list (``blogarchive sites``, ``archive/sites``): add, import, export, list, remove, and
the health rules, as a user calls the commands; the crawls are in ``test_sites_crawl.py``."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from scrapy.http import Response

from archive.layout import Layout
from archive.sites import Outcome, Registry, read_opml
from crawler import settings as product
from crawler.moves import moved_target
from crawler.options import CrawlOptions
from tests.conftest import BIN, ROOT, run_cli

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Feeds</title></head><body>
<outline text="Friends">
  <outline text="Ada's notes" title="Ada's notes" type="rss" xmlUrl="https://ada.example/feed/"
           htmlUrl="https://ada.example/"/>
  <outline text="Deeper"><outline text="Bob" type="rss" xmlUrl="http://bob.example:8080/rss.xml"/>
  </outline>
</outline>
<outline text="Carol" htmlurl="carol.example/blog/"/>
<outline text="a folder without any address"/>
</body></opml>
"""


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> None:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, (
        result.stderr)


def listed(archive: Path) -> list[dict[str, object]]:
    result = run_cli("sites", "list", "--json", archive=archive)
    assert result.returncode == 0, result.stderr
    entries: list[dict[str, object]] = json.loads(result.stdout)
    return entries


@pytest.mark.parametrize("raw", ["example.org", "HTTP://Example.org:80/blog/?utm_source=x",
                                 "https://example.org:8443", " http://127.0.0.5:8000/#top "])
def test_add_normalises_urls_as_the_crawler_does(tmp_path: Path, raw: str) -> None:
    result = run_cli("sites", "add", raw, archive=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("added:"), result.stderr
    assert [e["url"] for e in listed(tmp_path)] == list(CrawlOptions.parse(raw).start_urls)


def test_adding_twice_says_already_listed(tmp_path: Path) -> None:
    run_cli("sites", "add", "https://example.org/", archive=tmp_path)
    again = run_cli("sites", "add", "example.org", "blog.example.net", archive=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == ["already listed: example.org", "added: blog.example.net"]
    assert [e["status"] for e in listed(tmp_path)] == ["new", "new"]  # never crawled yet


@pytest.mark.parametrize("bad", ["ftp://example.org/", "http:///nohost", "http://x:99999/"])
def test_a_bad_url_is_one_line_and_exit_2(tmp_path: Path, bad: str) -> None:
    one_line_error(run_cli("sites", "add", bad, archive=tmp_path), 2)


def test_import_reads_nested_outlines_html_url_else_the_feeds_site(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(OPML)
    result = run_cli("sites", "import", str(opml), archive=tmp_path / "a")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("3 added, 0 already listed, 0 skipped")
    entries = {e["url"]: e for e in listed(tmp_path / "a")}
    assert set(entries) == {"https://ada.example/", "http://bob.example:8080/",
                            "https://carol.example/blog/"}
    assert entries["https://ada.example/"]["title"] == "Ada's notes"
    assert entries["https://ada.example/"]["feed_url"] == "https://ada.example/feed/"
    assert entries["http://bob.example:8080/"]["feed_url"] == "http://bob.example:8080/rss.xml"
    again = run_cli("sites", "import", str(opml), archive=tmp_path / "a")
    assert again.stdout.startswith("0 added, 3 already listed"), again.stdout


@pytest.mark.parametrize("content", [b"not xml at all", b"<html><body>hi</body></html>",
                                     b"<opml><body><outline", b"",
                                     b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
                                     b'"file:///etc/passwd">]><rss>&e;</rss>'])
def test_a_bad_opml_file_is_one_line_and_exit_2(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_bytes(content)
    result = run_cli("sites", "import", str(bad), archive=tmp_path)
    one_line_error(result, 2)
    assert "bad.opml" in result.stderr


def test_export_is_opml_2_that_imports_back_the_same(tmp_path: Path) -> None:
    (tmp_path / "in.opml").write_bytes(OPML)
    run_cli("sites", "import", str(tmp_path / "in.opml"), archive=tmp_path / "a")
    run_cli("sites", "add", "plain.example", archive=tmp_path / "a")
    out = tmp_path / "out.opml"
    assert run_cli("sites", "export", "-o", str(out), archive=tmp_path / "a").returncode == 0
    assert b'<opml version="2.0">' in out.read_bytes()
    subs = {s.url: s for s in read_opml(out.read_bytes())}
    assert subs["https://plain.example/"].feed_url is None
    assert subs["https://ada.example/"].title == "Ada's notes"
    assert run_cli("sites", "import", str(out), archive=tmp_path / "b").returncode == 0
    keep = ("url", "title", "feed_url")
    assert ([{k: e[k] for k in keep} for e in listed(tmp_path / "b")]
            == [{k: e[k] for k in keep} for e in listed(tmp_path / "a")])
    printed = run_cli("sites", "export", archive=tmp_path / "a").stdout.encode()
    assert {s.url for s in read_opml(printed)} == set(subs)


def test_remove_unknown_is_a_message_and_exit_1(tmp_path: Path) -> None:
    run_cli("sites", "add", "a.example", "b.example", archive=tmp_path)
    result = run_cli("sites", "remove", "https://a.example/", "nothere.example", archive=tmp_path)
    assert result.returncode == 1 and "not listed: nothere.example" in result.stderr
    assert result.stdout.startswith("removed: https://a.example/")
    assert [e["url"] for e in listed(tmp_path)] == ["https://b.example/"]


def test_an_empty_list_says_how_to_add(tmp_path: Path) -> None:
    result = run_cli("sites", "list", archive=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "no sites: blogarchive sites add URL"
    assert listed(tmp_path) == []
    assert not Layout(tmp_path).sites_path.exists()  # listing creates nothing


@pytest.mark.parametrize("command", ["add", "import", "export", "list", "remove", ""])
def test_every_subcommand_has_help_with_an_example(command: str) -> None:
    result = run_cli("sites", *([command] if command else []), "--help")
    assert result.returncode == 0 and "Example:" in result.stdout and "blogarchive sites" in (
        result.stdout)


# -- health rules (archive/sites/registry.py) ----------------------------------------------------
def test_failures_count_up_mark_gone_after_n_and_a_success_clears_them(tmp_path: Path) -> None:
    with Registry.open(tmp_path) as registry:
        registry.add("http://a.example/")
        for run in range(1, 4):
            registry.record(Outcome("a.example", False, "HTTP 503"), gone_after=3, when=f"t{run}")
            site = registry.get("a.example")
            assert site is not None and site.failures == run and site.last_error == "HTTP 503"
            assert (site.gone_at, site.status) == (("t3", "gone") if run == 3 else (None, "failing"))
        registry.record(Outcome("a.example", False, "HTTP 503"), gone_after=3, when="t4")
        assert registry.get("a.example").gone_at == "t3"  # type: ignore[union-attr]
        registry.record(Outcome("a.example", True, changes=0), gone_after=3, when="t5")
        site = registry.get("a.example")
        assert site is not None and (site.failures, site.gone_at, site.status) == (0, None, "ok")
        assert (site.last_success, site.last_change, site.last_attempt) == ("t5", None, "t5")
        registry.record(Outcome("a.example", True, changes=2), gone_after=3, when="t6")
        assert registry.get("a.example").last_change == "t6"  # type: ignore[union-attr]
        assert not registry.record(Outcome("unlisted.example", True), gone_after=3)


def test_a_move_repoints_the_entry_or_marks_it_superseded(tmp_path: Path) -> None:
    with Registry.open(tmp_path) as registry:
        registry.add("http://old.example/")
        assert registry.move("old.example", "https://new.example/", when="t1")
        moved = registry.get("new.example")
        assert moved is not None and registry.get("old.example") is None
        assert (moved.url, moved.moved_from, moved.moved_at) == (
            "https://new.example/", "http://old.example/", "t1")
        assert moved.status == "moved http://old.example/ → https://new.example/"
        registry.add("http://twin.example/")
        registry.add("http://other.example/")
        registry.move("twin.example", "http://other.example/")  # the new address is listed too
        twin = registry.get("twin.example")
        assert twin is not None and twin.superseded and twin.status.startswith("moved → ")
        assert registry.crawl_urls() == ["https://new.example/", "http://other.example/"]


def _record_many(root: str) -> None:
    with Registry.open(Path(root)) as registry:
        for _ in range(50):
            registry.record(Outcome("a.example", False, "x"), gone_after=1000)


def test_workers_recording_at_once_wait_for_each_other(tmp_path: Path) -> None:
    """Scale-out: several processes record into one list; none fails on a locked database."""
    with Registry.open(tmp_path) as registry:
        registry.add("http://a.example/")
    holder = sqlite3.connect(Layout(tmp_path).sites_path)
    holder.execute("BEGIN IMMEDIATE")  # a writer holding the lock while the others start
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_record_many, args=(str(tmp_path),)) for _ in range(3)]
    for worker in workers:
        worker.start()
    holder.execute("UPDATE sites SET failures = failures")
    time.sleep(2)  # the workers start and meet the lock meanwhile
    holder.commit()
    holder.close()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with Registry.open(tmp_path) as registry:
        assert registry.get("a.example").failures == 150  # type: ignore[union-attr]


# -- the crawl command's side (crawler/sitelist.py) -------------------------------------------------
def _crawl(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "scrapy"), "crawl", "blog", "-s", f"ARCHIVE_DIR={archive}",
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)


def test_sites_all_with_an_empty_list_is_one_line(tmp_path: Path) -> None:
    result = _crawl(tmp_path, "-a", "sites=all")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert errors == ["scrapy: error: no sites: blogarchive sites add URL"], result.stderr[-2000:]


@pytest.mark.parametrize(("args", "message"), [
    (["-a", "sites=some"], "sites='some': use sites=all"),
    (["-a", "sites=all", "-s", "SITES_GONE_AFTER=0"], "SITES_GONE_AFTER='0': use a number"),
])
def test_bad_sites_arguments_stop_at_start_up(tmp_path: Path, args: list[str],
                                              message: str) -> None:
    run_cli("sites", "add", "http://127.0.0.1:9/", archive=tmp_path)
    result = _crawl(tmp_path, *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def test_a_blog_is_gone_after_five_failed_runs_by_default() -> None:
    assert product.SITES_GONE_AFTER == 5  # as the README says


@pytest.mark.parametrize(("location", "expected"), [
    (b"https://new.example/", "https://new.example/"),
    (b"//new.example/blog/?utm_source=x", "http://new.example/blog/"),
    (b"https://old.example/", None),       # http to https on the same host: no move
    (b"/blog/", None),
    (b"http://old.example:8080/", "http://old.example:8080/"),  # another port: another site
    (b"http://[::1", None),                 # unparsable: left to the redirect middleware
    (b"", None),
])
def test_which_redirects_are_moves(location: bytes, expected: str | None) -> None:
    response = Response("http://old.example/", status=301,
                        headers={"Location": location} if location else {})
    assert moved_target("http://old.example/", response) == expected
