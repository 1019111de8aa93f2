"""Page requisites in a real crawl: every file a page loads is in the WARC once, from any host.

The ``assets`` fixture blog (tests/fixtures/blogs/assets.py) has a stylesheet shared by its pages
that imports another and loads a font and a background image, a script, a favicon, images in
``srcset`` and lazy-load attributes, a PDF and a too-large file linked from a post, an image that
answers 404, a tracker script and an image on another host name (a CDN to the crawler).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from archive.config import ConfigError
from archive.extract.requisites import FONT, IMAGE, STYLESHEET, Requisite
from archive.layout import Layout
from crawler.config import CrawlConfig
from crawler.meta import REQUISITE, REQUISITE_DEPTH
from crawler.spiders.blog import BlogSpider
from crawler.spiders.requisites import REQUISITE_PRIORITY
from tests.conftest import CrawlRun, run_crawl
from tests.fixtures.blogs import BLOGS
from tests.fixtures.blogs.assets import (
    ASSET_PATHS,
    CDN_PATH,
    IMAGE_PATHS,
    MISSING,
    NOT_ATTACHMENT,
    TOO_LARGE,
)
from tests.fixtures.server import FixtureServer

LIMIT = ("-s", "ARCHIVE_REQUISITE_MAX_SIZE=100000")  # the 300 KB ZIP is over it


def responses(archive: Path) -> Counter[str]:
    """Target URI of every response record of the crawl's WARCs, counted."""
    found: Counter[str] = Counter()
    for path in sorted(Layout(archive).warc_dir.glob("*.warc.gz")):
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type == "response":
                    found[record.rec_headers.get_header("WARC-Target-URI")] += 1
    return found


def asset_url(server: FixtureServer, path: str) -> str:
    base = server.url("assets", path)
    return base.replace("127.0.0.1", "localhost") if path == CDN_PATH else base


def requested(run: CrawlRun) -> Counter[str]:
    return Counter(r["path"] for r in run.requests if r["blog"] == "assets" and r["method"] == "GET")


