"""`make demo` as a new user meets it (issue 20): two crawls around a change, no Scrapy chatter,
what the archive kept, and commands that work when pasted as printed.

The demo runs the way ``make demo`` runs it (``python -m tests.demo``, the project's settings, not
the test suite's), into a temporary archive. Every command it suggests is then run exactly as
printed, through a shell, from the project root; ``serve`` is started, asked for its home page
and stopped.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import demo
from tests.conftest import ROOT
from tests.fixtures.blogs import BLOGS
from tests.fixtures.blogs.mutations import EDIT_NOTE
from tests.fixtures.blogs.photos import files

pytestmark = pytest.mark.e2e

CHATTER = ("Scrapy 2.", "Versions:", "Enabled addons", "Overridden settings", "Enabled extensions",
           "Enabled downloader middlewares", "Enabled spider middlewares", "Enabled item pipelines",
           "Telnet", "Spider opened", "Dumping Scrapy stats", "Closing spider", "Spider closed",
           "[scrapy.", "'downloader/request_count'", "scrapy.extensions")
SUMMARY = re.compile(r"Crawl finished \(finished\): (\d+) posts found: (\d+) new, (\d+) changed, "
                     r"(\d+) unchanged, (\d+) deleted, (\d+) failed; .*requisites: (\d+) fetched")


@dataclass
class Demo:
    output: str
    seconds: float
    archive: Path

    def section(self, start: str, end: str) -> str:
        return self.output.split(start, 1)[1].split(end, 1)[0]

    def suggested(self) -> list[str]:
        """The commands under "Try it yourself", as printed (indented four spaces)."""
        block = self.section("Try it yourself", "\n\n")
        return [line[4:] for line in block.splitlines() if line.startswith("    ")]

    def serve_command(self) -> str:
        return self.output.split("Read the archive in your browser", 1)[1].splitlines()[1].strip()


def words(command: str) -> list[str]:
    """A printed command's words, as the shell splits them (its ``# why`` comment dropped)."""
    return shlex.split(command, comments=True)


def user_env() -> dict[str, str]:
    """The environment of a user's shell: without the test suite's crawl settings module."""
    return {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    archive = tmp_path_factory.mktemp("demo") / "archive-data"
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "tests.demo", "--archive", str(archive)],
                            cwd=ROOT, env=user_env(), capture_output=True, text=True, timeout=300,
                            check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    return Demo(output, time.monotonic() - started, archive)


def shell(command: str) -> subprocess.CompletedProcess[str]:
    """Run a printed command as pasted into a shell at the project root."""
    return subprocess.run(["bash", "-c", command], cwd=ROOT, env=user_env(), capture_output=True,
                          text=True, timeout=120, check=False)


def test_demo_is_quick_and_free_of_scrapy_chatter(ran: Demo) -> None:
    assert ran.seconds < 90
    noisy = [line for line in ran.output.splitlines() if any(word in line for word in CHATTER)]
    assert noisy == []
    assert not re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[", ran.output, re.M)  # no log prefixes


def test_both_crawls_show_progress_and_a_summary(ran: Demo) -> None:
    crawls = ran.output.split("$ ")[1:3]
    assert all(" crawl http" in crawl for crawl in crawls)  # blogarchive crawl URL...
    progress = [len(re.findall(r"^    Progress: \d+ posts found", crawl, re.M)) for crawl in crawls]
    reports = sorted((ran.archive / "runs").glob("*.json"))
    durations = [json.loads(path.read_text())["duration"] for path in reports]
    assert len(durations) == 2 and sum(progress) >= 1
    # progress every PROGRESS_INTERVAL seconds; a busy reactor skips some, a short crawl has none
    assert all(lines >= 1 for lines, duration in zip(progress, durations, strict=True)
               if duration >= 2 * demo.PROGRESS_INTERVAL), (progress, durations)
    summaries = [SUMMARY.search(crawl) for crawl in crawls]
    assert all(summaries), crawls
    first, second = (tuple(int(n) for n in match.groups()) for match in summaries if match)
    total = sum(len(BLOGS[name].posts) for name in demo.DEMO_BLOGS)
    assert first[:2] == (total, total) and first[5] == 0
    assert second[1] == 1 and second[4] == 1 and second[5] == 0  # one new, one deleted
    assert first[6] > 0  # page requisites fetched


def test_requisites_and_reading_copy_are_shown(ran: Demo) -> None:
    kept = re.search(r"keeps what their pages need to look as they did: (.*)\.", ran.output)
    assert kept, ran.output
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+?)s?(?:,|$)", kept.group(1))}
    images = [path for path, kind, _ in files() if kind.startswith("image/")]
    assert counts.get("image", 0) >= len(images) and counts.get("stylesheet", 0) >= 1
    copy = ran.section("--format markdown | head -n", "Try it yourself")
    assert re.search(r"^> \S", copy, re.M)                       # a quote stays a quote
    assert re.search(r"^!\[[^\]]+\]\(http://127\.0\.0\.1:\d+/wp-content/uploads/", copy, re.M)


