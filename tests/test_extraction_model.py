"""Extraction is typed end to end and a dict only across the process boundary, yet the archive
bytes it produces are those the dict produced: same sidecar, same catalog row, same content hash.

A different content hash for an unchanged post would make every re-crawl archive a spurious new
version, so the dict-based computations of the previous commit are written out here and compared.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import Catalog
from archive.extract import extract_post
from archive.extract.model import Comment, Extraction
from archive.layout import Layout
from archive.store import PostStore, content_hash, render_text
from archive.warc.capture import WarcLocation

PAGES = Path(__file__).parent / "fixtures" / "pages"
NAMES = sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))
URL = "http://blog.test/2022/01/12/a-post/"
POOL_FAILURE = {"text": "", "word_count": 0, "comments": [], "reason": "extraction worker crashed"}


def legacy_hash(meta: dict[str, Any], markdown: bool = False) -> str:
    """archive/store.py ``content_hash`` as it was, over the dict (``markdown``: as it is now)."""
    fields = ("title", "author", "published", "modified", "categories", "tags", "text", "comments")
    fields += ("markdown",) if markdown and meta.get("markdown") else ()
    content = {key: meta.get(key) for key in fields}
    if not markdown:  # comments had no Markdown either
        content["comments"] = [{k: v for k, v in c.items() if k != "markdown"}
                               for c in meta.get("comments") or []]
    return hashlib.sha1(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def legacy_text(url: str, meta: dict[str, Any]) -> str:
    """archive/store.py ``render_text`` as it was, over the dict."""
    title = meta.get("title") or "(untitled)"
    lines = [title, "=" * min(len(title), 78)]
    for label, key in (("Published", "published"), ("Modified", "modified"), ("Author", "author")):
        if meta.get(key):
            lines.append(f"{label}: {meta[key]}")
    for label, key in (("Categories", "categories"), ("Tags", "tags")):
        if meta.get(key):
            lines.append(f"{label}: {', '.join(meta[key])}")
    lines.append(f"URL: {url}")
    return "\n".join(lines) + "\n\n" + (meta.get("text") or "").strip() + "\n"


def post() -> Extraction:
    summer = timezone(timedelta(hours=2))
    return Extraction(
        url=URL + "?amp=1", canonical_url=URL, title="Été à Zürich", author="Ana",
        published=datetime(2022, 1, 12, 9, 30, tzinfo=UTC),
        modified=datetime(2022, 6, 1, 8, 0, 0, 123456, tzinfo=summer),
        categories=("Travel", "日本"), tags=("a", "b"), language="fr", site_name="Blog",
        image="http://blog.test/i.png", text="Body, first paragraph.\n\nSecond one.",
        word_count=5, date_reason=None,
        comments=(Comment("c1", None, "Bo", datetime(2022, 1, 13, tzinfo=UTC), "Nice.", "#c1"),
                  Comment("c2", "c1", None, None, "Thanks!", None)))


def test_the_dict_crosses_the_process_boundary_and_back_unchanged() -> None:
    data = post().to_dict()
    assert Extraction.from_dict(data) == post()
    assert Extraction.from_dict(data).to_dict() == data


def test_content_hash_is_the_dict_hash_of_the_previous_commit() -> None:
    assert content_hash(post()) == legacy_hash(post().to_dict())
    assert content_hash(post()) == "13d0038ad205e78549598b3f30f1dfa138f4937c"  # by 2d1dd6f
    failure = Extraction.failed(URL, "extraction worker crashed")
    assert content_hash(failure) == legacy_hash(POOL_FAILURE)
    assert failure.to_dict() == POOL_FAILURE


@pytest.mark.parametrize("name", NAMES)
def test_fixture_pages_hash_and_render_as_the_dict_did(name: str) -> None:
    expected = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    captured = expected.get("captured_at")
    data = extract_post((PAGES / f"{name}.html").read_bytes(), expected["url"],
                        encoding=expected.get("http_charset"),
                        captured_at=datetime.fromisoformat(captured) if captured else None
                        ).to_dict()
    back = Extraction.from_dict(data)  # what the crawler holds after the worker
    assert back.to_dict() == data
    assert content_hash(back) == legacy_hash(data, markdown=True)
    assert content_hash(back, legacy=True) == legacy_hash(data)
    assert render_text(URL, back) == legacy_text(URL, data)


@pytest.mark.parametrize("extraction", [post(), Extraction.failed(URL, "extraction worker crashed")],
                         ids=["post", "failure"])
def test_sidecar_and_catalog_row_are_what_the_dict_wrote(tmp_path: Path,
                                                        extraction: Extraction) -> None:
    layout = Layout(tmp_path)
    catalog = Catalog(layout.catalog_path)
    captured = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    location = WarcLocation("a.warc.gz", 10, 20, "<urn:uuid:1>", "sha1:X")
    saved = PostStore(layout, catalog).save(URL, URL + "?amp=1", captured, extraction, location,
                                            validators=('"e"', None))
    assert saved is not None
    meta = extraction.to_dict()
    sidecar = {"url": URL, "fetched_url": URL + "?amp=1", "version": 1,
               "captured_at": captured.isoformat(), **meta,
               "warc": {"file": "a.warc.gz", "offset": 10, "length": 20,
                        "record_id": "<urn:uuid:1>"}}
    assert saved.meta_path.read_bytes() == json.dumps(
        sidecar, ensure_ascii=False, indent=2).encode("utf-8")
    assert saved.text_path.read_text(encoding="utf-8") == legacy_text(URL, meta)
    db = sqlite3.connect(layout.catalog_path)
    row = db.execute("""SELECT title, author, published, modified, categories, tags, language,
        site_name, canonical_url, image, word_count, reason, content_hash FROM versions""").fetchone()
    assert row == (meta.get("title"), meta.get("author"), meta.get("published"),
                   meta.get("modified"), json.dumps(meta.get("categories") or []),
                   json.dumps(meta.get("tags") or []), meta.get("language"),
                   meta.get("site_name"), meta.get("canonical_url"), meta.get("image"),
                   int(meta.get("word_count") or 0), meta.get("reason"), legacy_hash(meta))
    comments = db.execute("SELECT comment_id, parent, author, published, text, anchor "
                          "FROM comments ORDER BY rowid").fetchall()
    assert comments == [(c["id"], c.get("parent"), c.get("author"), c.get("published"),
                         c.get("text") or "", c.get("anchor")) for c in meta["comments"]]
    db.close()
    catalog.close()


def test_a_custom_function_may_leave_keys_out() -> None:
    """EXTRACT_FUNCTION's dict is read as the pipeline's ``.get`` read it: missing means empty."""
    extraction = Extraction.from_dict({"text": "Only text.", "published": "2022-01-12T00:00:00Z"})
    assert extraction.title is None and extraction.categories == () and extraction.comments == ()
    assert extraction.word_count == 0 and extraction.reason is None
    assert extraction.published == datetime(2022, 1, 12, tzinfo=UTC)
