"""The WARCs with the field's own tools: cdxj-indexer indexes them, pywb replays them byte for byte."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.layout import Layout
from tests.conftest import CrawlRun
from tests.fixtures.blogs import BLOGS, BROKEN_CASES
from tests.fixtures.server import FixtureServer

pytestmark = pytest.mark.tools
BIN = Path(sys.executable).parent


def warcs(*runs: CrawlRun) -> list[str]:
    return [str(p) for run in runs for p in sorted(Layout(run.archive).warc_dir.glob("*.warc.gz"))]


@pytest.fixture(scope="module")
def index(crawled: CrawlRun, broken: CrawlRun) -> dict[str, list[dict[str, str]]]:
    """cdxj-indexer's index of both crawls: URL -> captures (timestamp, status, ...)."""
    result = subprocess.run([str(BIN / "cdxj-indexer"), "-s", *warcs(crawled, broken)],
                            capture_output=True, text=True, check=True)
    captures: dict[str, list[dict[str, str]]] = {}
    for line in result.stdout.splitlines():
        _surt, timestamp, fields = line.split(" ", 2)
        data = json.loads(fields)
        captures.setdefault(data["url"], []).append({**data, "timestamp": timestamp})
    return captures


@pytest.fixture(scope="module")
def pywb(crawled: CrawlRun, broken: CrawlRun, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[str]:
    """A real pywb (`wayback`) on 127.0.0.1 with both crawls in one collection."""
    root = tmp_path_factory.mktemp("pywb")
    subprocess.run([str(BIN / "wb-manager"), "init", "blogs"], cwd=root, check=True,
                   capture_output=True)
    subprocess.run([str(BIN / "wb-manager"), "add", "blogs", *warcs(crawled, broken)], cwd=root,
                   check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([str(BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
                               cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}/blogs"
    finally:
        process.terminate()
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"pywb did not start on port {port}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(url: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """GET without decoding or following redirects: the raw answer."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, list(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, list(error.headers.items()), error.read()


def replay(pywb: str, index: dict[str, list[dict[str, str]]], url: str
           ) -> tuple[int, list[tuple[str, str]], bytes]:
    timestamp = index[url][0]["timestamp"]
    return fetch(f"{pywb}/{timestamp}id_/{url}")


def test_cdxj_indexes_every_post_and_redirect(crawled: CrawlRun, server: FixtureServer,
                                              index: dict[str, list[dict[str, str]]]) -> None:
    for name in ("classic", "block", "wpcom", "feedonly", "linksonly"):
        for url in BLOGS[name].post_urls(server.urls[name]):
            assert index[url][0]["status"] == "200", url
    start = server.urls["broken"].rstrip("/") + BROKEN_CASES["redirect_start"]
    assert index[start][0]["status"] == "302"


def test_pywb_replays_gzip_page_byte_for_byte(pywb: str, server: FixtureServer,
                                              index: dict[str, list[dict[str, str]]]) -> None:
    url = BLOGS["classic"].post_urls(server.urls["classic"])[0]
    status, headers, body = replay(pywb, index, url)
    live_status, _, live_body = fetch(url)
    assert status == live_status == 200
    assert body[:2] == b"\x1f\x8b" and body == live_body
    assert ("Content-Encoding", "gzip") in headers


def test_pywb_replays_both_set_cookie_headers(pywb: str, server: FixtureServer,
                                              index: dict[str, list[dict[str, str]]]) -> None:
    url = server.urls["classic"].rstrip("/") + BLOGS["classic"].extra_paths["cookie_post"]
    status, headers, body = replay(pywb, index, url)
    _, live_headers, live_body = fetch(url)
    cookies = [v for k, v in headers if k.lower() == "set-cookie"]
    assert len(cookies) == 2
    assert cookies == [v for k, v in live_headers if k.lower() == "set-cookie"]
    assert status == 200 and body == live_body


def test_pywb_replays_a_redirect(pywb: str, server: FixtureServer,
                                 index: dict[str, list[dict[str, str]]]) -> None:
    url = server.urls["broken"].rstrip("/") + BROKEN_CASES["redirect_start"]
    status, headers, body = replay(pywb, index, url)
    live_status, _, live_body = fetch(url)
    assert status == live_status == 302
    assert body == live_body
    location = next(v for k, v in headers if k.lower() == "location")
    assert location.endswith(BROKEN_CASES["redirect_middle"])
