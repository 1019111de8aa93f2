"""A replayed post looks like the live one, in real Chromium: our reader's "View original" and pywb.

The fixture blog (``tests/fixtures/layoutblog/``) has a real layout: a stylesheet with colours that
imports a second one declaring a web font (DejaVu Serif Bold Italic, copied from Debian's
fonts-dejavu-core at test time: its Bitstream Vera licence allows redistribution), images chosen
from a ``srcset``, an image loaded lazily by a script from ``data-src`` (with the ``noscript``
copy lazy-load plugins write), and a background image that only the stylesheet names. Its images
are PNGs of distinct colours and stripes written here with zlib, so a missing one is visible.

The live post is screenshotted, crawled with the real ``scrapy crawl blog``, and the live server
is shut down before anything is replayed: a replayed page that still reached it would fail, not
quietly borrow from the live site. Then the frame "View original" shows (``/replay/...``) and
pywb's replay (the frame under pywb's banner, as wide as the viewport) are screenshotted and
compared with the live one.

Similarity: the share of pixels whose colour differs from the live screenshot by more than 48 (of
255) in some channel, computed by Chromium itself (both PNGs decoded into canvases), so no image
library is needed. Same browser, same viewport, same fonts: measured with every requisite
archived, the reader's replay differs from the live page in 0.00 % of its pixels and pywb's frame in
0.11 % (its 1 px iframe border shifts the text edges); with the crawl's requisites missing (the
stylesheet first), 34.9 % and 32.0 %. One missing picture of this page is a 300x120 block, 3.6 %
of the 1000x1000 viewport. Hence a 1 % limit: a missing stylesheet, font or shown picture exceeds it,
anti-aliasing and pywb's border stay well below it; requisites that are not drawn (the 2x srcset
candidate, the icon) are checked by the completeness audit in the first test.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api

from bench.assets import png_file
from tests.conftest import FAST, ROOT, run_cli
from tests.test_replay_tools import free_port, wait_for
from tests.test_web import post_id, serving
from tests.test_web_browser import ARTIFACTS, CHROMIUM, FLAGS

pytestmark = [pytest.mark.e2e, pytest.mark.tools]
BIN = Path(sys.executable).parent
FIXTURE = Path(__file__).parent / "fixtures" / "layoutblog"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf")
POST_PATH = "/2024/05/colour-and-type/"
VIEWPORT = {"width": 1000, "height": 1000}
MAX_CHANGED = 0.01  # share of pixels allowed to differ (see the module docstring)


def png(width: int, height: int, pixel: Any) -> bytes:
    """A truecolour PNG whose pixel (x, y) is ``pixel(x, y) -> (r, g, b)``: zlib, no PIL."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width))
                    for y in range(height))
    return png_file(width, height, rows, colour_type=2)


