"""Read and check the archive settings once per crawl, before the first request."""

from __future__ import annotations

import os
from typing import Any

from scrapy.crawler import Crawler

from archive.config import ArchiveConfig, ConfigError
from archive.layout import Layout


def archive_config(crawler: Crawler) -> ArchiveConfig:
    """The typed archive settings, with ARCHIVE_DIR proven writable (else ConfigError)."""
    config = ArchiveConfig.from_settings(_as_mapping(crawler))
    check_writable(config)
    return config


def check_writable(config: ArchiveConfig) -> None:
    layout = Layout(config.archive_dir)
    try:
        layout.warc_dir.mkdir(parents=True, exist_ok=True)
        probe = layout.warc_dir / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise ConfigError(
            f"ARCHIVE_DIR={str(config.archive_dir)!r} is not writable ({error.strerror}): "
            "choose another directory with -s ARCHIVE_DIR=PATH") from None


def _as_mapping(crawler: Crawler) -> dict[str, Any]:
    return {key: crawler.settings.get(key) for key in (
        "ARCHIVE_DIR", "ARCHIVE_WARC_MAX_SIZE", "ARCHIVE_WARC_PREFIX", "ARCHIVE_OPERATOR",
        "ARCHIVE_STORE_CREDENTIALS")}