@pytest.fixture(scope="module")
def full(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    run = run_crawl(server, tmp_path_factory.mktemp("requisites"), ["assets"], *LIMIT)
    assert run.returncode == 0, run.log[-3000:]
    return run


def test_every_requisite_is_in_the_warc_exactly_once(full: CrawlRun, server: FixtureServer) -> None:
    captured = responses(full.archive)
    for path in (*ASSET_PATHS, MISSING):
        assert captured[asset_url(server, path)] == 1, (path, sorted(captured))
    paths = requested(full)
    assert paths["/static/site.css"] == 1  # three pages use it: fetched once
    assert paths["/img/a-300.jpg"] == 1  # in two posts and in a srcset: once


def test_pages_are_read_in_the_extraction_workers(full: CrawlRun) -> None:
    """The post test and the requisites' parse ran in the workers (crawler/spiders/pages.py):
    every page but the home page, which discovery reads on the event loop."""
    assert full.stats["crawl/pages/read_in_worker"] == 2
    assert "crawl/pages/read_here" not in full.stats


def test_a_page_whose_worker_crashes_keeps_its_requisites(server: FixtureServer,
                                                          tmp_path: Path) -> None:
    """The worker that reads a post dies: the page is read again on the event loop, so its
    requisites and attachments are asked for as ever; only the post's text is lost (reason)."""
    run = run_crawl(server, tmp_path, ["assets"], *LIMIT,
                    "-s", "EXTRACT_FUNCTION=tests.poison:extract", "-s", "EXTRACT_TIMEOUT=5",
                    env={"POISON_CRASH": "/posts/post-1/"})  # the post with the attachment
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats["crawl/pages/read_here"] == 1
    captured = responses(run.archive)
    for path in (*ASSET_PATHS, MISSING):  # the PDF attachment among them
        assert captured[asset_url(server, path)] == 1, (path, sorted(captured))
    db = sqlite3.connect(Layout(run.archive).catalog_path)
    reasons = dict(db.execute("SELECT p.url, v.reason FROM posts p JOIN versions v ON v.post_id = p.id"))
    assert reasons == {server.url("assets", "/posts/post-1/"): "extraction worker crashed (exit code 70)",
                       server.url("assets", "/posts/post-2/"): None}


def test_attachments_of_the_post_body_only_and_within_the_size_limit(full: CrawlRun,
                                                                     server: FixtureServer) -> None:
    captured = responses(full.archive)
    assert captured[server.url("assets", "/files/paper.pdf")] == 1
    assert full.stats["attachments/fetched"] == 1
    assert server.url("assets", TOO_LARGE) not in captured  # asked, cancelled at its headers
    assert full.stats["requisites/skipped/too_large"] == 1
    assert NOT_ATTACHMENT not in requested(full)  # linked from the footer, not the post body


def test_trackers_are_skipped_and_failures_counted(full: CrawlRun) -> None:
    assert full.stats["requisites/skipped/tracker"] == 3  # home page and two posts
    assert not any("google-analytics" in url for url in responses(full.archive))
    assert full.stats["requisites/failed"] == 1  # the 404 image
    assert full.report["outcome"] == "ok"


def test_requisites_never_reach_the_catalog(full: CrawlRun, server: FixtureServer) -> None:
    db = sqlite3.connect(Layout(full.archive).catalog_path)
    urls = sorted(row[0] for row in db.execute("SELECT url FROM posts"))
    assert urls == sorted(BLOGS["assets"].post_urls(server.urls["assets"]))
    assert full.stats["posts/found"] == 2


def test_the_run_report_counts_requisites(full: CrawlRun) -> None:
    stats, report = full.stats, full.report
    fetched = len(ASSET_PATHS)  # the 404 is captured but failed
    assert stats["requisites/fetched"] == fetched
    assert stats["requisites/requested"] == fetched + 2  # the 404 and the too-large file
    assert report["requisites"] == fetched and report["requisites_failed"] == 1
    assert report["requisites_skipped"]["tracker"] == 3
    assert stats["requisites/bytes"] > 300 and report["requisite_bytes"] == stats["requisites/bytes"]
    assert f"requisites: {fetched} fetched" in report["summary"]
    assert "skipped 1 too_large, 3 tracker" in report["summary"]


def test_none_fetches_no_requisite(server: FixtureServer, tmp_path: Path) -> None:
    run = run_crawl(server, tmp_path, ["assets"], "-s", "ARCHIVE_REQUISITES=none")
    assert run.returncode == 0, run.log[-3000:]
    assert not set(requested(run)) & {*ASSET_PATHS, MISSING, TOO_LARGE}
    assert "requisites/requested" not in run.stats
    assert run.stats["posts/found"] == 2


def test_images_fetches_only_images_and_a_skip_list_replaces_the_default(
        server: FixtureServer, tmp_path: Path) -> None:
    run = run_crawl(server, tmp_path, ["assets"], "-s", "ARCHIVE_REQUISITES=images",
                    "-s", "ARCHIVE_REQUISITE_SKIP_HOSTS=localhost,google-analytics.com")
    assert run.returncode == 0, run.log[-3000:]
    fetched = set(requested(run)) & {*ASSET_PATHS, MISSING, TOO_LARGE}
    assert fetched == {*IMAGE_PATHS, MISSING} - {CDN_PATH}
    # The CDN image on "localhost"; the tracker script is no image: skipped by the setting first.
    assert run.stats["requisites/skipped/tracker"] == 1
    assert run.stats["requisites/skipped/setting"] >= 5  # stylesheet, 2 scripts, PDF, ZIP


def test_a_host_list_keeps_requisites_to_the_blog_and_those_hosts(
        server: FixtureServer, tmp_path: Path) -> None:
    """``ARCHIVE_REQUISITE_HOSTS``: the blog's own files always, other hosts only when listed."""
    run = run_crawl(server, tmp_path, ["assets"], "-s", "ARCHIVE_REQUISITE_HOSTS=cdn.example")
    assert run.returncode == 0, run.log[-3000:]
    fetched = set(requested(run)) & {*ASSET_PATHS, MISSING, TOO_LARGE}
    assert fetched == {*ASSET_PATHS, MISSING, TOO_LARGE} - {CDN_PATH}
    assert run.stats["requisites/skipped/host"] >= 1


# -- the settings ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "value", "fix"), [
    ("ARCHIVE_REQUISITES", "some", "use all, images or none"),
    ("ARCHIVE_REQUISITE_MAX_SIZE", "big", "use a number of bytes"),
    ("ARCHIVE_REQUISITE_MAX_SIZE", "-1", "use a number of bytes"),
    ("ARCHIVE_REQUISITE_MAX_DEPTH", "-1", "use a number of nested @import levels"),
    ("ARCHIVE_REQUISITE_HOSTS", "not a host!", "use host names such as i0.wp.com"),
    ("ARCHIVE_ATTACHMENT_TYPES", "pdf,not an extension", "use file extensions such as pdf"),
    ("ARCHIVE_REQUISITE_SKIP_HOSTS", "https://doubleclick.net/", "use host names"),
])
def test_a_bad_requisite_setting_is_a_config_error(name: str, value: str, fix: str) -> None:
    with pytest.raises(ConfigError, match=f"^{name}=.*{fix}"):
        CrawlConfig.from_settings(Settings({name: value}))


