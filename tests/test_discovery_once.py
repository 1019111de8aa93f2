"""robots.txt and the home page: one fetch and one WARC response record per blog per crawl.

Both used to be fetched twice: robots.txt by Scrapy's robots middleware and by discovery (for its
``Sitemap:`` lines), the home page by discovery and again when a sitemap or a link named it
(``crawler/robots.py``, ``InventorySpider._discover_site``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import GOOD_BLOGS, CrawlRun, FixtureServer, run_crawl
from tests.fixtures.discovery_sites import SiteServer, html, urlset, xml
from tests.test_hostile_discovery import HOME, crawl, publish


def responses(archive: Path) -> Counter[str]:
    """How many WARC response records each URL has."""
    found: Counter[str] = Counter()
    for path in sorted(archive.rglob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    found[record.rec_headers.get_header("WARC-Target-URI")] += 1
    return found


def fetched(run: CrawlRun, blog: str) -> Counter[str]:
    return Counter(r["path"] for r in run.requests if r["blog"] == blog and r["method"] == "GET")


def check_once(run: CrawlRun, server: FixtureServer, blogs: tuple[str, ...] | list[str]) -> None:
    records = responses(run.archive)
    for blog in blogs:
        home = server.urls[blog]
        robots = urljoin(home, "/robots.txt")
        got = fetched(run, blog)
        assert got["/robots.txt"] == 1, (blog, got)
        assert got[urlsplit(home).path] == 1, (blog, got)
        assert records[robots] == 1 and records[home] == 1, (blog, records[robots], records[home])


def test_each_blog_gives_robots_txt_and_home_once(crawled: CrawlRun, server: FixtureServer) -> None:
    check_once(crawled, server, GOOD_BLOGS)
    # Both readers still had what they need: the robots rules and discovery's Sitemap: lines.
    assert crawled.stats["robotstxt/response_count"] == len(GOOD_BLOGS)
    assert crawled.stats["discovery/robots/shared"] == len(GOOD_BLOGS)
    assert crawled.stats["discovery/robots/sitemaps"] >= 1


def test_one_robots_txt_serves_both_its_readers(tmp_path: Path) -> None:
    """The one fetch gives Scrapy its rules (a disallowed post is not asked for) and discovery
    its ``Sitemap:`` line (a sitemap at no usual location is read)."""
    with SiteServer() as site:
        site.routes["/"] = html(HOME)
        wanted = publish(site, range(1, 6))
        site.routes["/robots.txt"] = (200, "text/plain", (
            f"User-agent: *\nDisallow: /post-3/\nSitemap: {site.url}listing/posts.xml\n").encode())
        site.routes["/listing/posts.xml"] = xml(urlset([(url, "2023-03-01") for url in wanted]))
        run = crawl(tmp_path, [site.url])
        asked = Counter(site.seen)
    assert run.returncode == 0, run.log[-3000:]
    assert run.posts == {url for url in wanted if "/post-3/" not in url}, run.log[-3000:]
    assert asked["/robots.txt"] == 1 and asked["/"] == 1 and asked["/listing/posts.xml"] == 1, asked
    assert "/post-3/" not in asked and run.stats["robotstxt/forbidden"] == 1


@pytest.mark.parametrize("obey", ["0", "1"])
def test_once_whether_or_not_robots_txt_is_obeyed(server: FixtureServer, tmp_path: Path,
                                                  obey: str) -> None:
    run = run_crawl(server, tmp_path, ["classic", "block"], "-s", f"ROBOTSTXT_OBEY={obey}")
    assert run.returncode == 0, run.log[-3000:]
    check_once(run, server, ["classic", "block"])
    assert run.stats["discovery/robots/sitemaps"] >= 1
