"""The re-crawl benchmark at tiny sizes: its figures are there and hang together.

Timing is never asserted. What must hold on any machine: the first crawl archives every post, an
unchanged repeat archives nothing new and costs fewer bytes and no more requests than the first,
a repeat after an edit records one changed post, each ratio is the repeat's figure over the
first's, and with many blogs crawled at once no host had more requests in transfer than the
per-host limit. The real-WordPress site runs with the ``wordpress`` marker (its packages).
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bench import recrawl_many, sitegen
from crawler import settings as product

ROOT = Path(__file__).resolve().parent.parent
POSTS = 12


def bench(*args: str, timeout: float = 900) -> dict[str, Any]:
    """``python -m bench.recrawl ARGS --json`` as a user runs it; its figures by site."""
    result = subprocess.run([sys.executable, "-m", "bench.recrawl", *args, "--json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["commit"]
    return {site["site"]: site for site in data["sites"]}


def crawls(site: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {crawl["label"]: crawl for crawl in site["crawls"]}


def coherent(site: dict[str, Any], posts: int) -> None:
    """First crawl archives ``posts``; every repeat costs no more requests and fewer bytes, and
    its ratios are its figures over the first's."""
    first, *repeats = site["crawls"]
    assert first["new"] == posts and first["requests"] > posts and first["seconds"] > 0, first
    for repeat in repeats:
        assert repeat["requests"] <= first["requests"] and repeat["bytes"] < first["bytes"], repeat
        for key in ("requests", "bytes", "seconds"):
            assert repeat["ratios"][key] == round(repeat[key] / first[key], 4), (key, repeat)
    unchanged = [r for r in repeats if "unchanged" in r["label"]]
    assert unchanged and all(r["new"] == r["changed"] == r["deleted"] == 0 for r in unchanged)


def test_static_and_synthetic_sites_at_tiny_sizes() -> None:
    sites = bench("--only", "static,synthetic", "--posts", str(POSTS), "--synthetic-posts", "20")
    assert set(sites) == {"static", "synthetic"}
    coherent(sites["static"], POSTS)
    coherent(sites["synthetic"], 20)
    edited = crawls(sites["static"])["repeat after 1 edit (rebuilt)"]
    assert (edited["new"], edited["changed"], edited["deleted"]) == (0, 1, 0), edited
    assert sites["static"]["checks"] == {"edit (version 2 of the post)": True}
    # the rebuild deployed only what changed: the edited page and the pages listing or indexing it
    deployed = {c["label"]: c["extra"]["files deployed before"] for c in sites["static"]["crawls"]}
    kinds = sites["static"]["crawls"][0]["extra"]["requests by kind"]
    assert kinds["pages"] > POSTS and kinds["sitemaps"] and kinds["feeds"] and not kinds["REST API"]
    assert sum(kinds.values()) == sites["static"]["crawls"][0]["requests"], kinds
    assert deployed["first"] > POSTS, deployed
    assert deployed["repeat after 1 edit (rebuilt)"] < deployed["first"] / 2, deployed
    # before a rebuild the sitemap dates the listings before their capture: none is asked for
    static = crawls(sites["static"])
    same, rebuilt = static["repeat, unchanged (not rebuilt)"], static["repeat, unchanged (rebuilt)"]
    assert same["extra"]["requests by kind"]["pages"] == 1, same  # the home page
    assert rebuilt["extra"]["requests by kind"]["pages"] > 1 and rebuilt["status_304"] > 0


