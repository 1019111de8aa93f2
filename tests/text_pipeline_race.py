"""Run by tests/test_text_pipeline.py in its own process: TextPipeline on a real reactor and archive.

Sends ``ITEMS`` captures of one post at once, each with different text (so each is a new
version), plus one more capture of another post, and prints what the catalog holds as JSON.
A reactor can be installed once per process, hence a script rather than a test function.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.utils.reactor import install_reactor

install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

from scrapy.exceptions import DropItem  # noqa: E402
from scrapy.utils.project import get_project_settings  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402
from twisted.internet import reactor  # noqa: E402

from archive.extract.model import Extraction  # noqa: E402
from archive.layout import Layout  # noqa: E402
from archive.warc.capture import WarcLocation  # noqa: E402
from crawler.items import PostItem  # noqa: E402
from pipelines.text import TextPipeline  # noqa: E402

ITEMS = 6
URL = "http://127.0.0.1/2022/01/12/a-post/"


def item(url: str, number: int) -> PostItem:
    location = WarcLocation("test.warc.gz", number * 1000, 900, f"<urn:uuid:{number}>", "sha1:X")
    return PostItem(url=url, fetched_url=url, body=b"", encoding="utf-8",
                    captured_at=datetime(2026, 1, 1, 0, number, 0, tzinfo=UTC), warc=location,
                    discovered_via="sitemap",
                    extraction=Extraction.from_dict({
                        "title": "A post", "text": f"Version {number}.",
                        "published": "2022-01-12T00:00:00+00:00"}))


async def main(archive: str) -> dict[str, Any]:
    settings = get_project_settings().copy_to_dict()
    crawler = get_crawler(settings_dict={**settings, "ARCHIVE_DIR": archive, "ADDONS": {}})
    pipeline = TextPipeline.from_crawler(crawler)
    pipeline.open_spider()
    items = [item(URL, n) for n in range(ITEMS)] + [item(URL.replace("a-post", "other"), ITEMS)]
    results = await asyncio.gather(*(pipeline.process_item(i) for i in items),
                                   return_exceptions=True)
    pipeline.close_spider()
    db = sqlite3.connect(Layout(Path(archive)).catalog_path)
    versions = db.execute("SELECT p.url, v.version, v.text_path FROM versions v "
                          "JOIN posts p ON p.id = v.post_id ORDER BY p.url, v.version").fetchall()
    return {"versions": versions, "dropped": sum(isinstance(r, DropItem) for r in results),
            "errors": [repr(r) for r in results if isinstance(r, Exception)
                       and not isinstance(r, DropItem)],
            "archived": pipeline.archived, "locks_left": len(pipeline.locks)}


def run(archive: str) -> None:
    outcome: dict[str, Any] = {}

    async def go() -> None:
        try:
            outcome.update(await main(archive))
        finally:
            reactor.stop()  # type: ignore[attr-defined]
    reactor.callWhenRunning(lambda: asyncio.ensure_future(go()))  # type: ignore[attr-defined]
    reactor.run()  # type: ignore[attr-defined]
    print(json.dumps(outcome))


if __name__ == "__main__":
    run(sys.argv[1])
