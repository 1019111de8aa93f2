"""Scale-out: several `scrapy crawl blog` workers share one Redis frontier and one archive.

A real `redis-server` is started per test on 127.0.0.1 (a free port, no persistence, its own
directory) and stopped by pid. Workers are started concurrently as a user would, with the same
command plus `-s REDIS_URL=...`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive.catalog.shards import catalog_paths, shard_paths
from archive.layout import Layout
from tests.conftest import BIN, FAST, GOOD_BLOGS, ROOT, run_cli
from tests.fixtures.blogs import BLOGS
from tests.fixtures.server import FixtureServer

pytestmark = [
    pytest.mark.redis, pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]
pytest.importorskip("scrapy_redis")


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = tmp_path / "redis"
    data.mkdir()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(data)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def start_worker(server: FixtureServer, archive: Path, redis: str, blogs: tuple[str, ...],
                 *args: str) -> subprocess.Popen[str]:
    urls = ",".join(server.urls[name] for name in blogs)
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={urls}",
               "-s", f"ARCHIVE_DIR={archive}", "-s", f"REDIS_URL={redis}",
               "-s", "SCALE_WORKER_TIMEOUT=5", "-s", "EXTRACT_WORKERS=1", *FAST, *args]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def finish(worker: subprocess.Popen[str]) -> str:
    log, _ = worker.communicate(timeout=300)
    assert worker.returncode == 0, log[-4000:]
    return log


def expected_posts(server: FixtureServer, blogs: tuple[str, ...]) -> set[str]:
    return {BLOGS[name].post_url(server.urls[name], post) for name in blogs
            for post in BLOGS[name].posts}


def version_urls(paths: list[Path]) -> Counter[str]:
    """One count per catalogued version, over every catalog file given."""
    counts: Counter[str] = Counter()
    for path in paths:
        db = sqlite3.connect(path)
        counts.update(row[0] for row in db.execute(
            "SELECT p.url FROM versions v JOIN posts p ON p.id = v.post_id"))
        db.close()
    return counts


def has_versions(shard: Path) -> bool:
    """Polled while a worker runs: a shard it is still creating has no tables for an instant."""
    try:
        return bool(version_urls([shard]))
    except sqlite3.OperationalError:
        return False


def warcio_check(archive: Path) -> None:
    warcs = Layout(archive).warc_dir
    files = sorted(warcs.glob("*.warc.gz"))
    assert files and not list(warcs.glob("*.open"))
    result = subprocess.run([str(Path(sys.executable).with_name("warcio")), "check", "-v",
                             *map(str, files)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr


def merge_and_check(archive: Path, expected: set[str]) -> None:
    merged = run_cli("merge", archive=archive)
    assert merged.returncode == 0, merged.stderr
    assert not shard_paths(Layout(archive))
    assert version_urls([Layout(archive).catalog_path]) == Counter(expected)
    again = run_cli("merge", archive=archive)
    assert again.returncode == 0 and "merged 0 shards" in again.stdout
    listed = run_cli("list", "--json", archive=archive)
    assert len(listed.stdout.splitlines()) == len(expected)


def test_two_workers_fetch_and_archive_every_post_once(server: FixtureServer, tmp_path: Path,
                                                       redis_url: str) -> None:
    archive = tmp_path / "archive"
    server.reset()
    workers = [start_worker(server, archive, redis_url, GOOD_BLOGS) for _ in range(2)]
    logs = [finish(worker) for worker in workers]
    for number, log in enumerate(logs):
        (tmp_path / f"worker-{number}.log").write_text(log)
    expected = expected_posts(server, GOOD_BLOGS)

    shards = shard_paths(Layout(archive))
    assert {p.stem for p in shards} <= {f"{socket.gethostname().split('.')[0].lower()}-{w.pid}"
                                         for w in workers}
    assert version_urls(catalog_paths(Layout(archive))) == Counter(expected)
    fetched = Counter((r["blog"], r["path"]) for r in server.requests() if r["method"] == "GET")
    for name in GOOD_BLOGS:
        for post in BLOGS[name].posts:
            path = urlsplit(BLOGS[name].post_url(server.urls[name], post)).path
            assert fetched[(name, path)] == 1, [r for r in server.requests() if r["path"] == path]
    assert sum("Spider opened" in log for log in logs) == 2
    for path in Layout(archive).warc_dir.glob("*.warc.gz"):
        assert any(path.name.endswith(f"-{w.pid}.warc.gz") for w in workers), path.name
    warcio_check(archive)

    combined = run_cli("stats", "--json", archive=archive)
    assert combined.returncode == 0, combined.stderr
    listed = run_cli("list", "--json", archive=archive)
    assert len(listed.stdout.splitlines()) == len(expected)
    merge_and_check(archive, expected)


def test_a_killed_worker_loses_nothing(server: FixtureServer, tmp_path: Path,
                                       redis_url: str) -> None:
    archive = tmp_path / "archive"
    blogs = ("classic", "block", "wpcom", "linksonly")
    slow = ("-s", "DOWNLOAD_DELAY=0.3", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    doomed = start_worker(server, archive, redis_url, blogs, *slow)
    survivor = start_worker(server, archive, redis_url, blogs, *slow)
    shard = Layout(archive).shard_path(f"{socket.gethostname().split('.')[0].lower()}-{doomed.pid}")
    deadline = time.monotonic() + 120
    while not (shard.exists() and has_versions(shard)):
        assert time.monotonic() < deadline and doomed.poll() is None, "worker made no progress"
        time.sleep(0.2)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    log = finish(survivor)
    (tmp_path / "survivor.log").write_text(log)
    assert "stopped answering" in log

    expected = expected_posts(server, blogs)
    assert version_urls(catalog_paths(Layout(archive))) == Counter(expected)
    warcio_check(archive)
    merge_and_check(archive, expected)


def test_start_urls_pushed_to_redis_are_crawled(server: FixtureServer, tmp_path: Path,
                                                redis_url: str) -> None:
    archive = tmp_path / "archive"
    port = urlsplit(redis_url).port
    subprocess.run(["redis-cli", "-p", str(port), "lpush", "blog:start_urls",
                    server.urls["block"]], check=True, capture_output=True)
    finish(start_worker(server, archive, redis_url, ("feedonly",)))
    expected = expected_posts(server, ("feedonly", "block"))
    assert version_urls(catalog_paths(Layout(archive))) == Counter(expected)
