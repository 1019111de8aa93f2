"""The readers against hostile archived content: what a page displayed stays text in every format.

Issue 15: ``show --format markdown`` and the Markdown export wrote ``<script>`` and ``<img onerror>``
that a page displayed as text as live HTML, which Markdown renderers then run.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from werkzeug.test import Client

from archive.catalog import Catalog
from archive.extract.model import Comment, Extraction
from archive.layout import Layout
from archive.store import PostStore
from archive.warc import decoding
from archive.warc.capture import WarcLocation
from archive.web.app import ReaderApp
from tests.conftest import run_cli
from tests.fixtures.server import ENCODERS
from tests.test_reader_load import STAMP, append_warc

URL = "http://blog.test/2024/01/hostile/"
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
LINK = "[click](javascript:alert(3))"


def hostile_post() -> Extraction:
    return Extraction(
        url=URL, canonical_url=URL, title=f"Title {SCRIPT}", author=f"Eve {IMG}",
        published=datetime(2024, 1, 5, tzinfo=UTC), modified=None,
        categories=(SCRIPT,), tags=("<b>bold</b>",), language="en", site_name="Blog",
        image="javascript:alert(4)",
        text=f"A post about {SCRIPT} tags.\n\n{IMG}\n\n{LINK} & C:\\path\n\n- a list item",
        word_count=9, date_reason=None,
        comments=(Comment("c1", None, f"Mal {SCRIPT}", None, f"Nice {IMG}", None),))


def save(archive: Path, extraction: Extraction, url: str = URL) -> None:
    layout = Layout(archive)
    catalog = Catalog(layout.catalog_path)
    location = WarcLocation("a.warc.gz", 0, 10, "<urn:uuid:1>", "sha1:X")
    PostStore(layout, catalog).save(url, url, datetime(2024, 2, 1, tzinfo=UTC), extraction,
                                    location)
    catalog.close()


@pytest.fixture()
def hostile(tmp_path: Path) -> Path:
    archive = tmp_path / "archive"
    save(archive, hostile_post())
    return archive


def assert_inert(markdown: str) -> None:
    rendered = MarkdownIt("commonmark").render(markdown)  # raw HTML passes through this preset
    lowered = rendered.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<b>" not in lowered, rendered
    assert "javascript:" not in lowered.replace("[click](javascript:alert(3))", ""), rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered  # shown, as the page showed it
    assert "- a list item" not in markdown or "<li>a list item</li>" in rendered
    meta = yaml.safe_load(markdown.split("---\n")[1])
    assert meta["title"] == f"Title {SCRIPT}" and meta["categories"] == [SCRIPT]  # read back whole
    assert "<" not in markdown.split("---\n")[1]


def test_show_markdown_keeps_displayed_html_as_text(hostile: Path) -> None:
    result = run_cli("show", URL, "--format", "markdown", archive=hostile)
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout)
    assert "C:\\path" in MarkdownIt("commonmark").render(result.stdout)


def test_markdown_export_keeps_displayed_html_as_text(hostile: Path, tmp_path: Path) -> None:
    result = run_cli("export", "--format", "markdown", str(tmp_path / "md"), archive=hostile)
    assert result.returncode == 0, result.stderr
    files = list((tmp_path / "md").rglob("*.md"))
    assert len(files) == 1
    assert_inert(files[0].read_text(encoding="utf-8"))


# --- the web reader: host names, tags with slashes, zstd captures ---------------------------------

def test_host_names_are_case_insensitive(hostile: Path) -> None:
    reader = Client(ReaderApp(hostile))
    assert reader.get("/", headers={"Host": "LOCALHOST:8000"}).status_code == 200
    assert reader.get("/", headers={"Host": "LocalHost"}).status_code == 200
    assert reader.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_tag_and_category_pages_of_terms_starting_with_a_slash(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    save(archive, replace(hostile_post(), title="Slashes", categories=("/etc",),
                          tags=("/dev/null", "a/b")))
    reader = Client(ReaderApp(archive))
    post_page = reader.get("/post/1").get_data(as_text=True)
    links = re.findall(r'href="(/site/[^"]+/(?:tag|category)/[^"]+)"', post_page)
    assert len(links) == 3, links
    for link in links:
        page = reader.get(link)
        assert page.status_code == 200 and "Slashes" in page.get_data(as_text=True), link


@pytest.mark.parametrize("installed", [True, False])
def test_zstd_captures_are_decoded_or_refused_clearly(tmp_path: Path, installed: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """zstd is never offered, but servers send it unasked; decoded by (backports.)zstd if there."""
    page = b"<html><body><p>zstd page marker</p></body></html>"
    append_warc(tmp_path / "warcs" / "z-00001.warc.gz", [
        ("http://z.example/", [("Content-Type", "text/html"), ("Content-Encoding", "zstd")],
         ENCODERS["zstd"](page))])
    if not installed:
        def missing(name: str) -> None:
            raise ImportError(name)
        monkeypatch.setattr(decoding.importlib, "import_module", missing)
    reply = Client(ReaderApp(tmp_path)).get(f"/replay/{STAMP}/http://z.example/")
    text = reply.get_data(as_text=True)
    if installed:
        assert reply.status_code == 200 and "zstd page marker" in text
    else:
        assert reply.status_code == 502 and "cannot decode zstd" in text