class LoopbackBlogs:
    """Static blogs (bench/sitegen.py), each on its own address from 127.0.0.2 on, counting the
    requests each host answers at once: the shape of ``ManyBlogs`` the bench needs, so that its
    measuring is tested whatever serves the blogs."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.lock = threading.Lock()
        self.now: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.total = self.peak_total = 0

    def max_in_flight(self) -> dict[str, int]:
        with self.lock:
            return dict(self.peak)

    def max_total_in_flight(self) -> int:
        with self.lock:
            return self.peak_total

    def reset(self) -> None:
        with self.lock:
            self.peak.clear()
            self.peak_total = 0

    def handler(self, folder: Path) -> Any:
        blogs = self

        class Counting(SimpleHTTPRequestHandler):
            def handle_one_request(self) -> None:
                host = str(self.connection.getsockname()[0])
                with blogs.lock:
                    blogs.now[host] += 1
                    blogs.total += 1
                    blogs.peak[host] = max(blogs.peak[host], blogs.now[host])
                    blogs.peak_total = max(blogs.peak_total, blogs.total)
                try:
                    time.sleep(0.02)  # as ManyBlogs: requests sent side by side overlap
                    super().handle_one_request()
                finally:
                    with blogs.lock:
                        blogs.now[host] -= 1
                        blogs.total -= 1

            def log_message(self, format: str, *args: object) -> None:
                pass

        return functools.partial(Counting, directory=str(folder))


@contextmanager
def loopback_blogs(count: int, posts: int, root: Path) -> Iterator[LoopbackBlogs]:
    blogs, servers = LoopbackBlogs(), []
    try:
        for number in range(count):
            folder = root / f"blog-{number}"
            folder.mkdir()
            server = ThreadingHTTPServer((f"127.0.0.{2 + number}", 0), blogs.handler(folder))
            servers.append(server)
            blogs.urls.append(f"http://127.0.0.{2 + number}:{server.server_address[1]}/")
            sitegen.generate(folder, posts, blogs.urls[-1])
            threading.Thread(target=server.serve_forever, daemon=True).start()
        yield blogs
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def test_many_blogs_at_once_with_per_host_politeness(tmp_path: Path) -> None:
    fleet = functools.partial(loopback_blogs, root=tmp_path)
    series = recrawl_many.bench(6, 2, tmp_path, fleets=fleet).as_json()
    coherent(series, 12)
    limit = product.CONCURRENT_REQUESTS_PER_DOMAIN
    for crawl in series["crawls"]:
        extra = crawl["extra"]
        assert extra["hosts"] == 6, extra
        assert 1 <= extra["most simultaneous requests to one host"] <= limit, extra
        assert 1 <= extra["same, counted in the crawler's downloader"] <= limit, extra
        together = extra["most simultaneous requests to all hosts"]
        assert extra["most simultaneous requests to one host"] <= together <= product.CONCURRENT_REQUESTS
        assert extra["requests/s"] == pytest.approx(crawl["requests"] / crawl["seconds"], rel=0.01)
    first = series["crawls"][0]
    assert first["extra"]["posts/s"] > 0
    assert series["checks"] == {f"no host above {limit} simultaneous requests": True}


def test_bad_options_are_one_clear_line() -> None:
    for args in (["--only", "nowhere"], ["--posts", "0"], ["--blogs", "many"],
                 ["--scratch", str(ROOT / "README.md")]):
        result = subprocess.run([sys.executable, "-m", "bench.recrawl", *args], cwd=ROOT,
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("python -m bench.recrawl: error:")


def test_help_has_an_example() -> None:
    result = subprocess.run([sys.executable, "-m", "bench.recrawl", "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True)
    assert "example: python -m bench.recrawl" in result.stdout


@pytest.mark.wordpress
def test_real_wordpress_repeats_and_what_they_caught() -> None:
    site = bench("--only", "wordpress", timeout=1800)["wordpress"]
    first = site["crawls"][0]
    coherent(site, first["new"])
    assert first["new"] >= 312 and first["extra"]["requests by kind"]["REST API"] > 0, first
    assert sum(first["extra"]["requests by kind"].values()) == first["requests"]
    changed = crawls(site)["repeat after 4 changes"]
    assert changed["new"] == 1 and changed["deleted"] == 1 and changed["changed"] >= 2, changed
    assert len(site["checks"]) == 4 and all(site["checks"].values()), site["checks"]
