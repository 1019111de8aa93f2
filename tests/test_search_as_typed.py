"""`blogarchive search` does what people type (issue 20, point 3), run as the console script.

A leading ``-word`` (as a shell word or inside the quoted query), an unknown ``field:``, an unclosed
quote, a query of excluded words only, comments (``comment:`` and ``--comments``, also in an archive
whose index predates them) and ``site:`` with or without the port.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive.layout import Layout
from archive.search.query import FILTER_KEYS
from tests.conftest import CrawlRun, run_cli

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def archive(crawled: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("typed") / "archive"
    shutil.copytree(crawled.archive, target)
    return target


def urls(archive: Path, *args: str) -> list[str]:
    result = run_cli("search", "--json", "--limit", "1000", *args, archive=archive)
    assert result.returncode == 0, (args, result.stderr)
    return [json.loads(line)["url"] for line in result.stdout.splitlines()]


def refused(archive: Path, *args: str) -> str:
    result = run_cli("search", *args, archive=archive)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, (args, result.stderr)
    assert "Traceback" not in result.stderr and not result.stdout
    return lines[0]


def test_a_leading_minus_word_works_however_it_is_typed(archive: Path) -> None:
    everything = urls(archive, "russia")
    wanted = urls(archive, "russia -talks")
    assert wanted and set(wanted) < set(everything)
    for typed in (["-talks", "russia"], ["-talks russia"], ["--", "-talks", "russia"],
                  ["russia", "-talks"], ["-talks", "--limit", "1000", "russia"]):
        assert urls(archive, *typed) == wanted, typed
    help_text = run_cli("search", "--help").stdout
    assert "-tariff budget" in help_text and "Example" in help_text


def test_a_query_of_excluded_words_only_is_an_error_with_a_hint(archive: Path) -> None:
    for typed in (["-talks"], ["-talks -russia"], ["site:127.0.0.1", "-talks"]):
        line = refused(archive, *typed)
        assert "add a word to look for" in line and "budget -tariff" in line, line


def test_an_unknown_field_is_an_error_naming_the_known_ones(archive: Path) -> None:
    line = refused(archive, "autor:ada")
    assert "unknown field autor:" in line
    assert all(f"{key}:" in line for key in FILTER_KEYS), line
    assert urls(archive, '"autor:ada"') == []  # the hint's own advice runs
    assert urls(archive, "http://example.org/x") == []  # a pasted URL is words, not a field


def test_an_unclosed_quote_is_an_error(archive: Path) -> None:
    for typed in ('"no progress', 'author:"Anna', 'russia "talks'):
        assert "never closed" in refused(archive, typed), typed


def comment_only_word(archive: Path) -> tuple[str, set[str]]:
    """A word of some comment that no post's title or text holds, and the posts it is under."""
    db = sqlite3.connect(Layout(archive).catalog_path)
    texts = " ".join(
        " ".join(str(field or "") for field in fields) + " "
        + (Layout(archive).root / path).read_text(encoding="utf-8")
        for *fields, path in db.execute(
            "SELECT title, author, categories, tags, text_path FROM versions")).lower()
    comments = db.execute(
        "SELECT p.url, c.author || ' ' || c.text FROM comments c JOIN versions v "
        "ON v.id = c.version_id JOIN posts p ON p.id = v.post_id WHERE v.version = "
        "(SELECT MAX(version) FROM versions WHERE post_id = p.id)").fetchall()
    db.close()
    for _url, text in comments:
        for word in re.findall(r"[A-Za-z]{5,}", text):
            if word.lower() not in texts:
                holders = {url for url, other in comments
                           if re.search(rf"\b{word}\b", other, re.IGNORECASE)}
                return word, holders
    raise AssertionError("no comment word absent from every post")


def test_comments_are_searchable(archive: Path) -> None:
    word, holders = comment_only_word(archive)
    assert holders
    assert urls(archive, word) == []  # the post alone, as the reader shows it
    assert set(urls(archive, f"comment:{word}")) == holders
    assert set(urls(archive, "--comments", word)) == holders
    result = run_cli("search", f"comment:{word}", archive=archive)
    assert result.returncode == 0 and "in a comment: " in result.stdout and f"[{word}" in result.stdout


def test_an_index_made_before_comments_is_rebuilt_and_loses_nothing(archive: Path,
                                                                     tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(archive, old)
    word, holders = comment_only_word(old)
    path = Layout(old).catalog_path
    db = sqlite3.connect(path)
    before = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("posts", "versions", "comments")]
    with db:  # the index as the release before comments made it: five columns, all filled
        db.execute("DROP TABLE IF EXISTS search_fts")
        db.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, categories, tags, author, "
                   "body, tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3')")
        db.execute("INSERT INTO search_fts (rowid, title) SELECT p.id, 'x' FROM posts p")
        db.execute("DELETE FROM search_dirty")
    db.close()
    assert set(urls(old, f"comment:{word}")) == holders
    assert urls(old, "russia") == urls(archive, "russia")
    db = sqlite3.connect(path)
    after = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
             for t in ("posts", "versions", "comments")]
    columns = [row[1] for row in db.execute("SELECT * FROM pragma_table_info('search_fts')")]
    db.close()
    assert after == before and "comments" in columns


def test_site_matches_a_host_with_or_without_its_port(archive: Path) -> None:
    listed = [json.loads(line) for line in
              run_cli("list", "--json", archive=archive).stdout.splitlines()]
    sites = {str(r["site"]) for r in listed}
    assert all(":" in site for site in sites)  # the fixture blogs all run on a port
    host = sorted(sites)[0].rsplit(":", 1)[0]
    on_host = sorted(str(r["url"]) for r in listed if urlsplit(str(r["url"])).hostname == host)
    assert len({urlsplit(u).port for u in on_host}) > 1  # several blogs share the host
    assert sorted(urls(archive, f"site:{host}")) == on_host
    one = sorted(sites)[0]
    assert sorted(urls(archive, f"site:{one}")) == sorted(
        str(r["url"]) for r in listed if r["site"] == one)
    assert sorted(str(json.loads(line)["url"]) for line in run_cli(
        "list", "--json", "--site", host, archive=archive).stdout.splitlines()) == on_host
