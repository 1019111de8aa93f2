"""Discovery against hostile inventories: nothing a site lists is lost to one odd entry.

Each case is a small site on 127.0.0.1 (``tests/fixtures/discovery_sites.py``) crawled with the real
``scrapy crawl blog``; the catalog must hold every post the site publishes in range, and every entry
that could not be used must be logged and counted.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from archive.layout import Layout
from crawler.discovery import parse_feed, parse_sitemap
from tests.conftest import BIN, FAST, ROOT
from tests.fixtures.discovery_sites import RESET, SiteServer, html, post_page, rss, urlset, xml

pytestmark = pytest.mark.e2e
HOME = "<html><body class='home blog'><p>Nothing to see here.</p></body></html>"


@dataclass
class Run:
    returncode: int
    log: str
    posts: set[str]
    stats: dict[str, Any]


def crawl(archive: Path, urls: list[str], *args: str) -> Run:
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={','.join(urls)}",
               "-s", f"ARCHIVE_DIR={archive}", *FAST, "-s", "RETRY_TIMES=1",
               "-s", "DOWNLOAD_TIMEOUT=5", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    layout = Layout(archive)
    posts: set[str] = set()
    if layout.catalog_path.exists():
        db = sqlite3.connect(layout.catalog_path)
        posts = {row[0] for row in db.execute("SELECT url FROM posts")}
        db.close()
    reports = sorted((archive / "runs").glob("*.json"))
    stats = json.loads(reports[-1].read_text())["stats"] if reports else {}
    return Run(result.returncode, result.stdout + result.stderr, posts, stats)


def publish(site: SiteServer, numbers: range, day: str = "2023-03-{:02d}") -> list[str]:
    """Serve post pages /post-N/ dated ``day``; their URLs."""
    urls = []
    for n in numbers:
        site.routes[f"/post-{n}/"] = html(post_page(n, day.format(n) + "T10:00:00+00:00")
                                          .decode())
        urls.append(f"{site.url}post-{n}/")
    return urls


# -- defect 2: dates without a time zone ------------------------------------------------------
def test_inventory_dates_without_zone_are_utc() -> None:
    doc = parse_sitemap(urlset([("https://b.org/a/", "2023-03-01")]).encode())
    assert doc.entries[0].modified == datetime(2023, 3, 1, tzinfo=UTC)
    entries, _ = parse_feed(rss([("https://b.org/a/", "Wed, 01 Mar 2023 10:00:00 -0000")])
                            .encode(), "https://b.org/feed/")
    assert entries[0].modified == datetime(2023, 3, 1, 10, tzinfo=UTC)


def test_since_with_zoneless_inventory_dates(tmp_path: Path) -> None:
    """Date-only sitemap lastmods and RSS ``-0000`` dates are compared with ``since`` as UTC."""
    with SiteServer() as sitemap_site, SiteServer() as feed_site:
        sitemap_site.routes["/"] = html(HOME)
        wanted = publish(sitemap_site, range(1, 9))
        old = [(f"{sitemap_site.url}old-{n}/", f"2022-05-0{n}") for n in range(1, 3)]
        sitemap_site.routes["/sitemap.xml"] = xml(urlset(
            old + [(url, f"2023-03-{n:02d}") for n, url in enumerate(wanted, 1)]))
        feed_site.routes["/"] = html(HOME.replace(
            "<body", "<head><link rel='alternate' type='application/rss+xml' href='/feed/'></head>"
            "<body"))
        fed = publish(feed_site, range(1, 9))
        feed_site.routes["/feed/"] = xml(rss(
            [(url, f"Wed, {n:02d} Mar 2023 10:00:00 -0000") for n, url in enumerate(fed, 1)]
            + [(f"{feed_site.url}old-1/", "Sun, 01 May 2022 10:00:00 -0000")]))
        run = crawl(tmp_path, [sitemap_site.url, feed_site.url], "-a", "since=2023-01-01")
        assert run.returncode == 0, run.log[-3000:]
        assert "TypeError" not in run.log
        assert run.posts == set(wanted + fed), run.log[-3000:]
        assert run.stats["discovery/skipped_before_since"] == 3
        assert not any("/old-" in path for path in sitemap_site.seen + feed_site.seen)


# -- defect 3: one malformed URL must not end its list ----------------------------------------
BAD_PORT = "http://127.0.0.1:99999/bad-port/"
BAD_IPV6 = "http://[::1/bad-host/"


def test_bad_urls_are_skipped_one_by_one(tmp_path: Path) -> None:
    """A port out of range in robots.txt, a sitemap index and a URL set, an invalid IPv6 host in
    a feed link, a feed item and a canonical link: each is logged, counted and skipped; every
    other URL of the same list is still read, and a post with a bad canonical is archived under
    the URL it was fetched from."""
    with SiteServer() as sitemap_site, SiteServer() as feed_site:
        sitemap_site.routes["/"] = html(HOME)
        sitemap_site.routes["/robots.txt"] = (200, "text/plain", (
            f"User-agent: *\nSitemap: {BAD_IPV6}s.xml\nSitemap: /index.xml\n").encode())
        wanted = publish(sitemap_site, range(1, 9))
        sitemap_site.routes["/index.xml"] = xml(urlset([(BAD_PORT + "s.xml", ""),
                                                        ("/relative.xml", ""),
                                                        (sitemap_site.url + "posts.xml", "")])
                                                .replace("urlset", "sitemapindex")
                                                .replace("<url>", "<sitemap>")
                                                .replace("</url>", "</sitemap>"))
        sitemap_site.routes["/posts.xml"] = xml(urlset(
            [(url, "") for url in wanted[:2]] + [(BAD_PORT, "")] + [(url, "") for url in wanted[2:]]))
        feed_site.routes["/"] = html(HOME.replace("<body", (
            f"<head><link rel='alternate' type='application/rss+xml' href='{BAD_IPV6}feed/'>"
            "<link rel='alternate' type='application/rss+xml' href='/feed/'></head><body")))
        fed = publish(feed_site, range(1, 9))
        feed_site.routes["/post-3/"] = html(post_page(
            3, "2023-03-03T10:00:00+00:00", head=f"<link rel='canonical' href='{BAD_IPV6}'>")
            .decode())
        feed_site.routes["/feed/"] = xml(rss([(BAD_IPV6, "Wed, 01 Mar 2023 10:00:00 +0000")]
                                             + [(url, "") for url in fed]))
        run = crawl(tmp_path, [sitemap_site.url, feed_site.url])
    assert run.returncode == 0, run.log[-3000:]
    assert run.posts == set(wanted + fed), run.log[-3000:]
    for via in ("sitemap", "feed", "canonical"):
        assert run.stats[f"discovery/{via}/bad_url"] >= 1, (via, run.stats)
    assert run.stats["discovery/bad_url"] == 7, run.stats  # with the relative <loc> below
    skipped = [line for line in run.log.splitlines() if "Skipped a URL that cannot be requested" in line]
    assert any(BAD_PORT in line and "Port out of range" in line for line in skipped), skipped
    assert any(BAD_IPV6 in line and "Invalid IPv6 URL" in line for line in skipped), skipped
    assert "Traceback" not in run.log


def test_url_rules_name_the_bad_url() -> None:
    from archive.urls import BadURL, join_url, post_key, web_url
    for bad in (BAD_PORT, BAD_IPV6, "javascript:void(0)", "/relative/", "http:///x"):
        with pytest.raises(BadURL, match=r"Port|IPv6|http"):
            web_url(bad)
    assert join_url("http://b.org/", BAD_IPV6) == BAD_IPV6
    assert post_key("http://b.org/a/", BAD_IPV6) == "http://b.org/a/"


# -- defect 4: robots.txt fails -----------------------------------------------------------------
def test_sitemaps_probed_when_robots_txt_fails(tmp_path: Path) -> None:
    """A robots.txt whose connection is reset is a failed inventory, not the end of discovery:
    the well-known sitemaps are still asked for, as after a 404."""
    with SiteServer() as site:
        site.routes["/"] = html(HOME)
        site.routes["/robots.txt"] = RESET
        wanted = publish(site, range(1, 6))
        site.routes["/sitemap.xml"] = xml(urlset([(url, "2023-03-01") for url in wanted]))
        run = crawl(tmp_path, [site.url])
    assert run.returncode == 0, run.log[-3000:]
    assert run.posts == set(wanted), run.log[-3000:]
    assert run.stats["discovery/robots/failed"] == 1
    assert any("robots.txt: failed" in line for line in run.log.splitlines())


@pytest.mark.parametrize("home", [RESET, (500, "text/html", b"<html>down</html>")])
def test_feed_probed_when_home_page_fails(tmp_path: Path, home: object) -> None:
    """Likewise a home page that fails or errs: the usual ``/feed/`` is still read."""
    with SiteServer() as site:
        site.routes["/"] = home
        wanted = publish(site, range(1, 6))
        site.routes["/feed/"] = xml(rss([(url, "Wed, 01 Mar 2023 10:00:00 +0000")
                                         for url in wanted]))
        run = crawl(tmp_path, [site.url])
    assert run.returncode == 0, run.log[-3000:]
    assert run.posts == set(wanted), run.log[-3000:]


# -- defect 5: <meta http-equiv="refresh"> -------------------------------------------------------
def refresh(target: str, delay: int = 0) -> str:
    return f'<meta http-equiv="refresh" content="{delay}; url={target}">'


SCRIPTED = ("<script>var nojs = '" + refresh("javascript:go()") + "';</script>"
            "<p><a href='javascript:void(0)'>Share</a> <a href='javascript:print()'>Print</a></p>")


def test_meta_refresh_pages_are_archived_and_their_targets_followed(tmp_path: Path) -> None:
    """A post carrying a meta refresh is a post: archived and parsed like any other. Its target is
    an ordinary link: asked for when in scope, else logged and counted, never requested."""
    with SiteServer() as site, SiteServer() as links_site:
        site.routes["/"] = html(HOME)
        listed = publish(site, range(1, 6))
        moved = publish(site, range(6, 7))
        heads = {1: refresh(listed[0], 600), 2: refresh("http://elsewhere.example/"),
                 3: refresh("javascript:void(0)"), 5: refresh("/post-6/")}
        for n in range(1, 6):
            site.routes[f"/post-{n}/"] = html(post_page(
                n, f"2023-03-0{n}T10:00:00+00:00", head=heads.get(n, ""),
                body=SCRIPTED if n in (3, 4) else "").decode())
        site.routes["/sitemap.xml"] = xml(urlset([(url, "") for url in listed]))
        links_site.routes["/"] = html(
            f"<html><head>{SCRIPTED}</head><body class='home blog'>{SCRIPTED}"
            + "".join(f"<a href='/post-{n}/'>post {n}</a>" for n in range(1, 6)) + "</body></html>")
        linked = publish(links_site, range(1, 6))
        run = crawl(tmp_path, [site.url, links_site.url])
    assert run.returncode == 0, run.log[-3000:]
    assert run.posts == set(listed + moved + linked), run.log[-3000:]
    assert run.stats["discovery/refresh/followed"] == 1
    assert run.stats["discovery/refresh/self"] == 1
    assert run.stats["discovery/refresh/offsite"] == 1
    assert run.stats["discovery/refresh/bad_url"] == 1  # post 3; script text is no meta tag
    assert not any("elsewhere" in line and "GET" in line for line in run.log.splitlines())
    lines = run.log.splitlines()
    assert any("javascript:void(0)" in line and "found via refresh" in line for line in lines)
    assert any("elsewhere.example" in line and "via refresh" in line for line in lines)
