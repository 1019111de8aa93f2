"""Write each post's clean text, JSON sidecar and catalog row; enforce since/until and max_posts.

The two files are written in a thread (the reactor's pool): creating a file costs the event loop
0.3 to 0.5 ms on ext4, measured as the largest single item of the crawler's own profile.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any, NoReturn

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet import threads
from twisted.internet.defer import DeferredLock

from archive.catalog import Catalog
from archive.catalog.resources import upsert
from archive.catalog.shards import ShardCatalog
from archive.extract.model import Extraction
from archive.layout import Layout
from archive.store import ArchivedPost, PostStore
from crawler.addons import worker_shard
from crawler.config import archive_config
from crawler.diskfull import is_disk_full, stop_crawl
from crawler.items import GoneItem, PageItem, PostItem, SeenItem
from crawler.protocols import options_of

logger = logging.getLogger(__name__)


class TextPipeline:
    def __init__(self, layout: Layout, crawler: Crawler) -> None:
        self.layout = layout
        self.crawler = crawler
        self.stats = crawler.stats
        self.store: PostStore | None = None
        self.archived = 0
        self.writing = 0  # posts between prepare and commit, counted against max_posts
        self.locks: dict[str, DeferredLock] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TextPipeline:
        return cls(Layout(archive_config(crawler).archive_dir), crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        shard = worker_shard(self.crawler.settings)  # scale-out: this worker's own catalog shard
        catalog = ShardCatalog(self.layout, shard) if shard else Catalog(self.layout.catalog_path)
        self.store = PostStore(self.layout, catalog)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.store is not None:
            self.store.catalog.close()

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        assert self.store is not None
        if isinstance(item, SeenItem):
            self.store.catalog.touch(item.url, item.captured_at.isoformat())
            return item
        if isinstance(item, PageItem):  # a listing or the home page: its validators, kept
            try:
                with self.store.catalog.db:
                    upsert(self.store.catalog.db, [item.row])
            except sqlite3.Error as error:  # full disk: stop cleanly, as _save does
                self._disk_full(error)
            return item
        if isinstance(item, GoneItem):
            if self.store.catalog.mark_deleted(item.url, item.seen_gone.isoformat()):
                self.stats.inc_value("posts/deleted")
            return item
        return await self._save(item)

    async def _save(self, item: PostItem) -> PostItem:
        options = options_of(self.crawler.spider)
        limit = getattr(options, "max_posts", None)
        if limit is not None and self.archived + self.writing >= limit:
            raise DropItem(f"max_posts={limit} reached")
        extraction = item.extraction or Extraction.failed(
            item.fetched_url, "not extracted: ExtractPipeline is not in ITEM_PIPELINES")
        published = extraction.published
        if options is not None and not options.in_range(published):
            self.stats.inc_value("posts/out_of_range")
            raise DropItem(f"published {published} is outside since/until")
        self.writing += 1  # counted against max_posts before the first pause, so none overshoots
        try:
            saved = await self._write(item, extraction)
        except (OSError, sqlite3.Error) as error:  # full disk: stop cleanly (crawler/diskfull.py)
            self._disk_full(error)
        finally:
            self.writing -= 1
        if saved is None:
            self.stats.inc_value("posts/unchanged")
            return item
        self.archived += 1
        self.stats.inc_value("posts/archived")
        self.stats.inc_value("posts/new" if saved.version == 1 else "posts/changed")
        logger.debug("archived %s as %s", item.url, saved.text_path)
        if limit is not None and self.archived >= limit:
            logger.info("max_posts=%d reached: stopping the crawl", limit)
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="max_posts"))
        return item

    def _disk_full(self, error: OSError | sqlite3.Error) -> NoReturn:
        """A full disk stops the crawl (crawler/diskfull.py) and drops the item; else re-raise.

        A page's catalog row can be the write that finds the disk full, not only a post's files.
        """
        if not is_disk_full(error):
            raise error
        stop_crawl(self.crawler, error)
        raise DropItem(f"the archive disk is full: {error}") from error

    async def _write(self, item: PostItem, extraction: Extraction) -> ArchivedPost | None:
        """Decide and render here, write the two files in a thread, then add the catalog row.

        One post's versions are written one at a time (``self.locks``), so two captures of the same
        post in one crawl cannot pick the same version number.
        """
        assert self.store is not None
        lock = self.locks.setdefault(item.url, DeferredLock())
        await maybe_deferred_to_future(lock.acquire())
        try:
            pending = self.store.prepare(item.url, item.fetched_url, item.captured_at,
                                         extraction, item.warc,
                                         validators=(item.etag, item.last_modified))
            if pending is None:
                return None
            await maybe_deferred_to_future(threads.deferToThread(pending.write_files))
            return self.store.commit(pending)
        finally:
            lock.release()
            if not lock.locked and not lock.waiting:
                del self.locks[item.url]