IMAGES = {
    "red-300.png": (300, 120, lambda x, y: (200, 30, 40)),
    "red-600.png": (600, 240, lambda x, y: (120, 0, 10)),  # the 2x candidate: another shade
    "green-stripes.png": (300, 120, lambda x, y: (20, 160, 60) if (x // 15) % 2 else (230, 240, 200)),
    "tile.png": (24, 24, lambda x, y: (240, 160, 30) if (x + y) % 12 < 6 else (38, 70, 83)),
    "icon.png": (32, 32, lambda x, y: (29, 53, 87)),
}


def build_site(root: Path) -> Path:
    """The blog's files laid out as WordPress serves them (sitemap written once the port is known)."""
    theme = root / "wp-content/themes/layout"
    uploads = root / "wp-content/uploads"
    for folder in (theme / "fonts", uploads, root / POST_PATH.strip("/")):
        folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURE / "index.html", root / "index.html")
    shutil.copy(FIXTURE / "post.html", root / POST_PATH.strip("/") / "index.html")
    shutil.copy(FIXTURE / "style.css", theme / "style.css")
    shutil.copy(FIXTURE / "fonts.css", theme / "fonts.css")
    shutil.copy(FONT, theme / "fonts" / "layout-display.ttf")
    for name, (width, height, pixel) in IMAGES.items():
        (uploads / name).write_bytes(png(width, height, pixel))
    return root


@dataclass
class Captured:
    live_url: str
    live_png: bytes
    archive: Path
    crawl_log: str


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    assert CHROMIUM.exists(), "no /usr/bin/chromium: run `sh tests/system-packages.sh`"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")), executable_path=str(CHROMIUM),
            headless=True, args=FLAGS, viewport=VIEWPORT)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def captured(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Captured:
    """Serve the blog, screenshot its post, crawl it, and stop the live server."""
    assert FONT.exists(), f"{FONT} is missing: install fonts-dejavu-core"
    base = tmp_path_factory.mktemp("layout")
    site = build_site(base / "site")
    port = free_port()
    live = f"http://127.0.0.1:{port}"
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
        f'sitemap/0.9"><url><loc>{live}{POST_PATH}</loc></url></urlset>\n')
    with open(base / "live.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
             "--directory", str(site)], stdout=log, stderr=log)
    try:
        wait_for(port)
        live_png = screenshot(chromium, live + POST_PATH, "live")
        archive = base / "archive"
        crawl = subprocess.run(
            [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={live}/",
             "-s", f"ARCHIVE_DIR={archive}", *FAST], cwd=ROOT, capture_output=True, text=True,
            timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    return Captured(live, live_png, archive, crawl.stdout + crawl.stderr)


def screenshot(context: Any, url: str, name: str, requests: list[Any] | None = None,
               frame: str = "") -> bytes:
    """The page at ``url`` once loaded, its fonts ready (or the element ``frame``, an iframe, and
    the page in it); every request it made into ``requests``."""
    page = context.new_page()
    if requests is not None:
        page.on("response", lambda response: requests.append(
            (response.url, response.status, response.request.redirected_to is not None)))
        page.on("requestfailed", lambda request: requests.append(
            (request.url, None, f"failed: {request.failure}")))
    try:
        page.goto(url, wait_until="networkidle")
        shown = page.locator(frame) if frame else page
        for each in page.frames:
            each.evaluate("document.fonts.ready.then(() => true)")
        image: bytes = shown.screenshot(path=str(ARTIFACTS / f"looks-{name}.png"))
    finally:
        page.close()
    return image


def changed_share(context: Any, first: bytes, second: bytes) -> float:
    """Share of pixels differing by more than 48 in a channel, decoded and compared by Chromium,
    over the rows both images have (pywb's frame is shorter than the viewport by its banner)."""
    import base64

    page = context.new_page()
    try:
        return float(page.evaluate("""async ([a, b]) => {
            const load = async (data) => {
                const bitmap = await createImageBitmap(await (await fetch(data)).blob());
                const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
                const context = canvas.getContext("2d");
                context.drawImage(bitmap, 0, 0);
                return context.getImageData(0, 0, bitmap.width, bitmap.height);
            };
            const [x, y] = [await load(a), await load(b)];
            if (x.width !== y.width) return 1;
            const end = Math.min(x.height, y.height) * x.width * 4;
            let changed = 0;
            for (let i = 0; i < end; i += 4) {
                if (Math.abs(x.data[i] - y.data[i]) > 48 || Math.abs(x.data[i + 1] - y.data[i + 1]) > 48
                    || Math.abs(x.data[i + 2] - y.data[i + 2]) > 48) changed++;
            }
            return changed / (end / 4);
        }""", ["data:image/png;base64," + base64.b64encode(png_bytes).decode()
               for png_bytes in (first, second)]))
    finally:
        page.close()


def captured_at(archive: Path) -> str:
    """The post's capture time as the 14 digits of a replay URL (no redirect to the exact one)."""
    db = sqlite3.connect(archive / "catalog.sqlite")
    try:
        (when,) = db.execute("SELECT captured_at FROM versions ORDER BY id LIMIT 1").fetchone()
    finally:
        db.close()
    return "".join(ch for ch in str(when) if ch.isdigit())[:14]


def unanswered(requests: list[Any], origin: str, live: str) -> list[str]:
    """Requests the archive did not answer: to the live site, failed, or not 200/304 (a redirect
    within the replay, as pywb may send to a capture's exact time, is followed, not an answer)."""
    wrong = []
    for url, status, redirect in requests:
        if url.startswith("data:"):
            continue
        answered = status in (200, 304) or (status is not None and 300 <= status < 400
                                            and redirect is True)
        if url.startswith(live) or not url.startswith(origin) or not answered:
            wrong.append(f"{status} {url} {redirect if isinstance(redirect, str) else ''}".strip())
    return wrong


def assert_looks_alike(chromium: Any, captured: Captured, replayed: bytes, wrong: list[str]
                       ) -> None:
    share = changed_share(chromium, captured.live_png, replayed)
    assert not wrong and share <= MAX_CHANGED, (
        f"{share:.2%} of the pixels differ from the live post (at most {MAX_CHANGED:.0%}); "
        f"requests the archive did not answer: {wrong}")


def test_the_crawl_captures_every_requisite_of_the_post(captured: Captured) -> None:
    """The completeness audit finds nothing missing: stylesheet, imported stylesheet, font,
    srcset candidates, lazy image, background image, icon."""
    result = run_cli("verify", "--json", archive=captured.archive)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["requisites"]["posts_checked"] == 1, captured.crawl_log[-3000:]
    assert report["incomplete"] == [], "requisites missing from the archive: " + json.dumps(
        report["incomplete"])
    assert report["requisites"]["requisites_checked"] == 8  # 5 in the page, 3 in its CSS


def test_view_original_looks_like_the_live_post(chromium: Any, captured: Captured) -> None:
    """The reader frames ``/replay/<ts>/<url>``; that page, at the viewport of the live
    screenshot, shows the same pixels, and asks its origin for nothing it cannot answer."""
    with serving(captured.archive) as reader:
        original = reader.get(f"/post/{post_id(captured.archive, '1 = 1')}/original")
        assert original.status == 200, original.text
        frame = re.search(r'<iframe class="replay"[^>]* src="([^"]+)"', original.text)
        assert frame, original.text
        origin = reader.url.rstrip("/")
        requests: list[Any] = []
        replayed = screenshot(chromium, origin + html.unescape(frame.group(1)), "reader",
                              requests)
    assert_looks_alike(chromium, captured, replayed, unanswered(requests, origin,
                                                                captured.live_url))


def test_pywb_replay_looks_like_the_live_post(chromium: Any, captured: Captured,
                                               tmp_path: Path) -> None:
    """pywb, the field's replay tool, shows the archived post as it looked (scripts running:
    the lazy image comes through ``data-src``), from the archive alone."""
    subprocess.run([str(BIN / "wb-manager"), "init", "blogs"], cwd=tmp_path, check=True,
                   capture_output=True)
    warcs = sorted(str(p) for p in (captured.archive / "warcs").glob("*.warc.gz"))
    subprocess.run([str(BIN / "wb-manager"), "add", "blogs", *warcs], cwd=tmp_path, check=True,
                   capture_output=True)
    port = free_port()
    process = subprocess.Popen([str(BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        origin = f"http://127.0.0.1:{port}"
        requests: list[Any] = []
        replayed = screenshot(chromium, f"{origin}/blogs/{captured_at(captured.archive)}/"
                              f"{captured.live_url}{POST_PATH}", "pywb", requests, "iframe")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert_looks_alike(chromium, captured, replayed, unanswered(requests, origin,
                                                                captured.live_url))
