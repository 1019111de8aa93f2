"""Every export format ends the same way on the same mistake (issue 20, point 5).

An empty selection: one line, exit status 1, nothing written, the same words whatever the format.
An output path in a folder that does not exist: one line naming the folder, exit status 2, and no
folder made (a typo in a path must not grow folders somewhere on the disk).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.cli.export import FORMATS
from tests.conftest import CrawlRun, run_cli

pytestmark = pytest.mark.e2e


def one_line(result_stderr: str) -> str:
    lines = result_stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result_stderr, result_stderr
    return lines[0]


def test_an_empty_selection_is_the_same_error_in_every_format(crawled: CrawlRun,
                                                              tmp_path: Path) -> None:
    said = {}
    for fmt in FORMATS:
        target = tmp_path / f"out-{fmt}"
        result = run_cli("export", "--format", fmt, "--category", "no-such-category", str(target),
                         archive=crawled.archive)
        assert result.returncode == 1, (fmt, result.stdout, result.stderr)
        said[fmt] = one_line(result.stderr).replace(str(target), "TARGET")
        assert not target.exists(), fmt
    assert len(set(said.values())) == 1, said
    assert "no posts match this selection (category no-such-category)" in said["epub"]


def test_a_selection_that_matches_exports_in_every_format(crawled: CrawlRun, tmp_path: Path
                                                          ) -> None:
    """The check above is not a refusal of everything: the same command with a real category."""
    for fmt in FORMATS:
        target = tmp_path / f"out-{fmt}"
        result = run_cli("export", "--format", fmt, "--category", "News", str(target),
                         archive=crawled.archive)
        assert result.returncode == 0 and target.exists(), (fmt, result.stderr)


def test_a_missing_output_folder_is_exit_2_naming_it(crawled: CrawlRun, tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such"
    for fmt in FORMATS:
        result = run_cli("export", "--format", fmt, str(missing / f"out.{fmt}"),
                         archive=crawled.archive)
        assert result.returncode == 2, (fmt, result.stderr)
        assert f"the folder {missing} does not exist" in one_line(result.stderr)
        assert not (tmp_path / "no").exists(), fmt


def test_a_file_format_into_a_folder_and_markdown_into_a_file(crawled: CrawlRun,
                                                              tmp_path: Path) -> None:
    for fmt in FORMATS:
        if fmt == "markdown":
            target = tmp_path / "a-file.md"
            target.write_text("mine\n")
        else:
            target = tmp_path
        result = run_cli("export", "--format", fmt, str(target), archive=crawled.archive)
        assert result.returncode == 2 and str(target) in one_line(result.stderr), fmt
    assert (tmp_path / "a-file.md").read_text() == "mine\n"
