"""Shared test set-up: one fixture server per session, and real `scrapy crawl` runs against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.server import FixtureServer

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GOOD_BLOGS = ("classic", "block", "wpcom", "feedonly", "linksonly")
# Every crawl a test starts (subprocesses inherit this) reads tests/crawl_settings.py: requisites
# are asked only from loopback hosts, never from the internet hosts that fixture markup names.
os.environ["SCRAPY_SETTINGS_MODULE"] = "tests.crawl_settings"
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
FAST = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "PROGRESS_INTERVAL=1", "-s", "LOG_LEVEL=INFO")


@dataclass
class CrawlRun:
    archive: Path
    returncode: int
    log: str
    requests: list[dict[str, Any]]

    @property
    def report(self) -> dict[str, Any]:
        reports = sorted((self.archive / "runs").glob("*.json"))
        data: dict[str, Any] = json.loads(reports[-1].read_text())
        return data

    @property
    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.report["stats"]
        return stats


def run_crawl(server: FixtureServer, archive: Path, blogs: tuple[str, ...] | list[str],
              *args: str, env: dict[str, str] | None = None) -> CrawlRun:
    """Run the real `scrapy crawl blog` as a user would, and keep what the server saw."""
    server.reset()
    urls = ",".join(server.urls[name] for name in blogs)
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={urls}",
               "-s", f"ARCHIVE_DIR={archive}", *FAST, *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                            check=False)
    return CrawlRun(archive, result.returncode, result.stdout + result.stderr, server.requests())


def run_cli(*args: str, archive: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `blogarchive` console script exactly as a user types it."""
    prefix = ["--archive", str(archive)] if archive else []
    return subprocess.run([str(BIN / "blogarchive"), *prefix, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="session")
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


@pytest.fixture(scope="session")
def crawled(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    """One crawl of every well-formed fixture blog, shared by the read-only tests."""
    run = run_crawl(server, tmp_path_factory.mktemp("archive"), GOOD_BLOGS)
    assert run.returncode == 0, run.log[-3000:]
    return run


@pytest.fixture(scope="session")
def broken(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    """One crawl of the hostile fixture blog (errors, timeouts, bad XML, redirects)."""
    run = run_crawl(server, tmp_path_factory.mktemp("broken"), ["broken"],
                    "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=1")
    assert run.returncode == 0, run.log[-3000:]
    return run
