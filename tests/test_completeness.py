"""`blogarchive verify` audits completeness: archived posts whose page requisites are missing.

The archives are written with our own WARC writer (as the crawler writes them) and catalogued the
way the text pipeline catalogues a post, so the audit reads exactly what a crawl leaves behind.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from archive.catalog import Catalog, VersionRow
from archive.extract.model import Extraction
from archive.extract.trackers import url_listed as skipped_host
from archive.warc.capture import Capture
from archive.warc.records import RefersTo, warc_date
from archive.warc.writer import RotatingWarcWriter
from tests.conftest import run_cli

SITE = "http://blog.test"
POST = f"{SITE}/2024/05/a-post/"
PAGE = b"""<!doctype html><html><head><title>A post</title>
<link rel="stylesheet" href="/theme/style.css">
<link rel="icon" href="/favicon.ico">
<script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>
</head><body class="single single-post">
<article class="post"><h1 class="entry-title">A post</h1><div class="entry-content">
<p>Some words of the post, enough of them to count as a body.</p>
<img src="/img/a.png" srcset="/img/a-2x.png 2x, /img/a,3x.png 3x">
<img data-lazy-src="/img/lazy.png" src="data:image/gif;base64,R0lGOD">
<a href="/files/paper.pdf">the paper</a>
</div></article></body></html>"""
CSS = b"@import url(print.css); body { background: url(../img/bg.png); } " \
      b"@font-face { font-family: F; src: url(/fonts/f.woff2) format('woff2'); }"
HTML = [("Content-Type", "text/html; charset=utf-8")]
EVERY_REQUISITE = {
    "/theme/style.css": (b"text/css", CSS), "/theme/print.css": (b"text/css", b"p{}"),
    "/img/bg.png": (b"image/png", b"P1"), "/fonts/f.woff2": (b"font/woff2", b"F"),
    "/favicon.ico": (b"image/x-icon", b"I"), "/img/a.png": (b"image/png", b"A"),
    "/img/a-2x.png": (b"image/png", b"A2"), "/img/a,3x.png": (b"image/png", b"A3"),
    "/img/lazy.png": (b"image/png", b"L"),
}


def capture(url: str, content_type: str, body: bytes, status: int = 200) -> Capture:
    return Capture(url=url, started=datetime(2024, 5, 1, 10, tzinfo=UTC), method="GET",
                   request_headers=[("Host", "blog.test")], status=status,
                   response_headers=[("Content-Type", content_type)], body=body)


def make_archive(root: Path, requisites: list[str], revisit_post: bool = False) -> Path:
    """An archive holding the post page, ``requisites`` (paths) and its catalog row."""
    writer = RotatingWarcWriter(root / "warcs", "test", {"software": "test"})
    place = writer.write_capture(capture(POST, HTML[0][1], PAGE))
    if revisit_post:  # a repeat crawl's 304: the catalog's latest version points at the revisit
        refers = RefersTo(POST, warc_date(datetime(2024, 5, 1, 10, tzinfo=UTC)), place.record_id,
                          place.payload_digest or "")
        place = writer.write_revisit(capture(POST, HTML[0][1], b"", 304), refers, True)
    for path in requisites:
        content_type, body = EVERY_REQUISITE[path]
        writer.write_capture(capture(SITE + path, content_type.decode(), body))
    writer.close()
    catalog = Catalog(root / "catalog.sqlite")
    catalog.add_version(VersionRow(
        url=POST, site=SITE, captured_at="2024-05-01T10:00:00+00:00", fetched_url=POST,
        metadata=Extraction.from_dict({"title": "A post"}), text_path="posts/a.txt",
        meta_path="posts/a.json", warc_file=place.filename, warc_offset=place.offset,
        warc_length=place.length, record_id=place.record_id, payload_digest=place.payload_digest))
    catalog.close()
    (root / "posts").mkdir()
    (root / "posts/a.txt").write_text("A post")
    (root / "posts/a.json").write_text("{}")
    return root


def test_missing_requisites_are_listed_per_post(tmp_path: Path) -> None:
    """Left out: the stylesheet's background image and font (found only by reading the archived
    CSS), a srcset candidate with a comma in its URL, the lazy image. The tracker script is on the
    skip list and the PDF is an attachment, not a requisite: neither is expected."""
    kept = ["/theme/style.css", "/theme/print.css", "/favicon.ico", "/img/a.png", "/img/a-2x.png"]
    archive = make_archive(tmp_path / "a", kept)
    result = run_cli("verify", "--json", archive=archive)
    assert result.returncode == 0, result.stdout + result.stderr  # incomplete is not damage
    report = json.loads(result.stdout)
    assert report["ok"] and not report["complete"]
    missing = {f"{SITE}/img/a,3x.png", f"{SITE}/img/lazy.png", f"{SITE}/img/bg.png",
               f"{SITE}/fonts/f.woff2"}
    assert report["incomplete"] == [{"post": POST, "missing": report["incomplete"][0]["missing"]}]
    assert set(report["incomplete"][0]["missing"]) == missing
    assert report["requisites"]["posts_checked"] == 1
    assert report["requisites"]["requisites_checked"] == len(EVERY_REQUISITE)
    plain = run_cli("verify", archive=archive)
    assert plain.returncode == 0
    assert f"incomplete: {POST}: missing " in plain.stdout
    assert "requisites: 1 posts checked (9 requisites), 1 posts miss 4 requisites" in plain.stdout
    assert plain.stdout.strip().endswith("OK")
    assert run_cli("verify", "--strict", archive=archive).returncode == 1


def test_images_only_and_none(tmp_path: Path) -> None:
    """``--requisites images`` expects images only (as ARCHIVE_REQUISITES=images fetches them):
    the missing stylesheet is no longer reported; ``none`` skips the audit."""
    archive = make_archive(tmp_path / "a", ["/img/a.png", "/img/a-2x.png", "/img/a,3x.png",
                                            "/img/lazy.png"])
    report = json.loads(run_cli("verify", "--json", "--requisites", "images",
                                archive=archive).stdout)
    assert report["complete"] and report["requisites"]["requisites_checked"] == 4
    full = json.loads(run_cli("verify", "--json", archive=archive).stdout)
    assert f"{SITE}/theme/style.css" in full["incomplete"][0]["missing"]
    assert f"{SITE}/favicon.ico" in full["incomplete"][0]["missing"]
    off = json.loads(run_cli("verify", "--json", "--requisites", "none", archive=archive).stdout)
    assert off["requisites"] is None and off["complete"]


def test_a_complete_archive_reports_none(tmp_path: Path) -> None:
    """Every requisite archived, the post's latest version a 304 revisit (its page read from the
    original it refers to): nothing missing, and --strict passes."""
    archive = make_archive(tmp_path / "a", list(EVERY_REQUISITE), revisit_post=True)
    result = run_cli("verify", "--json", "--strict", archive=archive)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["complete"] and report["incomplete"] == []
    assert report["requisites"]["posts_checked"] == 1 and report["requisites"]["unreadable"] == 0
    plain = run_cli("verify", archive=archive)
    assert "requisites: 1 posts checked (9 requisites), none missing" in plain.stdout


def test_skip_list_covers_subdomains() -> None:
    assert skipped_host("https://www.googletagmanager.com/gtag/js")
    assert skipped_host("https://stats.wp.com/e-202420.js")
    assert not skipped_host("https://i0.wp.com/blog.test/img.png")
    assert not skipped_host("https://s0.wp.com/wp-content/style.css")
    assert not skipped_host("http://[broken/x.png")
