"""Settings shared by the crawler and the archive tools, declared once.

The crawler reads these names from Scrapy settings; the ``blogarchive`` command reads the same
``ARCHIVE_DIR`` (flag, then environment, then default) so both always look at one archive.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_ARCHIVE_DIR = "archive-data"
DEFAULT_WARC_MAX_SIZE = 1_000_000_000
DEFAULT_WARC_PREFIX = "blogarchive"


class ConfigError(ValueError):
    """A setting that cannot work; the message says what to fix."""


@dataclass(frozen=True)
class ArchiveConfig:
    archive_dir: Path
    warc_max_size: int = DEFAULT_WARC_MAX_SIZE
    warc_prefix: str = DEFAULT_WARC_PREFIX
    operator: str = ""
    store_credentials: bool = False

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ArchiveConfig:
        """Build and validate from a flat settings mapping (Scrapy's or a plain dict)."""
        raw_dir = settings.get("ARCHIVE_DIR") or default_archive_dir()
        max_size = _positive_int(settings.get("ARCHIVE_WARC_MAX_SIZE", DEFAULT_WARC_MAX_SIZE),
                                 "ARCHIVE_WARC_MAX_SIZE")
        prefix = str(settings.get("ARCHIVE_WARC_PREFIX") or DEFAULT_WARC_PREFIX)
        if not prefix.replace("-", "").replace("_", "").isalnum():
            raise ConfigError(f"ARCHIVE_WARC_PREFIX={prefix!r}: use letters, digits, '-' or '_'")
        return cls(
            archive_dir=Path(str(raw_dir)).expanduser(),
            warc_max_size=max_size,
            warc_prefix=prefix,
            operator=str(settings.get("ARCHIVE_OPERATOR") or ""),
            store_credentials=_flag(settings.get("ARCHIVE_STORE_CREDENTIALS", False)),
        )


def default_archive_dir() -> str:
    """``$ARCHIVE_DIR`` when set, else ``./archive-data``: what both crawler and CLI fall back to."""
    return os.environ.get("ARCHIVE_DIR") or DEFAULT_ARCHIVE_DIR


def _positive_int(value: Any, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={value!r}: expected a whole number of bytes") from None
    if number <= 0:
        raise ConfigError(f"{name}={value!r}: must be greater than 0")
    return number


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)
