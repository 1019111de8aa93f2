"""When a capture is a new version: decided in ``PostStore.prepare`` with one catalog query
(``newest_version``), in a single catalog and in a scale-out worker's shard alike."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from archive.catalog import Catalog
from archive.catalog.shards import ShardCatalog
from archive.extract.model import Extraction
from archive.layout import Layout
from archive.store import PostStore
from archive.warc.capture import WarcLocation

URL = "https://blog.example/2024/05/01/bridges/"
CAPTURED = datetime(2024, 6, 1, tzinfo=UTC)
WHERE = WarcLocation("a.warc.gz", 0, 10, "<urn:uuid:1>", None)


def post(text: str = "A post about bridges, café included.") -> Extraction:
    return Extraction(
        url=URL, canonical_url=URL, title="Bridges", author="Ed", published=None, modified=None,
        categories=("Travel",), tags=(), language="en", site_name=None, image=None, text=text,
        word_count=len(text.split()), comments=(), markdown=text)


def save(catalog: Catalog, root: Path, extraction: Extraction) -> int | None:
    saved = PostStore(Layout(root), catalog).save(URL, URL, CAPTURED, extraction, WHERE)
    return None if saved is None else saved.version


def test_a_single_catalog_numbers_edits_and_keeps_unchanged_captures_out(tmp_path: Path) -> None:
    with Catalog(Layout(tmp_path).catalog_path) as catalog:
        assert catalog.newest_version(URL) is None
        assert save(catalog, tmp_path, post()) == 1
        assert save(catalog, tmp_path, post()) is None
        assert save(catalog, tmp_path, post("Edited.")) == 2
        assert save(catalog, tmp_path, post("Edited.")) is None
        newest = catalog.newest_version(URL)
        assert newest is not None and newest[0] == 2
        assert [row["version"] for row in catalog.versions_of(URL)] == [1, 2]


def test_a_version_archived_before_markdown_is_not_a_new_version(tmp_path: Path) -> None:
    with Catalog(Layout(tmp_path).catalog_path) as catalog:
        assert save(catalog, tmp_path, replace(post(), markdown="")) == 1
        assert save(catalog, tmp_path, post()) is None


def test_a_shard_numbers_versions_after_the_rest_of_the_archive(tmp_path: Path) -> None:
    with Catalog(Layout(tmp_path).catalog_path) as main:
        assert save(main, tmp_path, post()) == 1
        assert save(main, tmp_path, post("Edited.")) == 2
    shard = ShardCatalog(Layout(tmp_path), "host-1")
    try:
        assert shard.newest_version(URL) == (2, main_hash(tmp_path))
        assert save(shard, tmp_path, post("Edited.")) is None  # the main catalog's latest
        assert save(shard, tmp_path, post("Edited again.")) == 3
        assert save(shard, tmp_path, post("Edited again.")) is None
        assert save(shard, tmp_path, post("A third edit.")) == 4
    finally:
        shard.close()


def test_a_post_touched_in_a_shard_then_edited_follows_the_archive(tmp_path: Path) -> None:
    with Catalog(Layout(tmp_path).catalog_path) as main:
        assert save(main, tmp_path, post()) == 1
    shard = ShardCatalog(Layout(tmp_path), "host-2")
    try:
        shard.touch(URL, CAPTURED.isoformat())  # seen unchanged: a posts row, no version here
        assert shard.newest_version(URL) == (1, None)
        assert save(shard, tmp_path, post("Edited.")) == 2
    finally:
        shard.close()


def test_the_sidecar_is_indented_json_with_text_unescaped(tmp_path: Path) -> None:
    with Catalog(Layout(tmp_path).catalog_path) as catalog:
        saved = PostStore(Layout(tmp_path), catalog).save(URL, URL, CAPTURED, post(), WHERE)
    assert saved is not None
    raw = saved.meta_path.read_text(encoding="utf-8")
    data = json.loads(raw)
    assert raw == json.dumps(data, ensure_ascii=False, indent=2)
    assert "café" in raw and data["version"] == 1 and data["warc"]["file"] == "a.warc.gz"
    assert Extraction.from_dict(data) == post()


def main_hash(root: Path) -> str:
    with Catalog(Layout(root).catalog_path) as catalog:
        newest = catalog.newest_version(URL)
    assert newest is not None and newest[1] is not None
    return newest[1]
