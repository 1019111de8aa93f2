"""The crawl benchmark's two reference clients and its ceiling, on a small generated blog.

Timing is never asserted (it lives in the benchmark's output); these tests check that the bare
Scrapy spider really fetches every post with Scrapy's defaults, that the extraction-only client
extracts every post, the arithmetic of the ceiling, and that the blog's page requisites are real:
referenced as WordPress themes reference them, served, and fetched by ``wget --page-requisites``.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html
from warcio.archiveiterator import ArchiveIterator

from archive.extract.requisites import page_requisites, stylesheet_requisites
from bench import sitegen
from bench.clients import run_wget
from bench.crawl import POST_PATH, REQUISITE_PATH, Result, ceilings, ratios

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
                         timeout=120, env={k: v for k, v in os.environ.items()
                                           if k != "SCRAPY_SETTINGS_MODULE"})  # no project
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


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get_content_type(), response.read()


def _post_requisites(root: Path, base: str) -> dict[str, str]:
    """url -> kind of everything the posts load, stylesheets followed (as our parser reads them)."""
    found: dict[str, str] = {}
    for page in sorted(root.glob("[0-9]*/*/*/*/index.html")):
        url = base + str(page.parent.relative_to(root)) + "/"
        found.update((r.url, r.kind) for r in page_requisites(html.fromstring(page.read_bytes()), url))
    sheets = [url for url, kind in found.items() if kind == "stylesheet"]
    while sheets:
        sheet = sheets.pop()
        for requisite in stylesheet_requisites(_get(sheet)[2].decode(), sheet):
            if requisite.url not in found and requisite.kind == "stylesheet":
                sheets.append(requisite.url)
            found.setdefault(requisite.url, requisite.kind)
    return found


def test_posts_load_a_theme_a_font_and_srcset_images_that_are_served(site: tuple[Path, str]) -> None:
    """The benchmark measures requisites only if the blog has them: every kind a WordPress post
    loads is referenced (lazy images too) and answered 200 with its type, on the blog's own host."""
    root, base = site
    found = _post_requisites(root, base)
    kinds = set(found.values())
    assert {"stylesheet", "font", "image", "script", "icon"} <= kinds
    assert any(url.endswith("/fonts.css") for url in found)  # the @import
    assert any(url.endswith("/paper.png") for url in found)  # the CSS background
    variants = [url for url in found if "/wp-content/uploads/" in url and "-300x200." in url]
    assert len(variants) >= POSTS  # one or more uploads per post, each in srcset
    pages = [p.read_text() for p in root.glob("[0-9]*/*/*/*/index.html")]
    assert any('data-srcset="' in page and "<noscript><img" in page for page in pages)
    assert all(url.startswith(base) for url in found)  # no request may leave the machine
    for url in found:
        status, content_type, body = _get(url)
        assert status == 200 and body, url
        assert REQUISITE_PATH.match(urlsplit(url).path), url
        if found[url] in ("image", "icon") and "/avatar/" not in url:
            assert content_type.startswith("image/"), (url, content_type)


def test_wget_requisites_fetches_the_requisites_into_its_warc(site: tuple[Path, str],
                                                             tmp_path: Path) -> None:
    """The ``wget-requisites`` client runs as the benchmark runs it and keeps the theme, the font
    and the srcset variants in its WARC; plain ``wget`` keeps only pages and links."""
    _, base = site
    counts = {}
    for requisites in (False, True):
        work = tmp_path / f"wget-{requisites}"
        work.mkdir()
        command, _ = run_wget(base, work, requisites=requisites)
        run = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert run.returncode in (0, 8), (run.returncode, (work / "wget.log").read_text()[-2000:])
        urls = []
        for warc in work.glob("site*.warc.gz"):
            with warc.open("rb") as stream:
                urls += [record.rec_headers.get_header("WARC-Target-URI")
                         for record in ArchiveIterator(stream) if record.rec_type == "response"]
        counts[requisites] = [url for url in urls if REQUISITE_PATH.match(urlsplit(url).path)]
    fetched = counts[True]
    assert counts[False] == []  # plain wget: pages only
    assert len(fetched) > POSTS
    assert any(url.endswith(".woff2") for url in fetched)
    assert any(url.endswith("/fonts.css") for url in fetched)
    assert any("-300x200.jpg" in url for url in fetched)  # from srcset
    assert len(fetched) == len(set(fetched))  # each once


def test_ratio_of_ours_to_wget_with_requisites() -> None:
    rows = [Result("ours", 1000, 20.0, 30.0, 300, 200, 3, 9000, 1000, 1000, 50, True),
            Result("wget-requisites", 1000, 10.0, 8.0, 20, 15, 1, 12000, 1000, 1000, 60, True)]
    (line,) = ratios({1000: rows})
    assert line["posts_per_s"] == 0.5
    assert line["requests_per_s"] == round((9000 / 20) / (12000 / 10), 2)
    assert line["peak_rss_mb"] == [300, 20]
    assert ratios({1000: rows[:1]}) == []
