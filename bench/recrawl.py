"""How much cheaper is the second crawl of an unchanged blog? Target: under a tenth of the first's
time and bytes.

Run from the project root: ``python -m bench.recrawl`` (2,000 posts), ``python -m bench.recrawl
--posts 500 --json``. A synthetic WordPress blog is generated with the fixture server's classic theme
(Twenty Twenty-One pages, ``wp-sitemap.xml``, the REST API, feeds, gzip, ETag/Last-Modified and 304)
and served on 127.0.0.1; ``scrapy crawl blog`` runs twice into one archive (AutoThrottle off,
``CONCURRENT_REQUESTS`` 16) and the two run reports are compared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from tests.fixtures.blogs import theme_tt1
from tests.fixtures.blogs.sitemaps import core
from tests.fixtures.blogs.sites import _wp_robots
from tests.fixtures.blogs.specs import BlogSpec, PostSpec, berlin, slugify
from tests.fixtures.blogs.textgen import POLITICS, paragraphs
from tests.fixtures.blogs.wordpress import WpSite
from tests.fixtures.server import BlogHandler, QuietServer, RequestLog

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET = 0.1
CATEGORIES = ("News", "Analysis", "Energy", "Europe", "Trade", "Housing")
TAGS = ("budget", "energy", "eu", "nato", "climate", "inflation", "elections", "trade")


class IndexedBlog(BlogSpec):
    """A BlogSpec with O(1) post lookups: the fixture's linear scans are fine for 14 posts only."""

    @cached_property
    def _by_path(self) -> dict[str, PostSpec]:
        return {self.post_path(post): post for post in self.posts}

    @cached_property
    def _by_id(self) -> dict[int, PostSpec]:
        return {post.id: post for post in self.posts}

    @cached_property
    def _categories(self) -> list[str]:
        return sorted({name for post in self.posts for name in post.categories})

    @cached_property
    def _tags(self) -> list[str]:
        return sorted({name for post in self.posts for name in post.tags})

    def post_by_path(self, path: str) -> PostSpec | None:
        return self._by_path.get(path)

    def post_by_id(self, post_id: int) -> PostSpec | None:
        return self._by_id.get(post_id)

    @property
    def categories(self) -> list[str]:
        return self._categories

    @property
    def tags(self) -> list[str]:
        return self._tags


def synthetic_blog(count: int) -> IndexedBlog:
    """``count`` posts, one every 17 hours from 2019 on, newest first, like the classic blog."""
    start = berlin(2019, 1, 7, 8, 0)
    authors = ("Anna Keller", "Tom Berger")
    posts = []
    for number in range(count):
        published = start + timedelta(hours=17 * number)
        subject = POLITICS.objects[number % len(POLITICS.objects)]
        title = f"{subject[0].upper()}{subject[1:]}, part {number + 1}"
        modified = published + timedelta(days=2) if number % 3 == 0 else published
        posts.append(PostSpec(
            id=1000 + number, slug=slugify(title), title=title, author=authors[number % 2],
            published=published, modified=modified,
            categories=(CATEGORIES[number % len(CATEGORIES)],), tags=(TAGS[number % len(TAGS)],),
            paragraphs=paragraphs(f"bench-{number}", POLITICS, 3 + number % 4)))
    posts.sort(key=lambda post: post.published, reverse=True)
    return IndexedBlog(
        name="bench", title="Keller & Berger", tagline="Politics, energy and Europe, slowly",
        language="en-US", theme="twentytwentyone", permalinks="dated",
        server="nginx/1.18.0 (Ubuntu)", gzip=True, posts=tuple(posts), authors=authors)


def serve(blog: BlogSpec) -> tuple[QuietServer, str]:
    """The blog on 127.0.0.1 with the fixture server's handler (gzip, ETag, 304), in a thread."""
    router = WpSite(blog, theme_tt1, _wp_robots("/wp-sitemap.xml"), core)
    attrs = {"blog": blog, "router": staticmethod(router), "log": RequestLog()}
    server = QuietServer(("127.0.0.1", 0), type("BenchHandler", (BlogHandler,), attrs))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@dataclass(frozen=True)
