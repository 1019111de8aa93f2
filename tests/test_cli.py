"""The `blogarchive` command run as a user runs it, against an archive made by a real crawl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CrawlRun, run_cli
from tests.fixtures.blogs import BLOGS
from tests.fixtures.server import FixtureServer


def test_list_prints_one_line_per_post(crawled: CrawlRun) -> None:
    result = run_cli("list", archive=crawled.archive)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == crawled.stats["posts/archived"]
    assert any("2022-01-12  With No Progress In Talks Russia Will Have To React" in line
               for line in lines)


def test_list_filters_by_site(crawled: CrawlRun, server: FixtureServer) -> None:
    site = server.urls["block"].split("//")[1].rstrip("/")
    result = run_cli("list", "--json", "--site", site, archive=crawled.archive)
    assert len(result.stdout.splitlines()) == len(BLOGS["block"].posts)


def test_show_prints_clean_text_by_url_and_id(crawled: CrawlRun, server: FixtureServer) -> None:
    url = server.urls["wpcom"].rstrip("/") + BLOGS["wpcom"].extra_paths["seed_post"]
    by_url = run_cli("show", url + "?utm_source=feed#comments", archive=crawled.archive)
    assert by_url.returncode == 0, by_url.stderr
    assert by_url.stdout.startswith("With No Progress In Talks Russia Will Have To React")
    assert "Leave a Reply" not in by_url.stdout
    post_id = json.loads(run_cli("show", url, "--json", archive=crawled.archive).stdout)
    assert post_id["title"] == "With No Progress In Talks Russia Will Have To React"


def test_show_unknown_post_is_a_clean_error(crawled: CrawlRun) -> None:
    result = run_cli("show", "https://nowhere.example/x/", archive=crawled.archive)
    assert result.returncode == 1
    assert "no archived post" in result.stderr and "Traceback" not in result.stderr


def test_stats(crawled: CrawlRun) -> None:
    figures = json.loads(run_cli("stats", "--json", archive=crawled.archive).stdout)
    assert figures["posts"] == crawled.stats["posts/archived"]
    assert figures["sites"] == 5 and figures["warc_files"] >= 1 and figures["warc_bytes"] > 0


def test_reads_archive_dir_from_environment(crawled: CrawlRun, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    monkeypatch.setenv("ARCHIVE_DIR", str(crawled.archive))
    result = run_cli("stats", "--json")
    assert json.loads(result.stdout)["posts"] == crawled.stats["posts/archived"]


def test_missing_archive_is_a_clean_error(tmp_path: Path) -> None:
    result = run_cli("list", archive=tmp_path / "none")
    assert result.returncode == 1 and "no archive at" in result.stderr


@pytest.mark.parametrize("command", [[], ["list"], ["show"], ["stats"]])
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0 and "Example" in result.stdout
