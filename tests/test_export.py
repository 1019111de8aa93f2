"""Reading and exporting as a user does: list filters, show formats, comments, Markdown, EPUB,
JSON Lines, WACZ and CDXJ (both replayed by a real pywb)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

from archive.export.wacz import validate_wacz
from archive.layout import Layout
from tests.conftest import CrawlRun, run_cli
from tests.fixtures.blogs import BLOGS
from tests.fixtures.server import FixtureServer
from tests.test_replay_tools import fetch, free_port, wait_for

BIN = Path(sys.executable).parent
EPUBCHECK = Path("/usr/share/java/epubcheck.jar")
SEED_TITLE = "With No Progress In Talks Russia Will Have To React"


def seed_url(server: FixtureServer) -> str:
    return server.urls["wpcom"].rstrip("/") + BLOGS["wpcom"].extra_paths["seed_post"]


def listed(archive: Path, *args: str) -> list[dict[str, object]]:
    result = run_cli("list", "--json", *args, archive=archive)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_list_filters(crawled: CrawlRun) -> None:
    archive = crawled.archive
    everything = listed(archive)
    january = listed(archive, "--since", "2022-01-01", "--until", "31 January 2022")
    assert january and all(str(p["published"])[:7] == "2022-01" for p in january)
    assert len(january) == sum(str(p["published"])[:7] == "2022-01" for p in everything)
    news = listed(archive, "--category", "NEWS")
    assert len(news) == 6 and all("News" in p["categories"] for p in news)  # type: ignore[operator]
    assert all("budget" in p["tags"] for p in listed(archive, "--tag", "budget"))  # type: ignore[operator]
    anna = listed(archive, "--author", "keller")
    assert anna and all(p["author"] == "Anna Keller" for p in anna)
    bad = run_cli("list", "--since", "blorp", archive=archive)
    assert bad.returncode == 2 and "dateparser" in bad.stderr and "Traceback" not in bad.stderr


def test_show_formats(crawled: CrawlRun, server: FixtureServer) -> None:
    url = seed_url(server)
    text = run_cli("show", url, archive=crawled.archive).stdout
    assert text.startswith(SEED_TITLE) and "Comments: 3" in text
    markdown = run_cli("show", url, "--format", "markdown", archive=crawled.archive).stdout
    meta = yaml.safe_load(markdown.split("---\n")[1])
    assert meta["title"] == SEED_TITLE and meta["categories"] == ["Europe", "Russia", "USA"]
    data = json.loads(run_cli("show", url, "--format", "json", archive=crawled.archive).stdout)
    assert data["title"] == SEED_TITLE and data["comment_count"] == 3 and data["text"]
    page = run_cli("show", url, "--format", "html", archive=crawled.archive).stdout
    assert page.startswith("<!DOCTYPE html>") and f"<h1>{SEED_TITLE}</h1>" in page
    assert "<script" not in page


def test_comments_thread(crawled: CrawlRun, server: FixtureServer) -> None:
    result = run_cli("comments", seed_url(server), archive=crawled.archive)
    assert result.returncode == 0, result.stderr
    comments = [json.loads(line) for line in run_cli(
        "comments", seed_url(server), "--json", archive=crawled.archive).stdout.splitlines()]
    assert len(comments) == 3 and comments[0]["depth"] == 0
    for comment in comments:
        if comment["depth"]:
            assert f"\n{'    ' * comment['depth']}{comment['author']}" in result.stdout


def test_markdown_export(crawled: CrawlRun, tmp_path: Path) -> None:
    result = run_cli("export", "--format", "markdown", str(tmp_path / "md"), "--json",
                     archive=crawled.archive)
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "md").rglob("*.md"))
    assert len(files) == json.loads(result.stdout)["posts"] == crawled.stats["posts/archived"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---\n")[1])
        assert meta["title"] and meta["url"].startswith("http")
        if meta.get("date"):
            assert path.parent.name == meta["date"][:4]


def test_epub_export_is_valid(crawled: CrawlRun, tmp_path: Path) -> None:
    book = tmp_path / "news.epub"
    result = run_cli("export", "--format", "epub", "--category", "News", str(book),
                     archive=crawled.archive)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(book) as epub:
        assert epub.namelist()[0] == "mimetype"
        assert epub.read("mimetype") == b"application/epub+zip"
        nav = epub.read("OEBPS/nav.xhtml").decode()
        chapters = [n for n in epub.namelist() if n.startswith("OEBPS/post-")]
    assert len(chapters) == 6
    dates = [part.split(" · ")[0] for part in nav.split('.xhtml">')[1:] if " · " in part]
    assert dates == sorted(dates) and len(dates) == 6
    assert EPUBCHECK.exists(), "epubcheck missing: `sh tests/system-packages.sh` installs it"
    check = subprocess.run(["java", "-jar", str(EPUBCHECK), str(book)], capture_output=True,
                           text=True, timeout=120, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    empty = run_cli("export", "--format", "epub", "--category", "nothing-here", str(book),
                    archive=crawled.archive)
    assert empty.returncode == 1 and "no posts match" in empty.stderr


def test_jsonl_export(crawled: CrawlRun, tmp_path: Path) -> None:
    target = tmp_path / "posts.jsonl"
    assert run_cli("export", "--format", "jsonl", str(target), archive=crawled.archive
                   ).returncode == 0
    posts = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(posts) == crawled.stats["posts/archived"]
    assert all(p["url"] and "text" in p and "comments" in p for p in posts)


@pytest.fixture(scope="module")
def pywb_from_exports(crawled: CrawlRun, tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[tuple[str, Path]]:
    """pywb with two collections: one from `blogarchive cdxj`, one unpacked from the WACZ."""
    root = tmp_path_factory.mktemp("pywb-exports")
    wacz = root / "blogs.wacz"
    assert run_cli("export", "--format", "wacz", str(wacz), archive=crawled.archive
                   ).returncode == 0
    for name in ("fromcdxj", "fromwacz"):
        subprocess.run([str(BIN / "wb-manager"), "init", name], cwd=root, check=True,
                       capture_output=True)
    collection = root / "collections" / "fromcdxj"
    for warc in Layout(crawled.archive).warc_dir.glob("*.warc.gz"):
        shutil.copy(warc, collection / "archive" / warc.name)
    result = run_cli("cdxj", "-o", str(collection / "indexes" / "index.cdxj"),
                     archive=crawled.archive)
    assert result.returncode == 0, result.stderr
    subprocess.run([str(BIN / "wb-manager"), "add", "--unpack-wacz", "fromwacz", str(wacz)],
                   cwd=root, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([str(BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
                               cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}", wacz
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_wacz_is_valid_and_lists_posts(pywb_from_exports: tuple[str, Path],
                                       crawled: CrawlRun) -> None:
    _, wacz = pywb_from_exports
    passed, output = validate_wacz(wacz)
    assert passed, output
    cli = subprocess.run([str(BIN / "wacz"), "validate", "-f", str(wacz)], capture_output=True,
                         text=True, check=False)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    with zipfile.ZipFile(wacz) as package:
        pages = package.read("pages/pages.jsonl").decode().splitlines()
        assert "indexes/index.cdx.gz" in package.namelist()
    assert len(pages) - 1 == crawled.stats["posts/archived"]


@pytest.mark.parametrize("collection", ["fromcdxj", "fromwacz"])
def test_pywb_replays_a_post_from_exports(pywb_from_exports: tuple[str, Path], collection: str,
                                          server: FixtureServer) -> None:
    base, _ = pywb_from_exports
    url = seed_url(server)
    status, _, body = fetch(f"{base}/{collection}/2030id_/{url}")
    live_status, _, live_body = fetch(url)
    assert status == live_status == 200
    assert body == live_body
