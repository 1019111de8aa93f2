"""The web reader in a real headless Chromium: reading, searching, the original, and sandboxing.

Uses Debian's ``chromium`` through Playwright (no browser download). Screenshots go to
``tests/artifacts/`` so a person can look at the reading view.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api

from tests.conftest import CrawlRun
from tests.test_web import EVIL_URL, HOSTILE_TITLE, Reader, make_hostile, post_id, serving

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

CLEAN = "v.word_count > 50 AND v.text_path NOT LIKE '../%' AND v.warc_file NOT LIKE '../%'"



def test_chromium_is_installed() -> None:
    """`make test` installs Debian's chromium (tests/system-packages.sh): its absence is a failure."""
    assert CHROMIUM.exists(), "no /usr/bin/chromium: run `sh tests/system-packages.sh`"


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A fresh browser profile (``--user-data-dir``) on the system Chromium."""
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")), executable_path=str(CHROMIUM),
            headless=True, args=FLAGS, viewport={"width": 1100, "height": 900})
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def archive_copy(crawled: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    archive = tmp_path_factory.mktemp("browser") / "archive"
    shutil.copytree(crawled.archive, archive)
    make_hostile(archive)
    with serving(archive) as running:
        yield running


def body_word(reader: Reader, number: int) -> str:
    db = sqlite3.connect(reader.archive / "catalog.sqlite")
    text_path = db.execute("SELECT text_path FROM versions WHERE post_id = ? ORDER BY version DESC",
                           (number,)).fetchone()[0]
    db.close()
    body = (reader.archive / text_path).read_text().split("\n\n", 1)[1]
    return max(re.findall(r"[A-Za-z]+", body), key=len)


def hostile_posts(archive: Path) -> set[str]:
    """Ids of the posts whose rows point outside the archive (``make_hostile``)."""
    db = sqlite3.connect(archive / "catalog.sqlite")
    rows = db.execute("SELECT post_id FROM versions WHERE text_path LIKE '../%' "
                      "OR warc_file LIKE '../%'").fetchall()
    db.close()
    return {str(row[0]) for row in rows}


def test_browse_read_search_and_view_original(chromium: Any, archive_copy: Reader) -> None:
    page = chromium.new_page()
    page.goto(archive_copy.url)
    assert page.locator("h1").inner_text() == "Archived blogs"
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

    page.locator(".blogs a").first.click()
    page.screenshot(path=str(ARTIFACTS / "blog.png"), full_page=True)
    # The first listed post whose row make_hostile left alone (which post is listed first depends
    # on the crawl's order; a hostile row shows an error page, tested in test_web.py).
    hostile = hostile_posts(archive_copy.archive)
    assert hostile
    links = page.locator(".posts a")
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    href = next(h for h in hrefs if h.rstrip("/").rsplit("/", 1)[-1] not in hostile)
    page.locator(f'.posts a[href="{href}"]').first.click()
    assert page.url.startswith(archive_copy.url + "post/")
    page.wait_for_load_state()  # the URL changes when the navigation commits, before the body
    # The body's blocks, whatever they are: which post comes first depends on the crawl's order,
    # and a post may be a single quote, list or figure (no paragraph of its own).
    assert page.locator("article.post .body > *").count() > 0
    assert page.locator("article.post .body").inner_text().strip()

    number = post_id(archive_copy.archive, CLEAN)
    word = body_word(archive_copy, number)
    page.fill("input[name=q]", word)
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r".*/search\?q="))
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)
    page.locator(f'.hits a[href="/post/{number}"]').click()
    page.wait_for_url(re.compile(rf".*/post/{number}$"))
    title = page.locator("article h1").inner_text()
    assert title and word.lower() in page.locator("article .body").inner_text().lower()
    page.screenshot(path=str(ARTIFACTS / "post.png"), full_page=True)

    page.get_by_role("link", name="View original").click()
    page.wait_for_url(re.compile(rf".*/post/{number}/original.*"))
    frame = page.frame_locator("iframe.replay")
    sync_api.expect(frame.get_by_text(word).first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "original.png"))
    page.close()


def test_reading_view_on_a_phone_and_in_dark_mode(chromium: Any, archive_copy: Reader) -> None:
    number = post_id(archive_copy.archive, CLEAN)
    page = chromium.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{archive_copy.url}post/{number}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the reading view must not scroll sideways on a phone"
    page.screenshot(path=str(ARTIFACTS / "post-phone.png"), full_page=True)
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 1100, "height": 900})
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(251, 250, 247)"
    page.screenshot(path=str(ARTIFACTS / "post-dark.png"), full_page=True)
    page.close()


def test_archived_scripts_do_not_run_as_the_reader(chromium: Any, archive_copy: Reader) -> None:
    number = post_id(archive_copy.archive, "p.url = ?", (EVIL_URL,))
    page = chromium.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{archive_copy.url}post/{number}")
    assert page.locator("article h1").inner_text() == HOSTILE_TITLE  # shown as text
    assert page.locator("script").count() == 0

    page.goto(f"{archive_copy.url}post/{number}/original")
    frame = page.frame_locator("iframe.replay")
    sync_api.expect(frame.locator("#marker")).to_have_text("Crafted page text marker")
    inner = next(f for f in page.frames if "/replay/" in f.url)
    assert inner.locator("#marker").evaluate("e => getComputedStyle(e).color") == "rgb(1, 2, 3)"
    assert inner.locator("#pic").evaluate("e => e.naturalWidth") == 1  # archived image
    page.wait_for_timeout(500)
    assert page.title().startswith("Original:")
    assert "pwned" not in page.content()
    assert inner.evaluate("document.documentElement.getAttribute('data-ran')") is None

    page.goto(f"{archive_copy.url}replay/20240501000000/{EVIL_URL}")  # opened directly
    page.wait_for_timeout(500)
    assert page.evaluate("document.documentElement.getAttribute('data-ran')") is None
    assert page.evaluate("window.origin") == "null"  # CSP sandbox: not the reader's origin
    page.screenshot(path=str(ARTIFACTS / "crafted-replay.png"))

    assert not dialogs
    assert not [c for c in chromium.cookies() if c["name"] == "stolen"]
    assert "canary" not in archive_copy.log.read_text()
    page.close()
