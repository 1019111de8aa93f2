"""RECRAWL_TRUST_INVENTORY (the default): a repeat asks only for what the inventories say changed,
and still finds every new, edited and deleted post."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from archive.layout import Layout
from tests.conftest import run_crawl
from tests.fixtures.server import FixtureServer

EDITED, DELETED = 12, 14  # classic post ids


def test_trusting_the_inventory_fetches_only_changes(server: FixtureServer, tmp_path: Path) -> None:
    server.restore()
    try:
        first = run_crawl(server, tmp_path, ["classic"])
        assert first.returncode == 0, first.log[-2000:]
        time.sleep(1.1)  # inventories count whole seconds: edit in a later second than the capture
        old = {p["url"] for p in server.posts("classic")}
        now = server.mutate("classic", add=2, edit=[EDITED], delete=[DELETED])
        second = run_crawl(server, tmp_path, ["classic"])
    finally:
        server.restore()
    assert second.returncode == 0, second.log[-2000:]
    report = second.report
    assert (report["new"], report["changed"], report["deleted"]) == (2, 1, 1)
    assert report["unchanged"] == len(old) - 2
    assert second.stats["posts/unchanged_by_inventory"] == len(old) - 2
    fetched = Counter(urlsplit(r["path"]).path for r in second.requests)
    changed = {urlsplit(p["url"]).path for p in now if p["url"] not in old or p["id"] == EDITED}
    deleted = {urlsplit(u).path for u in old - {p["url"] for p in now}}
    posts_fetched = {path for path in fetched if path.count("/") == 5}  # /YYYY/MM/DD/slug/
    assert posts_fetched == changed | deleted
    db = sqlite3.connect(Layout(tmp_path).catalog_path)
    assert db.execute("SELECT COUNT(*) FROM posts WHERE deleted_at IS NOT NULL").fetchone()[0] == 1
