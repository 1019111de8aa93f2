"""Build a generator's blog once, serve it on 127.0.0.1, crawl it for real, read the archive back.

The output folder is served by Python's own ``http.server`` (threaded, with directory redirects,
and the site's ``404.html`` for a missing page as static hosts serve it), started *before* the
build on a port the system picks, so the generator writes absolute URLs (canonical, Open Graph,
feeds, sitemaps) for the very address the crawler is given, and no port is guessed. The crawl is
the real ``scrapy crawl blog`` with the suite's settings (``tests/conftest.py``); the server's
request log says what was fetched.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from archive.layout import Layout
from tests.conftest import BIN, FAST, ROOT, CrawlRun
from tests.generators.content import Post

SETTINGS = (*FAST, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")


@dataclass(frozen=True)
class Exposes:
    """What a theme's post page shows or declares, so the checks expect exactly that and no more.

    ``time``: the time of day with its offset (not only a calendar day); ``categories``/``tags``: the
    page shows or declares them (links, ``article:tag``, keywords). ``note`` says where, in words.
    """

    time: bool
    author: bool
    categories: bool
    tags: bool
    note: str
    # How the page prints a term given in the front matter: Hugo's starter theme shows a tag's
    # page title, which Hugo title-cases ("intro" -> "Intro"); the checks expect what is shown.
    shown_term: Callable[[str], str] = str


@dataclass(frozen=True)
class Engine:
    """One generator with one theme, as the checks see it.

    ``build(source, output, base_url)`` writes the sources and runs the generator, returning its
    version line; ``post_path`` is where a post lands; ``page_date`` is the post's date as the page
    declares it (the same instant; some engines move it to the site's zone); ``samples`` names one
    page of each kind (post, about, tag, listing) for the fixture snapshots; ``chrome`` is text the
    theme prints around every post, which a body must never contain.
    """

    name: str
    origin: str  # where the generator and theme come from (package, repository and commit)
    exposes: Exposes
    build: Callable[[Path, Path, str], str]
    post_path: Callable[[Post], str]
    page_date: Callable[[Post], datetime]
    samples: dict[str, str]
    chrome: tuple[str, ...]


class _Handler(SimpleHTTPRequestHandler):
    """Python's static file handler, answering a missing page with the site's own ``404.html``
    (status 404) as GitHub Pages, Netlify and most hosts do, and keeping a log of every request."""

    requests: list[dict[str, Any]]

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.requests.append({"method": self.command, "uri": self.path, "status": int(code)})

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request list is the log."""


class StaticServer:
    """Python's ``http.server`` (threaded) on 127.0.0.1, on a port the system picks, in a thread."""

    def __init__(self, root: Path) -> None:
        self.log: list[dict[str, Any]] = []
        handler = type("Handler", (_Handler,), {"requests": self.log})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)

    def requests(self) -> list[dict[str, Any]]:
        """What was asked (method, path, status), as the suite's other servers report it."""
        return list(self.log)


def built_file(output: Path, path: str) -> Path:
    """The built file a static server answers ``path`` (a URL path, percent-encoded) with."""
    target = output / unquote(urlsplit(path).path).lstrip("/")
    return target / "index.html" if path.endswith("/") or target.is_dir() else target


@dataclass
class GeneratedBlog:
    """One engine/theme: its built site, the crawl of it, and how long each took."""

    engine: Engine
    version: str
    url: str
    output: Path
    run: CrawlRun
    build_seconds: float
    crawl_seconds: float

    def file(self, path: str) -> Path:
        return built_file(self.output, path)

    def html(self, path: str) -> str:
        return self.file(path).read_text(encoding="utf-8")

    def rows(self) -> list[sqlite3.Row]:
        """Every archived version, with its post's URL (catalog order: by URL, then version)."""
        db = sqlite3.connect(Layout(self.run.archive).catalog_path)
        db.row_factory = sqlite3.Row
        try:
            return list(db.execute("SELECT p.url, v.* FROM posts p JOIN versions v ON v.post_id = p.id "
                                   "ORDER BY p.url, v.version"))
        finally:
            db.close()

    def sidecar(self, row: sqlite3.Row) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(Layout(self.run.archive).resolve(row["meta_path"]).read_text())
        return data

    def fetched(self) -> list[str]:
        """What the crawler asked for with GET (path and query, as sent), in order."""
        return [r["uri"] for r in self.run.requests if r["method"] == "GET"]


def crawl(url: str, archive: Path) -> subprocess.CompletedProcess[str]:
    """The real ``scrapy crawl blog`` as a user runs it on the blog's address."""
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={url}",
               "-s", f"ARCHIVE_DIR={archive}", *SETTINGS]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def generate(engine: Engine, work: Path) -> GeneratedBlog:
    """Serve an empty folder, build the blog into it for that address, crawl it, stop serving."""
    output = work / "public"
    output.mkdir(parents=True)
    with StaticServer(output) as server:
        started = time.monotonic()
        version = engine.build(work / "source", output, server.url)
        built = time.monotonic()
        result = crawl(server.url, work / "archive")
        crawled = time.monotonic()
        run = CrawlRun(work / "archive", result.returncode, result.stdout + result.stderr,
                       server.requests())
    return GeneratedBlog(engine, version, server.url, output, run, round(built - started, 1),
                         round(crawled - built, 1))


def say(request: pytest.FixtureRequest, line: str) -> None:
    """Show a timing line even while pytest captures output."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"[generators] {line}")
