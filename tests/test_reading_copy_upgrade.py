"""An archive crawled before the reading copy had Markdown: `reindex` makes it, a re-crawl of an
unchanged post makes no spurious version, and an edit of a link alone is a new version."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from archive.catalog import Catalog
from archive.extract.model import Extraction
from archive.layout import Layout
from archive.store import PostStore
from archive.warc.capture import WarcLocation
from tests.conftest import CrawlRun, run_cli

URL = "http://blog.test/2024/05/01/a-post/"
LOCATION = WarcLocation("a.warc.gz", 10, 20, "<urn:uuid:1>", "sha1:X")


def _sidecars(archive: Path) -> list[Path]:
    return sorted((archive / "posts").rglob("*.json"))


def test_reindex_writes_the_markdown_an_older_archive_lacks(crawled: CrawlRun, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(crawled.archive, archive)
    for path in _sidecars(archive):  # as the crawler wrote them before Markdown existed
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("markdown", None)
        data.pop("images", None)
        path.write_text(json.dumps(data), encoding="utf-8")
    before = run_cli("show", "--format", "json", "1", archive=archive)
    assert before.returncode == 0, before.stderr
    result = run_cli("reindex", archive=archive)
    assert result.returncode == 0, result.stdout + result.stderr
    rebuilt = [json.loads(p.read_text(encoding="utf-8")) for p in _sidecars(archive)]
    with_text = [d for d in rebuilt if d.get("text")]
    assert with_text and all(d.get("markdown") for d in with_text)
    assert any("](http" in d["markdown"] for d in with_text), "no link kept in any Markdown"


def _post(markdown: str) -> Extraction:
    return Extraction(
        url=URL, canonical_url=URL, title="A post", author="Ana",
        published=datetime(2024, 5, 1, tzinfo=UTC), modified=None, categories=(), tags=(),
        language="en", site_name="Blog", image=None, text="See the notes.", word_count=3,
        comments=(), markdown=markdown)


def test_markdown_arriving_is_not_a_new_version(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    with Catalog(layout.catalog_path) as catalog:
        store = PostStore(layout, catalog)
        captured = datetime(2024, 6, 1, tzinfo=UTC)
        assert store.save(URL, URL, captured, _post(""), LOCATION) is not None  # before Markdown
        linked = _post("See the [notes](http://blog.test/notes/).")
        assert store.save(URL, URL, captured, linked, LOCATION) is None
        changed = replace(linked, text="See the new notes.", markdown="See the new notes.")
        assert store.save(URL, URL, captured, changed, LOCATION) is not None


def test_a_link_changed_alone_is_a_new_version(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    with Catalog(layout.catalog_path) as catalog:
        store = PostStore(layout, catalog)
        captured = datetime(2024, 6, 1, tzinfo=UTC)
        linked = _post("See the [notes](http://blog.test/notes/).")
        assert store.save(URL, URL, captured, linked, LOCATION) is not None
        assert store.save(URL, URL, captured, linked, LOCATION) is None
        relinked = replace(linked, markdown="See the [notes](http://blog.test/notes-2/).")
        saved = store.save(URL, URL, captured, relinked, LOCATION)
        assert saved is not None and saved.version == 2  # only a link changed: an edit
        assert store.save(URL, URL, captured, relinked, LOCATION) is None