class Run:
    wall: float
    report: dict[str, Any]

    def stat(self, key: str) -> int:
        return int(self.report["stats"].get(key, 0) or 0)

    @property
    def figures(self) -> dict[str, float]:
        return {"wall_s": round(self.wall, 2), "crawl_s": float(self.report["duration"]),
                "requests": self.stat("downloader/request_count"),
                "response_bytes": self.stat("downloader/response_bytes"),
                "warc_bytes": int(self.report["bytes_written"]),
                "status_200": self.stat("downloader/response_status_count/200"),
                "status_304": self.stat("downloader/response_status_count/304"),
                "new": self.report["new"], "changed": self.report["changed"],
                "unchanged": self.report["unchanged"]}


def crawl(url: str, archive: Path, *extra: str) -> Run:
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={url}", "-s", f"ARCHIVE_DIR={archive}",
               "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS=16",
               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=WARNING",
               "-s", "PROGRESS_INTERVAL=0", *extra]
    before = set((archive / "runs").glob("*.json"))
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"crawl failed ({result.returncode}):\n{result.stderr[-3000:]}")
    [report] = set((archive / "runs").glob("*.json")) - before
    return Run(wall, json.loads(report.read_text()))


def compare(first: Run, second: Run) -> dict[str, Any]:
    a, b = first.figures, second.figures
    ratios = {key: round(b[key] / a[key], 4) if a[key] else None
              for key in ("wall_s", "crawl_s", "requests", "response_bytes", "warc_bytes")}
    time_ok = (ratios["wall_s"] or 0) < TARGET
    bytes_ok = (ratios["response_bytes"] or 0) < TARGET
    return {"first": a, "second": b, "ratios": ratios,
            "target": f"second crawl under {TARGET:.0%} of the first's time (wall) and bytes fetched",
            "time": "PASS" if time_ok else "FAIL", "bytes": "PASS" if bytes_ok else "FAIL",
            "result": "PASS" if time_ok and bytes_ok else "FAIL"}


def print_table(result: dict[str, Any], posts: int, mode: str) -> None:
    first, second, ratios = result["first"], result["second"], result["ratios"]
    print(f"\nRe-crawl of an unchanged blog of {posts} posts, {mode} "
          "(AutoThrottle off, 16 concurrent requests)")
    print(f"{'':18}{'first':>14}{'second':>14}{'ratio':>10}")
    for key in ("wall_s", "crawl_s", "requests", "response_bytes", "warc_bytes"):
        ratio = ratios[key]
        print(f"{key:18}{first[key]:>14,}{second[key]:>14,}"
              f"{(f'{ratio:.3f}' if ratio is not None else '-'):>10}")
    for key in ("status_200", "status_304", "new", "changed", "unchanged"):
        print(f"{key:18}{first[key]:>14,}{second[key]:>14,}")
    print(f"time (wall): {result['time']}   bytes fetched: {result['bytes']}   "
          f"target ({result['target']}): {result['result']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=2000, help="posts in the synthetic blog")
    parser.add_argument("--archive", type=Path, help="archive directory to keep (default: temporary)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when the target fails in trust-inventory mode")
    args = parser.parse_args(argv)
    blog = synthetic_blog(args.posts)
    server, url = serve(blog)
    with tempfile.TemporaryDirectory(prefix="bench-recrawl-") as scratch:
        archive = args.archive or Path(scratch) / "archive"
        try:
            first = crawl(url, archive)
            second = crawl(url, archive)
            trusting = crawl(url, archive, "-s", "RECRAWL_TRUST_INVENTORY=1")
        finally:
            server.shutdown()
            server.server_close()
        results = {"conditional": compare(first, second), "trust_inventory": compare(first, trusting)}
    if args.json:
        print(json.dumps({"posts": args.posts, **results}, indent=2))
    else:
        print_table(results["conditional"], args.posts,
                    "default: every archived post asked again with a conditional request")
        print_table(results["trust_inventory"], args.posts,
                    "RECRAWL_TRUST_INVENTORY=1: only posts whose inventory date moved")
    return 1 if args.strict and results["trust_inventory"]["result"] == "FAIL" else 0


if __name__ == "__main__":
    sys.exit(main())
