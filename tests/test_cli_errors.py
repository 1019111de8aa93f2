"""Bad input to the reading commands: one line naming the problem, never a traceback (issue 15).

Usage errors (an unparsable URL, a binary file given to ``extract``) exit 2; a damaged catalog row
is repaired (categories/tags shown empty and counted) or gives one line, and never stops a list or
an export at that row.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from archive.layout import Layout
from tests.conftest import run_cli
from tests.test_reader_hostile import URL, hostile_post, save

OTHER = "http://blog.test/2024/02/other/"


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    save(root, hostile_post())
    save(root, replace(hostile_post(), url=OTHER, title="Other post", comments=()), url=OTHER)
    return root


def one_line_error(result: object, code: int) -> None:
    stderr = result.stderr  # type: ignore[attr-defined]
    assert result.returncode == code, (result.returncode, stderr)  # type: ignore[attr-defined]
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert "Traceback" not in stderr and len(errors) == 1, stderr  # click's usage lines aside


@pytest.mark.parametrize("command", ["show", "history", "comments", "diff"])
def test_an_unparsable_url_is_a_usage_error(archive: Path, command: str) -> None:
    result = run_cli(command, "http://[::1", archive=archive)
    one_line_error(result, 2)
    assert "http://[::1" in result.stderr


def test_extract_on_a_binary_file(tmp_path: Path) -> None:
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40)
    result = run_cli("extract", str(binary))
    one_line_error(result, 2)
    assert "binary" in result.stderr


def damage(archive: Path, sql: str, params: tuple[object, ...]) -> None:
    db = sqlite3.connect(Layout(archive).catalog_path)
    with db:
        db.execute(sql, params)
    db.close()


def test_bad_json_in_categories_does_not_stop_list_or_export(archive: Path, tmp_path: Path) -> None:
    damage(archive, "UPDATE versions SET categories = ? WHERE title = ?", ("[not json", "Other post"))
    listed = run_cli("list", "--json", archive=archive)
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    assert len(listed.stdout.splitlines()) == 2 and "1 post(s)" in listed.stderr
    assert run_cli("list", "--category", "News", archive=archive).returncode == 0
    for fmt, target in (("jsonl", tmp_path / "posts.jsonl"), ("markdown", tmp_path / "md"),
                        ("epub", tmp_path / "book.epub")):
        result = run_cli("export", "--format", fmt, str(target), "--json", archive=archive)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        summary = json.loads(result.stdout)
        assert summary["posts"] == 2 and summary["repaired"] == 1, summary


def test_a_text_path_outside_the_archive(archive: Path, tmp_path: Path) -> None:
    damage(archive, "UPDATE versions SET text_path = ? WHERE title = ?",
           ("../../../../etc/passwd", "Other post"))
    for command in ("show", "history", "comments"):
        result = run_cli(command, OTHER, archive=archive)
        one_line_error(result, 1)
        assert "outside the archive" in result.stderr and "root:" not in result.stdout
    assert run_cli("show", URL, archive=archive).returncode == 0
    result = run_cli("export", "--format", "jsonl", str(tmp_path / "p.jsonl"), "--json",
                     archive=archive)
    assert result.returncode == 0 and json.loads(result.stdout)["skipped"] == 1, result.stderr
    assert "outside the archive" in result.stderr
