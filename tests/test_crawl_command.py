"""``blogarchive crawl``: the project's ``scrapy crawl blog``, run from a folder that is not the project.

Each crawl here is started as a user types it, in a temporary directory with no ``scrapy.cfg`` and
no ``SCRAPY_SETTINGS_MODULE``: the command must find the project's settings itself. Requisites
stay on loopback hosts through ``-s ARCHIVE_REQUISITE_HOSTS=localhost`` (what
``tests/crawl_settings.py`` sets for the other crawls).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import BIN, ROOT, FixtureServer, run_crawl

LOOPBACK = ("-s", "ARCHIVE_REQUISITE_HOSTS=localhost", "-s", "AUTOTHROTTLE_ENABLED=0")


def user_env() -> dict[str, str]:
    """A user's environment: the project importable (as once installed), no Scrapy project named."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    return {**env, "PYTHONPATH": str(ROOT)}


def blogarchive(cwd: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "blogarchive"), *args], cwd=cwd, env=user_env(),
                          capture_output=True, text=True, timeout=timeout, check=False)


def posts(archive: Path) -> set[str]:
    listed = subprocess.run([str(BIN / "blogarchive"), "--archive", str(archive), "list", "--json"],
                            capture_output=True, text=True, check=True, env=user_env())
    return {json.loads(line)["url"] for line in listed.stdout.splitlines()}


def last_report(archive: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(sorted((archive / "runs").glob("*.json"))[-1].read_text())
    return data


def test_scrapy_crawl_alone_needs_the_project_folder(server: FixtureServer, tmp_path: Path) -> None:
    """Why the command exists: outside the project, `scrapy crawl blog` does not know the spider."""
    result = subprocess.run([str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={server.urls['classic']}"],
                            cwd=tmp_path, env=user_env(), capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode != 0
    assert not (tmp_path / "archive-data").exists()


def test_same_crawl_as_scrapy_crawl_from_any_folder(server: FixtureServer, tmp_path: Path) -> None:
    blogs = ("classic", "feedonly")
    reference = run_crawl(server, tmp_path / "scrapy", blogs)
    assert reference.returncode == 0, reference.log[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    server.reset()
    result = blogarchive(elsewhere, "--archive", str(tmp_path / "cli"), "crawl",
                         *(server.urls[name] for name in blogs), *LOOPBACK)
    assert result.returncode == 0, result.stderr[-3000:]
    assert posts(tmp_path / "cli") == posts(tmp_path / "scrapy")
    assert len(posts(tmp_path / "cli")) > 10
    assert not list(elsewhere.iterdir())  # nothing written into the folder it ran from


def test_arguments_and_settings_reach_the_crawl(server: FixtureServer, tmp_path: Path) -> None:
    args = ("-a", "max_posts=2", "-s", "PROGRESS_INTERVAL=0", "-s", "ARCHIVE_WARC_PREFIX=viacli")
    reference = run_crawl(server, tmp_path / "scrapy", ["classic"], *args)
    assert reference.returncode == 0, reference.log[-3000:]
    server.reset()
    result = blogarchive(tmp_path, "crawl", server.urls["classic"], *LOOPBACK, *args,
                         "--archive", str(tmp_path / "cli"))
    assert result.returncode == 0, result.stderr[-3000:]
    for archive in (tmp_path / "scrapy", tmp_path / "cli"):
        report = last_report(archive)
        assert report["reason"] == "max_posts" and report["new"] == 2, report
        assert {p.name.split("-")[0] for p in archive.rglob("*.warc.gz")} == {"viacli"}
    assert "Progress:" not in result.stderr


def test_archive_dir_comes_from_the_environment_as_for_other_commands(
        server: FixtureServer, tmp_path: Path) -> None:
    env = {**user_env(), "ARCHIVE_DIR": str(tmp_path / "from-env")}
    result = subprocess.run([str(BIN / "blogarchive"), "crawl", server.urls["feedonly"], *LOOPBACK],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert posts(tmp_path / "from-env")


@pytest.mark.parametrize(("args", "says"), [
    (["https://example.org/", "-a", "since=last tuesday-ish"], "since="),
    (["https://example.org/", "-a", "max_posts"], "-a 'max_posts'"),
    (["https://example.org/", "-s", "SCALE_WORKER_TIMEOUT=x"], "SCALE_WORKER_TIMEOUT"),
    (["ftp://example.org/"], "not an http(s) URL"),
    ([], "no blog to crawl"),
    (["https://example.org/", "-a", "url=https://example.net/"], "not both"),
    (["https://example.org/", "--archive", "a", "-s", "ARCHIVE_DIR=b"], "give the archive once"),
])
def test_a_bad_argument_is_one_line_and_exit_status_2(tmp_path: Path, args: list[str],
                                                      says: str) -> None:
    result = blogarchive(tmp_path, "--archive", str(tmp_path / "a"), "crawl", *args, timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "a" / "runs").exists()


def test_exit_status_is_the_crawls_when_it_fails(tmp_path: Path) -> None:
    """Nothing answers at all: the run report says failed, and so does the exit status."""
    result = blogarchive(tmp_path, "--archive", str(tmp_path / "a"), "crawl", "http://127.0.0.1:9/",
                         *LOOPBACK, "-s", "RETRY_TIMES=0")
    assert last_report(tmp_path / "a")["outcome"] == "failed"
    assert result.returncode == 1, result.stderr[-3000:]


def test_ctrl_c_stops_the_crawl_gracefully(server: FixtureServer, tmp_path: Path) -> None:
    """One SIGINT, as Ctrl-C sends: Scrapy's graceful stop, the WARC finished and the run reported."""
    slow = ("-s", "DOWNLOAD_DELAY=0.5", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    process = subprocess.Popen([str(BIN / "blogarchive"), "--archive", str(tmp_path / "a"), "crawl",
                                server.urls["classic"], *LOOPBACK, *slow],
                               cwd=tmp_path, env=user_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list((tmp_path / "a").rglob("*.warc.gz.open")) and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert "Received SIGINT, shutting down gracefully" in stderr, stderr[-3000:]
    report = last_report(tmp_path / "a")
    assert report["reason"] == "shutdown", report
    assert not list((tmp_path / "a").rglob("*.open"))
    assert process.returncode == (1 if report["outcome"] == "failed" else 0), stderr[-3000:]


def test_help_has_examples() -> None:
    result = subprocess.run([str(BIN / "blogarchive"), "crawl", "--help"], capture_output=True,
                            text=True, check=True, env=user_env())
    for example in ("blogarchive crawl https://example.org/", "-a sites=all", "-a since=",
                    "-a revalidate=1"):
        assert example in result.stdout