def test_requisite_settings_defaults_and_lists() -> None:
    config = CrawlConfig.from_settings(Settings({
        "ARCHIVE_ATTACHMENT_TYPES": ".PDF, epub", "ARCHIVE_REQUISITE_SKIP_HOSTS": []})).requisites
    assert config.attachment_types == {"pdf", "epub"} and config.skip_hosts == ()
    default = CrawlConfig.from_settings(Settings()).requisites
    assert default.mode == "all" and default.max_size == 50 * 1024 * 1024
    assert "doubleclick.net" in default.skip_hosts and "pdf" in default.attachment_types


def test_a_bad_requisite_setting_stops_the_crawl_with_one_line(server: FixtureServer,
                                                                tmp_path: Path) -> None:
    run = run_crawl(server, tmp_path, ["assets"], "-s", "ARCHIVE_REQUISITES=everything")
    assert run.returncode == 2, run.log[-2000:]
    errors = [line for line in run.log.splitlines() if line.startswith("scrapy: error:")]
    assert errors == ["scrapy: error: ARCHIVE_REQUISITES='everything': use all, images or none"]
    assert run.requests == []


# -- the spider's requests, without a crawl ----------------------------------------------------------
@pytest.fixture
def spider(tmp_path: Path) -> BlogSpider:
    crawler = get_crawler(BlogSpider, {"ARCHIVE_DIR": str(tmp_path),
                                       "ARCHIVE_REQUISITE_MAX_SIZE": 1000})
    made = BlogSpider.from_crawler(crawler, url="https://blog.example/")
    assert isinstance(made, BlogSpider)
    return made


def test_a_requisite_request_is_offsite_bounded_and_first(spider: BlogSpider) -> None:
    request = spider._requisite_request(Requisite("https://i0.wp.com/a.jpg?w=300,200", IMAGE), 0)
    assert request is not None
    assert request.meta[REQUISITE] == IMAGE and request.meta[REQUISITE_DEPTH] == 0
    assert request.meta["allow_offsite"] and request.meta["download_maxsize"] == 1000
    assert request.priority == REQUISITE_PRIORITY > 0 and request.dont_filter
    assert request.callback == spider.parse_requisite


def test_each_url_once_trackers_depth_and_bad_urls_counted(spider: BlogSpider) -> None:
    stats = spider.crawler.stats
    assert stats is not None
    css = Requisite("https://blog.example/style.css", STYLESHEET)
    assert spider._requisite_request(css, 0) is not None
    assert spider._requisite_request(css, 1) is None
    assert spider._requisite_request(Requisite("https://www.googletagmanager.com/gtm.js", IMAGE),
                                     0) is None
    assert spider._requisite_request(Requisite("https://blog.example/f.woff2", FONT), 4) is None
    assert spider._requisite_request(Requisite("http://[::1/x.png", IMAGE), 0) is None
    assert {key: stats.get_value(f"requisites/skipped/{key}")
            for key in ("duplicate", "tracker", "depth", "bad_url")} == dict.fromkeys(
        ("duplicate", "tracker", "depth", "bad_url"), 1)
    assert stats.get_value("requisites/requested") == 1
