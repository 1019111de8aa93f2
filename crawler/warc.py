"""The crawl's one WARC writer: built from settings at start-up, closed when the spider closes."""

from __future__ import annotations

import platform
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from archive import __version__
from archive.config import ArchiveConfig
from archive.layout import Layout
from archive.warc.capture import Capture, WarcLocation
from archive.warc.records import RECONSTRUCTION_NOTE, RecordFactory, RefersTo
from archive.warc.writer import RotatingWarcWriter
from crawler.addons import worker_shard
from crawler.config import archive_config
from crawler.diskfull import is_disk_full, stop_crawl


class WarcSink:
    def __init__(self, writer: RotatingWarcWriter, stats: Any,
                 on_disk_full: Callable[[OSError], None] | None = None) -> None:
        self.writer = writer
        self.stats = stats
        self.on_disk_full = on_disk_full
        self.disk_full = False  # after ENOSPC nothing more is appended to the .open file

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> WarcSink:
        config = archive_config(crawler)
        info = warcinfo_fields(config, crawler.settings.get("USER_AGENT", ""),
                               crawler.settings.getbool("ROBOTSTXT_OBEY"))
        writer = RotatingWarcWriter(
            Layout(config.archive_dir).warc_dir, config.warc_prefix, info,
            max_size=config.warc_max_size,
            factory=RecordFactory(store_credentials=config.store_credentials),
            host=worker_shard(crawler.settings))  # scale-out: HOST-PID, else the host name
        sink = cls(writer, crawler.stats, partial(stop_crawl, crawler))
        crawler.signals.connect(sink.close, signal=signals.spider_closed)
        return sink

    def write(self, capture: Capture) -> WarcLocation:
        before = self.writer.bytes_written
        with self._disk_guard():
            location = self.writer.write_capture(capture)
        self.stats.inc_value("archive/warc/records", 2)
        self.stats.inc_value("archive/warc/bytes", self.writer.bytes_written - before)
        return location

    def write_revisit(self, capture: Capture, refers: RefersTo, not_modified: bool) -> WarcLocation:
        before = self.writer.bytes_written
        with self._disk_guard():
            location = self.writer.write_revisit(capture, refers, not_modified)
        self.stats.inc_value("archive/warc/records", 2)
        self.stats.inc_value("archive/warc/bytes", self.writer.bytes_written - before)
        return location

    def close(self) -> None:
        if self.disk_full:
            self.writer.abandon()  # keep NAME.open as it is: the next start recovers it
        else:
            self.writer.close()
        self.stats.set_value("archive/warc/files", len(self.writer.closed_files))

    # --- full disk (crawler/diskfull.py) ----------------------------------------------------
    @contextmanager
    def _disk_guard(self) -> Iterator[None]:
        """ENOSPC: stop the crawl once, refuse later captures (IgnoreRequest), keep the .open."""
        if self.disk_full:
            raise IgnoreRequest("the archive disk is full")
        try:
            yield
        except OSError as error:
            if not is_disk_full(error):
                raise
            self.disk_full = True
            if self.on_disk_full is not None:
                self.on_disk_full(error)
            raise IgnoreRequest(f"the archive disk is full: {error}") from error


def warcinfo_fields(config: ArchiveConfig, user_agent: str, robots: bool) -> dict[str, str]:
    """What a future reader needs to know about how these captures were made."""
    return {
        "software": f"blogarchive/{__version__} (Scrapy, warcio; Python {platform.python_version()})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "robots": "obey" if robots else "ignore",
        "http-header-user-agent": user_agent,
        "operator": config.operator,
        "hostname": socket.gethostname(),
        "http-headers": RECONSTRUCTION_NOTE,
        "credentials": "stored" if config.store_credentials
        else "Authorization and Cookie request headers not stored",
    }
