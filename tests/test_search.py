"""Full-text search: the query language, the index kept up to date, and `blogarchive search`."""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.extract.model import Extraction
from archive.layout import Layout
from archive.search import QueryError, search
from archive.search.query import parse_query
from archive.store import PostStore
from archive.warc.capture import WarcLocation
from tests.conftest import ROOT, CrawlRun, run_cli
from tests.fixtures.server import FixtureServer

SEED_TITLE = "With No Progress In Talks Russia Will Have To React"


@pytest.fixture(scope="module")
def archive(crawled: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the crawl: searching creates the index inside catalog.sqlite."""
    target = tmp_path_factory.mktemp("search") / "archive"
    shutil.copytree(crawled.archive, target)
    return target


def cli_search(archive: Path, *args: str) -> list[dict[str, object]]:
    result = run_cli("search", "--json", *args, archive=archive)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize(("query", "expected"), [
    ("russia talks", '("russia" AND "talks")'),
    ('"no progress"', '("no progress")'),
    ("archiv*", '("archiv" *)'),
    ("a OR b", '(("a") OR ("b"))'),
    ("a -b", '(("a") NOT ("b"))'),
    ("a NOT (b OR c)", '(("a") NOT ((("b") OR ("c"))))'),
    ("C++ don't", '("C++" AND "don\'t")'),
    ("-b a", '(("a") NOT ("b"))'),
    ("and or not", '("and" AND "or" AND "not")'),
])
def test_queries_become_safe_fts5(query: str, expected: str) -> None:
    assert parse_query(query).fts() == expected


@pytest.mark.parametrize("query", ["NOT x", "a AND", "OR b", "(a", "a)", "*", "", "since:blorp",
                                   "author:\"\"", "a NOT NOT b", 'say "hi',
                                   'author:"Jane', "-b", "-b -c", "autor:ada"])
def test_bad_queries_raise_a_readable_error(query: str) -> None:
    with pytest.raises(QueryError):
        parse_query(query)


def test_filters_are_split_from_words() -> None:
    parsed = parse_query('site:Example.org:8080 author:"Jane Doe" category:News tag:x '
                         "since:2022-01-01 until:'2022-12-31' talks")
    assert parsed.site == "example.org:8080"
    assert parsed.since == datetime(2022, 1, 1, tzinfo=UTC)
    assert 'author : "Jane Doe"' in (parsed.fts() or "")
    assert 'categories : "News"' in (parsed.fts() or "") and '"talks"' in (parsed.fts() or "")


def test_random_input_never_reaches_sqlite_as_an_error(archive: Path) -> None:
    catalog = Catalog(Layout(archive).catalog_path)
    alphabet = 'ab "*()-:NOTAND OR site:tag:+^{}[]\\\'.'
    rng = random.Random(5)
    try:
        for _ in range(300):
            query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 15)))
            with contextlib.suppress(QueryError):
                search(catalog, query, limit=3)
    finally:
        catalog.close()


def test_search_ranks_title_first_with_highlighted_snippets(archive: Path) -> None:
    hits = cli_search(archive, "russia")
    assert hits[0]["title"] == SEED_TITLE
    assert "<mark>Russia</mark>" in str(hits[0]["snippet_html"])
    assert [hit["rank"] for hit in hits] == sorted(hit["rank"] for hit in hits)  # type: ignore[type-var]
    plain = run_cli("search", "russia", "--limit", "1", archive=archive)
    assert plain.stdout.splitlines()[0].endswith(str(hits[0]["url"]))
    assert "[Russia]" in plain.stdout and "<mark>" not in plain.stdout


def test_phrases_prefixes_and_operators(archive: Path) -> None:
    assert [h["title"] for h in cli_search(archive, '"no progress in talks"')] == [SEED_TITLE]
    prefixed = {h["title"] for h in cli_search(archive, "negot*")}
    assert SEED_TITLE in prefixed
    russia = {h["url"] for h in cli_search(archive, "russia")}
    without = {h["url"] for h in cli_search(archive, "russia -talks")}
    assert without and without < russia
    either = {h["url"] for h in cli_search(archive, "russia OR tariff")}
    assert russia < either


def test_filters(archive: Path, server: FixtureServer) -> None:
    site = server.urls["classic"].split("//")[1].rstrip("/")
    assert {h["site"] for h in cli_search(archive, f"site:{site}", "--limit", "100")} == {site}
    dated = cli_search(archive, "since:2022-01-01", "until:2022-01-31", "--limit", "100")
    assert dated and all(str(h["published"])[:7] == "2022-01" for h in dated)
    news = cli_search(archive, "category:news", "--limit", "100")
    assert len(news) == 6
    assert "Why the Budget Debate Matters" in {h["title"] for h in cli_search(archive, "tag:budget")}
    keller = cli_search(archive, 'author:"Anna Keller"', "--limit", "100")
    assert keller and all(h["author"] == "Anna Keller" for h in keller)
    assert len(cli_search(archive, "category:news", "--limit", "2")) == 2


def test_bad_query_is_one_line_and_exit_2(archive: Path) -> None:
    result = run_cli("search", "NOT", "russia", archive=archive)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "NOT needs words before it" in result.stderr
    assert "Traceback" not in result.stderr


def test_new_versions_are_indexed_when_stored(archive: Path) -> None:
    """The crawler's write path (PostStore.save) reaches the index through the triggers."""
    layout = Layout(archive)
    catalog = Catalog(layout.catalog_path)
    try:
        row = catalog.find("1")
        assert row is not None and search(catalog, "russia", limit=1)
        PostStore(layout, catalog).save(
            row["url"], row["fetched_url"], datetime.now(UTC),
            Extraction.from_dict({"title": "Zanzibar edition", "text": "A quokka appeared.",
                                  "published": row["published"]}),
            WarcLocation(row["warc_file"], row["warc_offset"], row["warc_length"],
                         row["record_id"]))
        hits = search(catalog, "quokka")
        assert [h.url for h in hits] == [row["url"]] and hits[0].title == "Zanzibar edition"
        assert search(catalog, f'title:"{row["title"]}"') == [] or row["title"] == "Zanzibar edition"
    finally:
        catalog.close()


def test_bench_runs_and_reports_latency() -> None:
    result = subprocess.run([sys.executable, "bench/search.py", "--posts", "400"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "median" in result.stdout and "p95" in result.stdout and "PASS" in result.stdout
