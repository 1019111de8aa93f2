"""Build a real generator's blog once, serve it with nginx on 127.0.0.1, crawl it, read it back.

Generic over an engine adapter (:class:`Adapter`): the adapter writes the known blog of
``tests/generators/content.py`` as its engine's sources and names the command that builds them;
everything else (timing, the static server, the real ``scrapy crawl blog``, reading the catalog and
the sidecars) is the same for every engine. The npm generators live in ``.cache/generators/npm``,
installed by ``tests/generators/install.sh`` (``make test``) from the committed lock file.

The site URL is fixed before the build (feeds and sitemaps carry absolute URLs), so the port is
chosen first and nginx started on it right after.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from archive.when import parse_iso
from bench.nginx import CONFIG, Nginx, free_port
from tests.conftest import BIN, ROOT, CrawlRun
from tests.generators.content import POSTS, Post
from tests.wordpress.crawls import rows, sidecar

NODE_MODULES = ROOT / ".cache" / "generators" / "npm" / "node_modules"
SETTINGS = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "-s", "PROGRESS_INTERVAL=5", "-s", "LOG_LEVEL=INFO")


class BuildError(RuntimeError):
    """A generator failed; the message carries its output."""


@dataclass(frozen=True)
class Exposes:
    """What a theme's post page shows or declares, so each check asks only for what is there.

    ``date``: ``offset`` (a time with the source's own offset), ``utc`` (the instant, in UTC only),
    ``day`` (a calendar day, no time). ``author``/``categories``/``tags``: shown on the post page.
    """

    date: str
    author: bool
    categories: bool
    tags: bool


@dataclass
class Adapter:
    """One engine with one theme: how to write the blog as its sources, build it, and where its
    pages land. Subclasses fill in the engine; the checks read only these methods."""

    engine: str
    theme: str
    exposes: Exposes
    # Pages of the built site saved as fixture snapshots: post, about, tag, listing (URL paths).
    snapshot_paths: dict[str, str] = field(default_factory=dict)
    # How a post links to another in this engine's sources (``body_for``'s ``link``).
    link_format: str = "/{slug}/"
    # Theme text seen on its post pages that must never reach a post's body.
    theme_phrases: tuple[str, ...] = ()
    # Authors the site's feed declares for every entry (not an invention when the page names none).
    feed_authors: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.engine}-{self.theme}"

    def write_sources(self, src: Path, base_url: str) -> None:
        raise NotImplementedError

    def build_command(self, src: Path, out: Path) -> list[str]:
        raise NotImplementedError

    def post_path(self, post: Post) -> str:
        raise NotImplementedError

    def about_path(self) -> str:
        raise NotImplementedError

    def shown_author(self, post: Post) -> str | None:
        """The author the post page shows or declares; None where it names none."""
        return post.author if self.exposes.author else None

    def shown_categories(self, post: Post) -> tuple[str, ...]:
        return post.categories if self.exposes.categories else ()

    def shown_tags(self, post: Post) -> tuple[str, ...]:
        return post.tags if self.exposes.tags else ()

    def shown_day(self, post: Post) -> date:
        """The calendar day the page shows, when it shows only a day."""
        return post.date.date()


@dataclass
class Built:
    adapter: Adapter
    base_url: str
    out: Path
    seconds: float


def run_tool(command: Sequence[str], cwd: Path, what: str, timeout: float = 300) -> str:
    """Run a generator; on failure raise with its output, not a bare exit status."""
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
    result = subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            check=False, env=env)
    if result.returncode != 0:
        raise BuildError(f"{what} failed (exit {result.returncode}): {' '.join(command)}\n"
                         f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result.stdout + result.stderr


def node_tool(*parts: str) -> Path:
    """A file of the installed npm packages; a clear message when ``make test`` has not run."""
    path = NODE_MODULES.joinpath(*parts)
    if not path.exists():
        raise BuildError(f"{path} missing: run `sh tests/generators/install.sh` (part of `make test`)")
    return path


def build(adapter: Adapter, workdir: Path, port: int) -> Built:
    """Write the sources and run the real generator; the output folder is what nginx serves."""
    base_url = f"http://127.0.0.1:{port}/"
    src, out = workdir / "src", workdir / "public"
    src.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    adapter.write_sources(src, base_url)
    run_tool(adapter.build_command(src, out), src, f"{adapter.key} build")
    seconds = round(time.monotonic() - started, 1)
    if not (out / "index.html").exists():
        raise BuildError(f"{adapter.key}: the build wrote no {out}/index.html")
    return Built(adapter, base_url, out, seconds)


class StaticServer(Nginx):
    """bench's nginx (gzip, keep-alive, ``/404.html`` for misses, an access log), with ``user
    root;`` when the tests run as root: pytest's temporary folders are private to their owner, and
    nginx's workers would otherwise run as nobody and answer 404 for every file."""

    def start(self) -> None:
        self.prefix.mkdir(parents=True, exist_ok=True)
        conf = self.prefix / "nginx.conf"
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf.write_text(user + CONFIG.format(prefix=self.prefix, port=self.port, root=self.root))
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(
            [binary, "-p", str(self.prefix), "-c", str(conf), "-e", str(self.prefix / "error.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise BuildError(f"nginx did not start: {error.strip()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise BuildError("nginx did not answer within 10 s")


@contextmanager
def serving(out: Path, port: int, prefix: Path) -> Iterator[Nginx]:
    """Debian's nginx serving the built folder on 127.0.0.1:port, ``/404.html`` for misses."""
    server = StaticServer(out, port, prefix)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def pick_port() -> int:
    return free_port()


@dataclass
class Crawl:
    run: CrawlRun
    seconds: float


def crawl(server: Nginx, base_url: str, archive: Path) -> Crawl:
    """The real ``scrapy crawl blog`` from the site's home page; what it fetched from nginx's log."""
    server.log.mark()
    started = time.monotonic()
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={base_url}",
               "-s", f"ARCHIVE_DIR={archive}", *SETTINGS]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    seconds = round(time.monotonic() - started, 1)
    requests: list[dict[str, Any]] = [{"status": status, "bytes": sent, "uri": uri}
                                      for status, sent, uri in server.log.since_mark()]
    return Crawl(CrawlRun(archive, result.returncode, result.stdout + result.stderr, requests), seconds)


@dataclass(frozen=True)
class Archived:
    """One post as the archive holds it: catalog row and sidecar, the fields the checks read."""

    url: str
    versions: int
    title: str | None
    author: str | None
    published: datetime | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    text: str
    markdown: str
    reason: str | None


def archived_posts(archive: Path) -> dict[str, Archived]:
    """Every post URL in the catalog with its latest version (and how many versions it has)."""
    found: dict[str, Archived] = {}
    counts: dict[str, int] = {}
    for row in rows(archive):
        counts[row["url"]] = counts.get(row["url"], 0) + 1
        meta = sidecar(archive, row)
        found[row["url"]] = Archived(
            url=row["url"], versions=0, title=meta.get("title"), author=meta.get("author"),
            published=parse_iso(meta.get("published")), categories=tuple(meta.get("categories") or ()),
            tags=tuple(meta.get("tags") or ()), text=meta.get("text") or "",
            markdown=meta.get("markdown") or "", reason=meta.get("reason"))
    return {url: _with_versions(post, counts[url]) for url, post in found.items()}


def _with_versions(post: Archived, versions: int) -> Archived:
    return Archived(**{**post.__dict__, "versions": versions})


def post_urls(built: Built) -> dict[str, Post]:
    """Each known post by the absolute URL its engine gave it."""
    return {built.base_url + built.adapter.post_path(post).lstrip("/"): post for post in POSTS}


def page_file(out: Path, path: str) -> Path:
    """The file nginx answers a URL path with (``/a/`` is ``/a/index.html``)."""
    relative = path.lstrip("/")
    return out / (relative + "index.html" if relative.endswith("/") or not relative else relative)


@dataclass
class Result:
    """One engine and theme built, served and crawled once, and what the archive holds."""

    built: Built
    crawl: Crawl
    archived: dict[str, Archived]

    @property
    def timings(self) -> dict[str, float]:
        return {"build": self.built.seconds, "crawl": self.crawl.seconds}


def build_serve_crawl(adapter: Adapter, workdir: Path) -> Result:
    """The whole run for one theme: build on a chosen port, serve it there, crawl, read back."""
    port = pick_port()
    built = build(adapter, workdir / "site", port)
    with serving(built.out, port, workdir / "nginx") as server:
        done = crawl(server, built.base_url, workdir / "archive")
    if "Traceback" in done.run.log and not (workdir / "archive" / "runs").is_dir():
        raise BuildError(f"{adapter.key}: scrapy crawl crashed\n{done.run.log[-3000:]}")
    return Result(built, done, archived_posts(workdir / "archive"))
