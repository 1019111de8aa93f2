"""The spider's ``-a`` arguments, read and checked once so a bad value stops the crawl at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from archive.config import ConfigError
from archive.urls import BadURL, home_url
from archive.when import parse_when


@dataclass(frozen=True)
class CrawlOptions:
    start_urls: tuple[str, ...]
    since: datetime | None = None
    until: datetime | None = None
    max_posts: int | None = None
    full: bool = False  # ignore what the archive holds: fetch and store everything again
    revalidate: bool = False  # ask again for every archived post and requisite, conditionally

    @classmethod
    def parse(cls, url: str | None, since: str | None = None, until: str | None = None,
              max_posts: str | int | None = None, full: str | None = None,
              revalidate: str | None = None) -> CrawlOptions:
        if not url:
            raise ConfigError("no start URL: use scrapy crawl blog -a url=https://example.org/")
        urls = tuple(_start_url(u) for u in url.split(",") if u.strip())
        limit = None
        if max_posts not in (None, ""):
            try:
                limit = int(str(max_posts))
            except ValueError:
                limit = -1
            if limit <= 0:
                raise ConfigError(f"max_posts={max_posts!r}: expected a whole number above 0")
        first, last = parse_when(since, "since"), parse_when(until, "until")
        if first and last and first > last:
            raise ConfigError(f"since={since!r} is after until={until!r}: swap them")
        return cls(urls, first, last, limit, _flag(full, "full"), _flag(revalidate, "revalidate"))

    def in_range(self, moment: datetime | None) -> bool:
        """Whether a post dated ``moment`` is wanted; undated posts are always kept."""
        if moment is None:
            return True
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if self.since and aware < self.since:
            return False
        return not (self.until and aware > self.until)


def _start_url(raw: str) -> str:
    try:
        return home_url(raw)
    except BadURL:
        raise ConfigError(f"url={raw!r} is not an http(s) URL: use -a url=https://example.org/") \
            from None


def _flag(value: str | None, name: str) -> bool:
    text = str(value or "0").strip().lower()
    if text not in {"0", "1", "true", "false", "yes", "no"}:
        raise ConfigError(f"{name}={value!r}: use {name}=1 or {name}=0")
    return text in {"1", "true", "yes"}
