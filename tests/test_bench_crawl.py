"""The crawl benchmark's two reference clients and its ceiling, on a small generated blog.

Timing is never asserted (it lives in the benchmark's output); these tests check that the bare
Scrapy spider really fetches every post with Scrapy's defaults, that the extraction-only client
extracts every post, and the arithmetic of the ceiling.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench import sitegen
from bench.crawl import POST_PATH, Result, ceilings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTS = 6


class _Handler(SimpleHTTPRequestHandler):
    seen: list[str] = []  # noqa: RUF012 (one list per test run, reset by the fixture)

    def log_message(self, format: str, *args: object) -> None:
        self.seen.append(self.path)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("site")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    sitegen.generate(root, POSTS, base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, base
    server.shutdown()
    server.server_close()


def test_bare_spider_fetches_every_post_with_scrapys_defaults(site: tuple[Path, str],
                                                              tmp_path: Path) -> None:
    _, base = site
    _Handler.seen.clear()
    run = subprocess.run([str(BIN / "scrapy"), "runspider", str(ROOT / "bench" / "bare_spider.py"),
                          "-a", f"url={base}"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    posts = {path for path in _Handler.seen if POST_PATH.match(path)}
    assert len(posts) == POSTS
    assert "/robots.txt" in _Handler.seen
    assert "crawler.middlewares" not in run.stderr  # the project's settings were not loaded
    assert not list(tmp_path.iterdir())  # nothing kept


def test_extract_only_extracts_every_post(site: tuple[Path, str]) -> None:
    root, base = site
    run = subprocess.run([sys.executable, "-m", "bench.extract_only", str(root), base], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    assert run.stdout.strip() == str(POSTS)


def _row(tool: str, wall: float, cpu: float, ok: bool = True) -> Result:
    return Result(tool, 1000, wall, cpu, 0, 0, 1, 0, 1000, 1000, 0, ok)


def test_ceiling_is_cores_over_the_two_floors() -> None:
    rows = [_row("scrapy-bare", 3.0, 3.0), _row("extract-only", 5.0, 5.0), _row("wget", 4.0, 3.5)]
    (line,) = ceilings({1000: rows})
    cores = os.cpu_count() or 1
    assert line["floor_cpu_ms"] == 8.0
    assert line["ceiling_posts_per_s"] == round(cores * 1000 / 8.0, 1)
    assert line["vs_wget"] == round(cores * 1000 / 8.0 / 250.0, 2)


def test_no_ceiling_without_both_floors_or_from_a_failed_run() -> None:
    assert ceilings({1000: [_row("scrapy-bare", 3.0, 3.0)]}) == []
    assert ceilings({1000: [_row("scrapy-bare", 3.0, 3.0), _row("extract-only", 5, 5, ok=False)]}) == []
