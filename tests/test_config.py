"""One typed config per crawl: every crawl setting checked at start-up, one line naming the fix."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from archive.config import ConfigError
from crawler import meta
from crawler.config import CrawlConfig, crawl_config
from crawler.protocols import BlogSpiderLike, options_of, scope_of
from crawler.spiders.blog import BlogSpider
from tests.conftest import ROOT, run_crawl
from tests.fixtures.server import FixtureServer


@pytest.mark.parametrize(("setting", "message"), [
    ("ARCHIVE_WARC_MAX_SIZE=big", "ARCHIVE_WARC_MAX_SIZE='big': expected a whole number"),
    ("ARCHIVE_LOCK_WAIT=-1", "ARCHIVE_LOCK_WAIT=-1: use 0 or more seconds"),
    ("EXTRACT_TIMEOUT=soon", "EXTRACT_TIMEOUT='soon': use seconds above 0"),
    ("SCALE_WORKER_TIMEOUT=x", "SCALE_WORKER_TIMEOUT='x': use seconds above 0"),
    ("DISCOVERY_MAX_PAGE=0", "DISCOVERY_MAX_PAGE=0: use a page number, 1 or more"),
])
def test_a_bad_setting_stops_the_crawl_with_one_line(server: FixtureServer, tmp_path: Path,
                                                      setting: str, message: str) -> None:
    run = run_crawl(server, tmp_path / "a", ["classic"], "-s", setting)
    assert run.returncode == 2, run.log[-2000:]
    errors = [line for line in run.log.splitlines() if line.startswith("scrapy: error:")]
    assert len(errors) == 1 and errors[0].startswith(f"scrapy: error: {message}"), run.log[-2000:]
    assert "Traceback" not in run.log
    assert run.requests == []  # nothing was fetched


@pytest.mark.parametrize(("name", "value", "fix"), [
    ("ARCHIVE_MAX_FAILURE_SHARE", "2", "use a share from 0 to 1"),
    ("ARCHIVE_STORE_CREDENTIALS", "maybe", "use True or False"),
    ("EXTRACT_ENABLED", "maybe", "use True or False"),
    ("EXTRACT_WORKERS", "-1", "use a number of processes, or 0 for one per core"),
    ("EXTRACT_MAX_PENDING", "lots", "use a number of pages"),
    ("EXTRACT_WORKER_NICE", "20", "use a niceness from 0"),
    ("EXTRACT_WORKER_NICE", "low", "use a niceness from 0"),
    ("EXTRACT_FUNCTION", "no.such.module:extract", "use module:function"),
    ("SCALE_IDLE_WAIT", "-5", "use 0 or more seconds"),
    ("REDIS_URL", "http://localhost:6379", "use redis://HOST:PORT/DB"),
    ("DISCOVERY_REST_PER_PAGE", "500", "use 1 to 100"),
    ("DISCOVERY_FOLLOW_LINKS", "perhaps", "use True or False"),
    ("DISCOVERY_MAX_LINKS_PER_PAGE", "0", "use a number of links, 1 or more"),
])
def test_every_group_checks_its_settings(name: str, value: str, fix: str) -> None:
    with pytest.raises(ConfigError, match=f"^{name}=.*: {fix}"):
        CrawlConfig.from_settings(Settings({name: value}))


def test_defaults_and_zeroes_are_resolved(tmp_path: Path) -> None:
    config = CrawlConfig.from_settings(Settings({
        "ARCHIVE_DIR": str(tmp_path), "EXTRACT_WORKERS": "2", "EXTRACT_MAX_PENDING": "0",
        "SCALE_WORKER_TIMEOUT": "5", "DISCOVERY_FOLLOW_LINKS": "False"}))
    assert config.archive.archive_dir == tmp_path
    assert (config.extract.workers, config.extract.max_pending) == (2, 8)  # 0: 4 per worker
    assert config.scale.worker_timeout == 5.0 and config.scale.redis_url == ""
    assert config.discovery.follow_links is False
    assert config.discovery.max_page == 1000 and config.run.max_failure_share == 0.5


def test_built_once_per_crawler(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"ARCHIVE_DIR": str(tmp_path)})
    assert crawl_config(crawler) is crawl_config(crawler)
    other = get_crawler(settings_dict={"ARCHIVE_DIR": str(tmp_path / "b")})
    assert crawl_config(other).archive.archive_dir == tmp_path / "b"


def test_a_plain_spider_has_no_scope_and_no_options() -> None:
    spider = Spider(name="plain")
    assert scope_of(spider) == set()
    assert options_of(spider) is None
    assert not isinstance(spider, BlogSpiderLike)


def test_the_blog_spider_meets_its_protocols() -> None:
    spider = BlogSpider(url="https://example.org/")
    try:
        assert isinstance(spider, BlogSpiderLike)
        assert scope_of(spider) == {"example.org"}
        assert options_of(spider) is spider.options
    finally:
        spider.closed("finished")


def test_meta_keys_keep_their_values() -> None:
    """Queued requests (disk, Redis) carry these strings across restarts: never rename them."""
    assert (meta.PRIOR, meta.DISCOVERED_VIA, meta.STEP, meta.SCALE_TOKEN) == (
        "prior", "discovered_via", "step", "scale_token")
    assert (meta.FEED_PAGE, meta.REST_ROOT, meta.REST_PAGE, meta.WARC_LOCATION) == (
        "feed_page", "rest_root", "rest_page", "warc_location")


def test_the_crawler_imports_nothing_from_the_pipelines() -> None:
    for path in (ROOT / "crawler").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(name.split(".")[0] == "pipelines" for name in names), path
