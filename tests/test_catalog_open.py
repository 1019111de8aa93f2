"""One opener for every reader: the web reader sees the posts of scaled-out workers' shards too.

Until ``blogarchive merge`` runs, a scaled-out crawl's posts live only in the catalog shards
(``catalogs/HOST-PID.sqlite``); the command line always read them, and the web reader must as well.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from werkzeug.test import Client

from archive.catalog.open import open_read
from archive.catalog.shards import shard_paths
from archive.layout import Layout
from archive.web import ReaderApp
from tests.test_web import add_post

MAIN_URL = "https://main.example/2024/05/kept/"
SHARD_URL = "https://worker.example/2024/05/sharded/"


def archive_with_shard(root: Path) -> Layout:
    """A main catalog with one post, and a worker's shard holding a post of another blog.

    A shard is a catalog file under ``catalogs/``: the shard's post is catalogued first, then its
    catalog moved where a worker named ``host-1`` keeps its own.
    """
    layout = Layout(root)
    add_post(root, SHARD_URL, "Only in a shard", "written by a scaled-out worker",
             ("worker.warc.gz", 0, 100, "<urn:uuid:shard>"))
    layout.shard_dir.mkdir(parents=True)
    shutil.move(layout.catalog_path, layout.shard_path("host-1"))
    add_post(root, MAIN_URL, "In the main catalog", "written by a single-process crawl",
             ("main.warc.gz", 0, 100, "<urn:uuid:main>"))
    assert shard_paths(layout) == [layout.shard_path("host-1")]
    return layout


def test_the_web_reader_shows_posts_still_in_a_shard(tmp_path: Path) -> None:
    archive_with_shard(tmp_path)
    client = Client(ReaderApp(tmp_path))
    home = client.get("/").get_data(as_text=True)
    assert "main.example" in home and "worker.example" in home
    listing = client.get("/site/worker.example/").get_data(as_text=True)
    assert "Only in a shard" in listing
    link = re.search(r'href="(/post/\d+)"', listing)
    assert link, listing
    page = client.get(link.group(1))
    assert page.status_code == 200
    assert "written by a scaled-out worker" in page.get_data(as_text=True)


def test_reading_changes_nothing_on_disk(tmp_path: Path) -> None:
    layout = archive_with_shard(tmp_path)
    before = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*.sqlite"))}
    client = Client(ReaderApp(tmp_path))
    for path in ("/", "/site/worker.example/", "/site/main.example/"):
        assert client.get(path).status_code == 200
    with open_read(layout) as catalog:
        assert catalog.counts()["posts"] == 2
    assert {p: p.read_bytes() for p in sorted(tmp_path.rglob("*.sqlite"))} == before


def test_without_shards_the_reader_opens_the_catalog_itself_read_only(tmp_path: Path) -> None:
    add_post(tmp_path, MAIN_URL, "In the main catalog", "text", ("main.warc.gz", 0, 1, "<urn:x>"))
    with open_read(Layout(tmp_path)) as catalog:
        assert catalog.path == Layout(tmp_path).catalog_path
        assert catalog.find(MAIN_URL) is not None
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            catalog.touch(MAIN_URL, "2024-06-01T00:00:00+00:00")
    with pytest.raises(sqlite3.ProgrammingError):  # closed on leaving the block
        catalog.counts()
