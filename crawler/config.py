"""Every ``ARCHIVE_*``, ``EXTRACT_*``, ``SCALE_*``, ``DISCOVERY_*``, ``RECRAWL_*`` setting, checked once.

``CrawlConfig.from_settings`` is the one place these flat settings become typed values. The
``crawl`` command calls it before the reactor starts, so a bad value stops the run with one line
naming the setting, the value and the fix (``SCALE_WORKER_TIMEOUT='x': use seconds above 0``)
instead of a traceback from whichever component reads it first. Components then ask
``crawl_config(crawler)``, which builds the value once per crawler and hands every caller the same
one (kept on the crawler itself: no module state outlives a crawl).
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from scrapy.crawler import Crawler

from archive.config import ArchiveConfig, ConfigError
from archive.extract.model import DEFAULT_MAX_HTML_BYTES
from archive.extract.pool import DEFAULT_FUNCTION, check
from archive.extract.requisites import ATTACHMENT_TYPES
from archive.extract.trackers import TRACKER_HOSTS
from archive.layout import Layout
from crawler.revalidation import RecrawlConfig, parse_age

ARCHIVE_KEYS = ("ARCHIVE_DIR", "ARCHIVE_WARC_MAX_SIZE", "ARCHIVE_WARC_PREFIX", "ARCHIVE_OPERATOR",
                "ARCHIVE_STORE_CREDENTIALS")
REDIS_SCHEMES = ("redis", "rediss", "unix")
REQUISITE_MODES = ("all", "images", "none")
_EXTENSION = re.compile(r"\.?[a-z0-9]{1,10}")
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
_CACHE = "_blogarchive_config"  # the crawler attribute holding its CrawlConfig
_N = TypeVar("_N", int, float)


@dataclass(frozen=True)
class RunConfig:
    """The ``ARCHIVE_*`` settings only a crawl reads (the library's own are ``ArchiveConfig``)."""

    lock_wait: float          # ARCHIVE_LOCK_WAIT
    contact: str              # ARCHIVE_CONTACT
    max_failure_share: float  # ARCHIVE_MAX_FAILURE_SHARE


@dataclass(frozen=True)
class ExtractConfig:
    """``EXTRACT_*``: the extraction pool (``archive.extract.pool``); 0s already resolved."""

    enabled: bool
    workers: int
    timeout: float
    max_pending: int
    function: str
    max_html_bytes: int  # EXTRACT_MAX_HTML_BYTES (0: no limit)
    nice: int  # EXTRACT_WORKER_NICE: how much lower the workers' CPU priority is


@dataclass(frozen=True)
class ScaleConfig:
    """``REDIS_URL`` and ``SCALE_*``: the shared frontier (``crawler/scale.py``)."""

    redis_url: str
    worker_timeout: float
    idle_wait: float


@dataclass(frozen=True)
class DiscoveryConfig:
    """``DISCOVERY_*``: how inventories are read and how far links are followed."""

    rest_per_page: int
    follow_links: bool
    max_links_per_page: int
    max_page: int
    max_rest_pages: int       # REST posts pages asked per site (X-WP-TotalPages is not trusted)
    max_sitemaps: int         # sitemaps and sitemap indexes asked per site
    max_sitemap_depth: int    # sitemap indexes nested below the one robots.txt names
    max_feed_pages: int       # feed documents asked per site (every feed, every page)
    max_link_pages: int       # pages asked per site by following links

    def budget(self, step: str) -> tuple[int, str] | None:
        """The most discovery requests of ``step`` per site, and the setting that says so."""
        return {"sitemap": (self.max_sitemaps, "DISCOVERY_MAX_SITEMAPS"),
                "rest": (self.max_rest_pages, "DISCOVERY_MAX_REST_PAGES"),
                "feed": (self.max_feed_pages, "DISCOVERY_MAX_FEED_PAGES")}.get(step)


@dataclass(frozen=True)
class RequisitesConfig:
    """``ARCHIVE_REQUISITE*`` and ``ARCHIVE_ATTACHMENT_TYPES``: what a page loads, fetched too."""

    mode: str                         # ARCHIVE_REQUISITES: all, images or none
    max_size: int                     # bytes per file (0: only DOWNLOAD_MAXSIZE)
    max_depth: int                    # stylesheets imported below a page's own
    attachment_types: frozenset[str]  # extensions, lower case, without the dot
    skip_hosts: tuple[str, ...]       # hosts (and their subdomains) never asked
    only_hosts: tuple[str, ...] = ()  # when set: the only other hosts asked, besides the blog's

    @property
    def enabled(self) -> bool:
        return self.mode != "none"


@dataclass(frozen=True)
class CrawlConfig:
    archive: ArchiveConfig
    run: RunConfig
    extract: ExtractConfig
    scale: ScaleConfig
    discovery: DiscoveryConfig
    requisites: RequisitesConfig
    recrawl: RecrawlConfig

    @classmethod
    def from_settings(cls, settings: Any) -> CrawlConfig:
        """Read and check every setting of every group; a bad one is a ConfigError."""
        archive = {key: settings.get(key) for key in ARCHIVE_KEYS if settings.get(key) is not None}
        return cls(ArchiveConfig.from_settings(archive), _run(settings), _extract(settings),
                   _scale(settings), _discovery(settings), _requisites(settings),
                   _recrawl(settings))


def crawl_config(crawler: Crawler) -> CrawlConfig:
    """The crawl's config, built on first use with ARCHIVE_DIR proven writable, then reused."""
    config = vars(crawler).get(_CACHE)
    if not isinstance(config, CrawlConfig):
        config = CrawlConfig.from_settings(crawler.settings)
        check_writable(config.archive)
        setattr(crawler, _CACHE, config)
    return config


def archive_config(crawler: Crawler) -> ArchiveConfig:
    """The typed archive settings of this crawl (``crawl_config(crawler).archive``)."""
    return crawl_config(crawler).archive


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


# -- the groups ----------------------------------------------------------------------------------
def _run(settings: Any) -> RunConfig:
    _flag(settings, "ARCHIVE_STORE_CREDENTIALS", False)  # ArchiveConfig reads any text as a flag
    return RunConfig(
        lock_wait=_number(settings, "ARCHIVE_LOCK_WAIT", 0.0, float, lambda v: v >= 0,
                          "use 0 or more seconds"),
        contact=str(settings.get("ARCHIVE_CONTACT") or ""),
        max_failure_share=_number(settings, "ARCHIVE_MAX_FAILURE_SHARE", 0.5, float,
                                  lambda v: 0 <= v <= 1, "use a share from 0 to 1, e.g. 0.5"))


def _extract(settings: Any) -> ExtractConfig:
    enabled = _flag(settings, "EXTRACT_ENABLED", True)
    workers = _number(settings, "EXTRACT_WORKERS", 0, int, lambda v: v >= 0,
                      "use a number of processes, or 0 for one per core") or os.cpu_count() or 1
    timeout = _number(settings, "EXTRACT_TIMEOUT", 60.0, float, lambda v: v > 0,
                      "use seconds above 0")
    pending = _number(settings, "EXTRACT_MAX_PENDING", 0, int, lambda v: v >= 0,
                      "use a number of pages, or 0 for 4 per worker") or 4 * workers
    function = str(settings.get("EXTRACT_FUNCTION") or DEFAULT_FUNCTION)
    max_html = _number(settings, "EXTRACT_MAX_HTML_BYTES", DEFAULT_MAX_HTML_BYTES, int,
                       lambda v: v >= 0, "use a number of bytes, e.g. 8388608, or 0 for no limit")
    nice = _number(settings, "EXTRACT_WORKER_NICE", 10, int, lambda v: 0 <= v <= 19,
                   "use a niceness from 0 (the crawler's own priority) to 19")
    if enabled:
        try:
            check(function)  # the pool checks it too: fail here, with the setting's name
        except (ImportError, AttributeError, ValueError) as error:
            raise ConfigError(f"EXTRACT_FUNCTION={function!r}: use module:function naming an "
                              f"importable function ({error})") from None
    return ExtractConfig(enabled, workers, timeout, pending, function, max_html, nice)


def _scale(settings: Any) -> ScaleConfig:
    url = str(settings.get("REDIS_URL") or "")
    if url and urlsplit(url).scheme not in REDIS_SCHEMES:
        raise ConfigError(f"REDIS_URL={url!r}: use redis://HOST:PORT/DB, or leave it empty "
                          "for one process")
    if url and importlib.util.find_spec("scrapy_redis") is None:
        # Checked here, not left to the scheduler's import: that is a traceback after start-up.
        raise ConfigError(f"REDIS_URL={url!r} needs scrapy-redis, which is not installed: "
                          "pip install 'blogarchive[scale]' (or leave REDIS_URL empty for one process)")
    return ScaleConfig(
        redis_url=url,
        worker_timeout=_number(settings, "SCALE_WORKER_TIMEOUT", 30.0, float, lambda v: v > 0,
                               "use seconds above 0"),
        idle_wait=_number(settings, "SCALE_IDLE_WAIT", 0.0, float, lambda v: v >= 0,
                          "use 0 or more seconds"))


def _discovery(settings: Any) -> DiscoveryConfig:
    def budget(name: str, default: int, what: str) -> int:
        return _number(settings, name, default, int, lambda v: v >= 1, f"use a number of {what}, "
                       "1 or more")
    return DiscoveryConfig(
        rest_per_page=_number(settings, "DISCOVERY_REST_PER_PAGE", 100, int,
                              lambda v: 1 <= v <= 100,
                              "use 1 to 100 (the WordPress REST API's maximum)"),
        follow_links=_flag(settings, "DISCOVERY_FOLLOW_LINKS", True),
        max_links_per_page=_number(settings, "DISCOVERY_MAX_LINKS_PER_PAGE", 2000, int,
                                   lambda v: v >= 1, "use a number of links, 1 or more"),
        max_page=_number(settings, "DISCOVERY_MAX_PAGE", 1000, int, lambda v: v >= 1,
                         "use a page number, 1 or more"),
        max_rest_pages=budget("DISCOVERY_MAX_REST_PAGES", 1000, "REST pages"),
        max_sitemaps=budget("DISCOVERY_MAX_SITEMAPS", 1000, "sitemaps"),
        max_sitemap_depth=budget("DISCOVERY_MAX_SITEMAP_DEPTH", 3, "nested sitemap indexes"),
        max_feed_pages=budget("DISCOVERY_MAX_FEED_PAGES", 1000, "feed pages"),
        max_link_pages=budget("DISCOVERY_MAX_LINK_PAGES", 10000, "pages"))


def _requisites(settings: Any) -> RequisitesConfig:
    mode = str(settings.get("ARCHIVE_REQUISITES", "all")).strip().lower()
    if mode not in REQUISITE_MODES:
        raise ConfigError(f"ARCHIVE_REQUISITES={settings.get('ARCHIVE_REQUISITES')!r}: use all, "
                          "images or none")
    types = _names(settings, "ARCHIVE_ATTACHMENT_TYPES", sorted(ATTACHMENT_TYPES), _EXTENSION,
                   "use file extensions such as pdf,docx,mp3")
    hosts = _names(settings, "ARCHIVE_REQUISITE_SKIP_HOSTS", list(TRACKER_HOSTS), _HOST,
                   "use host names such as doubleclick.net (a host also skips its subdomains)")
    return RequisitesConfig(
        mode=mode,
        max_size=_number(settings, "ARCHIVE_REQUISITE_MAX_SIZE", 50 * 1024 * 1024, int,
                         lambda v: v >= 0, "use a number of bytes, e.g. 52428800, or 0 for "
                         "DOWNLOAD_MAXSIZE alone"),
        max_depth=_number(settings, "ARCHIVE_REQUISITE_MAX_DEPTH", 3, int, lambda v: v >= 0,
                          "use a number of nested @import levels, 0 or more"),
        attachment_types=frozenset(t.lstrip(".") for t in types), skip_hosts=tuple(hosts),
        only_hosts=tuple(_names(settings, "ARCHIVE_REQUISITE_HOSTS", [], _HOST,
                                "use host names such as i0.wp.com (a host also allows its "
                                "subdomains), or [] for any host")))


def _recrawl(settings: Any) -> RecrawlConfig:
    return RecrawlConfig(
        trust_inventory=_flag(settings, "RECRAWL_TRUST_INVENTORY", True),
        revalidate_every=_number(settings, "RECRAWL_REVALIDATE_EVERY", 0, int, lambda v: v >= 0,
                                 "use a number of runs, e.g. 7, or 0 for never"),
        revalidate_after=parse_age("RECRAWL_REVALIDATE_AFTER",
                                   settings.get("RECRAWL_REVALIDATE_AFTER", "")))


# -- values --------------------------------------------------------------------------------------
def _number(settings: Any, name: str, default: _N, kind: Callable[[Any], _N],
            valid: Callable[[_N], bool], fix: str) -> _N:
    """The setting as ``kind`` (as Scrapy's getint/getfloat read it), else a ConfigError."""
    raw = settings.get(name, default)
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={raw!r}: {fix}") from None
    if not valid(value):
        raise ConfigError(f"{name}={value:g}: {fix}")
    return value


def _names(settings: Any, name: str, default: list[str], pattern: re.Pattern[str],
           fix: str) -> list[str]:
    """A list setting (a list, or one comma-separated string), lower-cased, each entry checked."""
    raw = settings.get(name, default)
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple | set | frozenset):
        raise ConfigError(f"{name}={raw!r}: {fix}")
    names = [str(item).strip().lower() for item in items if str(item).strip()]
    for entry in names:
        if not pattern.fullmatch(entry):
            raise ConfigError(f"{name}={raw!r}: {entry!r} is not valid: {fix}")
    return names


def _flag(settings: Any, name: str, default: bool) -> bool:
    """A boolean setting; the words Scrapy's getbool and ``ArchiveConfig`` accept, nothing else."""
    raw = settings.get(name, default)
    if isinstance(raw, bool | int) and raw in (0, 1):
        return bool(raw)
    word = str(raw).strip().lower()
    if word in {"1", "true", "yes", "on"}:
        return True
    if word in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name}={raw!r}: use True or False")