def test_suggested_commands_work_as_printed(ran: Demo) -> None:
    commands = ran.suggested()
    assert {words(c)[3] for c in commands} >= {"list", "runs", "changes", "history", "diff",
                                                      "show"}
    results = {command: shell(command) for command in commands}
    failed = {c: r.stdout + r.stderr for c, r in results.items() if r.returncode != 0 or not r.stdout}
    assert failed == {}
    by_name = {words(c)[3]: r.stdout for c, r in results.items()}
    edited = next(words(c)[4] for c in commands if words(c)[3] == "history")
    assert by_name["history"].count("\n") == 2 and re.search(r"^v2 ", by_name["history"], re.M)
    assert "{+" + EDIT_NOTE.split(",")[0] in by_name["diff"]
    assert edited in by_name["list"] and edited in by_name["changes"]
    assert len(re.findall(r"^run ", by_name["changes"], re.M)) == 2
    last_run = by_name["changes"].rsplit("\nrun ", 1)[1]
    kinds = re.findall(r"^  (new|edited|deleted|comments) ", last_run, re.M)
    assert sorted(kinds) == ["comments", "deleted", "edited", "new"]
    assert len(by_name["runs"].strip().splitlines()) == 2


def test_commands_are_printed_from_the_project_root(ran: Demo) -> None:
    for command in ran.suggested():
        program, flag, archive = words(command)[:3]
        assert (ROOT / program).exists() and flag == "--archive"
        assert (ROOT / archive).resolve() == ran.archive.resolve()
    venv = ROOT / ".venv" / "bin"
    paths = demo.Paths(venv, ROOT / "archive-data")
    assert paths.cli("list") == [".venv/bin/blogarchive", "--archive", "archive-data", "list"]


@pytest.fixture
def served(ran: Demo) -> Iterator[tuple[subprocess.Popen[str], str]]:
    command = ran.serve_command()
    with subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=ROOT, env=user_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        try:
            yield process, command
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_serve_is_pointed_to_and_serves_the_printed_address(
        served: tuple[subprocess.Popen[str], str]) -> None:
    process, command = served
    assert words(command)[3:] == ["serve"]
    assert process.stdout is not None
    first = process.stdout.readline()
    assert f"at {demo.SERVE_URL} " in first, first
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(demo.SERVE_URL, timeout=5) as page:
                assert page.status == 200 and b"Harbour Light" in page.read()
                return
        except OSError:
            assert time.monotonic() < deadline, "serve did not answer"
            time.sleep(0.2)


def test_the_crawl_log_keeps_progress_summary_and_warnings_only() -> None:
    log = ["INFO [scrapy.utils.log] Scrapy 2.19.0 started (bot: blogarchive)\n",
           "INFO [scrapy.middleware] Enabled extensions:\n", "['scrapy.extensions.corestats.CoreStats',\n",
           "INFO [blogarchive.report] Progress: 3 posts found\n",
           "WARNING [crawler.sitehealth] 127.0.0.1:1 answered 503 twice:\n", "  retrying later\n",
           "INFO [scrapy.statscollectors] Dumping Scrapy stats:\n", "{'downloader/request_count': 9,\n",
           "ERROR [blogarchive.report] Crawl FAILED (no site answered): 0 posts found\n"]
    assert list(demo.interesting(log)) == [
        "Progress: 3 posts found", "WARNING: 127.0.0.1:1 answered 503 twice:", "  retrying later",
        "Crawl FAILED (no site answered): 0 posts found"]


def test_a_failed_crawl_shows_why_and_its_status(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    paths = demo.Paths(Path(sys.executable).parent, tmp_path / "archive-data")
    assert demo.crawl(paths, ["ftp://nowhere.example/"]) == 2
    shown = capsys.readouterr().out
    assert "The crawl failed (exit status 2)" in shown
    assert shown.rstrip().endswith("blogarchive crawl: error: url='ftp://nowhere.example/' is not an "
                                   "http(s) URL: use -a url=https://example.org/")


def test_the_demo_leaves_an_archive_it_did_not_make_alone(tmp_path: Path) -> None:
    (tmp_path / "catalog.sqlite").write_bytes(b"someone's archive")
    result = subprocess.run([sys.executable, "-m", "tests.demo", "--archive", str(tmp_path)],
                            cwd=ROOT, env=user_env(), capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"{tmp_path} holds an archive that is not the demo's: pass --archive to use another directory"]
    assert (tmp_path / "catalog.sqlite").read_bytes() == b"someone's archive"
