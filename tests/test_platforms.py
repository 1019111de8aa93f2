"""Hosted platforms crawled by their own inventories (issue 18, point 3).

Each platform fixture (``tests/fixtures/platforms``) publishes more posts than its capped feed
shows and answers its own inventory API as the platform does; one real ``scrapy crawl blog`` of
all of them (session-scoped) must archive every post once, read each platform's inventory to its
end (every ``start-index``/``offset``/``start`` page), archive nothing else as a post, and say in
the run report which inventories it read, how complete they were and whether links were followed.
Medium's feed is the only inventory of a Medium writer and lists 10 stories of 60: the report
says so and link following, kept to the writer's own path, finds the other 50.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from parsel import Selector

from archive.layout import Layout
from crawler import platforms
from crawler.platform_apis import blogger_page, medium_page, substack_page, tumblr_page
from tests.conftest import BIN, FAST, ROOT
from tests.fixtures.discovery_sites import SiteServer, html, post_page, rss
from tests.fixtures.platforms.blogger import Blogger
from tests.fixtures.platforms.ghost import Ghost
from tests.fixtures.platforms.medium import Medium
from tests.fixtures.platforms.server import PlatformServer, Req, Site
from tests.fixtures.platforms.substack import StuckSubstack, Substack
from tests.fixtures.platforms.tumblr import Tumblr
from tests.fixtures.platforms.wpcom import WordPressCom

pytestmark = pytest.mark.e2e
PLATFORMS = ("blogger", "substack", "ghost", "medium", "tumblr", "wpcom")


@dataclass
class Crawl:
    server: PlatformServer
    returncode: int
    log: str
    report: dict[str, Any]
    archived: set[str]

    def inventory(self, name: str) -> dict[str, Any]:
        section: dict[str, Any] = self.report["inventory"][urlsplit(self.server.base(name)).netloc]
        return section

    def kinds(self, name: str) -> dict[str, dict[str, Any]]:
        return {i["kind"]: i for i in self.inventory(name)["inventories"]}

    def archived_of(self, name: str) -> set[str]:
        return {url for url in self.archived if url.startswith(self.server.base(name) + "/")}

    def asked(self, name: str, path: str) -> list[dict[str, str]]:
        """The query of every request of ``path`` the blog received, in order."""
        return [dict(parse_qsl(urlsplit(q).query)) for q in self.server.requests(name)
                if urlsplit(q).path == path]


def crawl(urls: list[str], archive: Path, *settings: str) -> tuple[int, str, dict[str, Any]]:
    extra = [arg for setting in settings for arg in ("-s", setting)]
    result = subprocess.run(
        [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={','.join(urls)}",
         "-s", f"ARCHIVE_DIR={archive}", *FAST, *extra], cwd=ROOT, capture_output=True,
        text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    reports = sorted((archive / "runs").glob("*.json"))
    report = json.loads(reports[-1].read_text()) if reports else {}
    return result.returncode, result.stdout + result.stderr, report


def archived(archive: Path) -> set[str]:
    db = sqlite3.connect(Layout(archive).catalog_path)
    try:
        return {row[0] for row in db.execute("SELECT url FROM posts")}
    finally:
        db.close()


@pytest.fixture(scope="session")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    sites: list[Site] = [Blogger(), Substack(), Ghost(), Medium(), Tumblr(), WordPressCom(),
                         StuckSubstack()]
    archive = tmp_path_factory.mktemp("platforms")
    with PlatformServer(sites) as server:
        code, log, report = crawl([server.start_url(s.name) for s in sites], archive)
        yield Crawl(server, code, log, report, archived(archive))


def site(crawl: Crawl, name: str) -> Site:
    return crawl.server.sites[name]


def expected(crawl: Crawl, name: str) -> set[str]:
    return site(crawl, name).post_urls(crawl.server.base(name))


def test_the_crawl_ends_well(hosted: Crawl) -> None:
    assert hosted.returncode == 0, hosted.log[-3000:]
    assert hosted.report["outcome"] == "ok"
    assert hosted.report["failed"] == 0


@pytest.mark.parametrize("name", [*PLATFORMS, "substack_stuck"])
def test_every_post_archived_once_and_nothing_else(hosted: Crawl, name: str) -> None:
    posts = expected(hosted, name)
    assert hosted.archived_of(name) == posts
    fetched = Counter(urlsplit(q).path for q in hosted.server.requests(name))
    twice = {p: n for p in (urlsplit(u).path for u in posts) if (n := fetched[p]) != 1}
    assert not twice, twice  # Medium: ?source=... tracking queries dropped, one URL per story


@pytest.mark.parametrize(("name", "platform"), [
    ("blogger", "blogger"), ("substack", "substack"), ("ghost", "ghost"), ("medium", "medium"),
    ("tumblr", "tumblr"), ("wpcom", "wordpress.com")])
def test_the_platform_is_told_by_its_own_markers(hosted: Crawl, name: str,
                                                 platform: str) -> None:
    assert hosted.inventory(name)["platform"] == platform
    assert hosted.report["stats"][f"discovery/platform/{platform}"] >= 1


def test_blogger_feed_paged_by_start_index(hosted: Crawl) -> None:
    asked = hosted.asked("blogger", "/feeds/posts/default")
    assert asked == [{"start-index": "1", "max-results": "150"},
                     {"start-index": "151", "max-results": "150"}]
    kinds = hosted.kinds("blogger")
    assert kinds["blogger_feed"]["complete"] and kinds["blogger_feed"]["entries"] == 160
    assert kinds["blogger_feed"]["pages"] == 2
    requests = hosted.server.requests("blogger")
    assert not [q for q in requests if q.startswith("/search")]  # robots.txt: Disallow: /search
    assert "/sitemap-pages.xml" not in requests and "/p/about.html" not in requests
    assert not hosted.inventory("blogger")["links_followed"]


def test_substack_archive_paged_by_offset(hosted: Crawl) -> None:
    asked = hosted.asked("substack", "/api/v1/archive")
    assert [(q["offset"], q["limit"], q["sort"]) for q in asked] == [
        ("0", "50", "new"), ("50", "50", "new"), ("60", "50", "new")]  # 50 is Substack's cap
    kinds = hosted.kinds("substack")
    assert kinds["substack_archive"]["complete"] and kinds["substack_archive"]["entries"] == 60
    assert kinds["feed"] == {**kinds["feed"], "complete": False, "entries": 20}
    assert kinds["sitemap"]["complete"]
    assert hosted.inventory("substack")["complete"]
    assert {"/about", "/archive"} <= set(hosted.server.requests("substack"))  # sitemap: fetched,
    assert not hosted.archived_of("substack") & {hosted.server.base("substack") + "/about"}


def test_ghost_reads_its_posts_sitemap_not_its_capped_rss(hosted: Crawl) -> None:
    kinds = hosted.kinds("ghost")
    assert kinds["sitemap"]["complete"] and kinds["sitemap"]["entries"] == 60
    assert kinds["feed"]["entries"] == 15 and not kinds["feed"]["complete"]
    assert "15 here" in kinds["feed"]["reason"]
    requests = hosted.server.requests("ghost")
    assert "/sitemap-posts.xml" in requests
    for path in ("/sitemap-pages.xml", "/sitemap-tags.xml", "/sitemap-authors.xml", "/about/"):
        assert path not in requests, path  # Ghost marks its pages up as Articles
    assert not [q for q in requests if q.startswith(("/tag/", "/author/"))]
    assert not hosted.inventory("ghost")["links_followed"]


def test_medium_feed_is_partial_and_links_fill_the_gap(hosted: Crawl) -> None:
    section = hosted.inventory("medium")
    assert section["scope"] == "/@ada/"
    assert not section["complete"] and section["links"] == "partial"
    assert section["links_followed"]
    assert "Medium's feed lists only the latest stories (10 here)" in section["reason"]
    assert hosted.kinds("medium")["medium_feed"]["entries"] == 10
    assert "inventories incomplete on 1 site, links followed on 1" in hosted.report["summary"]
    assert "Only partial inventories list posts on" in hosted.log
    medium = site(hosted, "medium")
    assert isinstance(medium, Medium)
    base = hosted.server.base("medium")
    requests = hosted.server.requests("medium")
    assert not hosted.archived & medium.other_urls(base)
    assert not [q for q in requests if q.startswith(("/@bob", "/sitemap", "/tag/", "/m/"))]
    assert hosted.report["stats"]["discovery/links/offpath"] >= 1


def test_tumblr_api_paged_by_start(hosted: Crawl) -> None:
    asked = hosted.asked("tumblr", "/api/read")
    assert asked == [{"start": "0", "num": "50"}, {"start": "50", "num": "50"}]
    kinds = hosted.kinds("tumblr")
    assert kinds["tumblr_api"]["complete"] and kinds["tumblr_api"]["entries"] == 60
    assert kinds["feed"]["entries"] == 20 and not kinds["feed"]["complete"]
    requests = hosted.server.requests("tumblr")
    assert "/sitemap1.xml" in requests and "/sitemap-pages.xml" not in requests
    assert not [q for q in requests if q.startswith(("/tagged/", "/page/"))]


def test_wordpress_com_by_its_jetpack_sitemap(hosted: Crawl) -> None:
    kinds = hosted.kinds("wpcom")
    assert kinds["sitemap"]["complete"] and kinds["sitemap"]["entries"] == 62  # home, About
    requests = hosted.server.requests("wpcom")
    assert not [q for q in requests if q.startswith("/wp-json")]  # WordPress.com: 404 there
    assert "/about/" in requests  # og:type article, but a WordPress page: not archived
    assert not [q for q in requests if q.startswith(("/category/", "/tag/", "/page/"))]


def test_an_api_that_ignores_its_paging_is_left_after_one_repeat(hosted: Crawl) -> None:
    assert len(hosted.asked("substack_stuck", "/api/v1/archive")) == 2
    record = hosted.kinds("substack_stuck")["substack_archive"]
    assert not record["complete"] and "paging ignored" in record["reason"]
    assert (record["pages"], record["entries"]) == (1, 50)  # the repeat is not counted
    assert hosted.inventory("substack_stuck")["complete"]  # its sitemap lists them all


def test_a_wordpress_feed_paged_to_its_end_is_complete(tmp_path: Path) -> None:
    """No sitemap, no REST API: the feed paged with ?paged= until a 404 lists every post."""
    with SiteServer() as blog:
        base = blog.url.rstrip("/")
        paths = [f"/2023/01/{n:02d}/post-{n}/" for n in range(1, 8)]
        for number, path in enumerate(paths, 1):
            blog.routes[path] = html(post_page(number, f"2023-01-{number:02d}T10:00:00+01:00")
                                     .decode())
        items = [(base + p, f"Mon, {n:02d} Jan 2023 09:00:00 +0000") for n, p in enumerate(paths, 1)]
        blog.routes["/"] = html('<html><head><link rel="alternate" type="application/rss+xml" '
                                'href="/feed/"></head><body class="home blog"><p>Hi</p></body>'
                                "</html>")
        blog.routes["/feed/"] = (200, "application/rss+xml", rss(items[:3]).encode())
        blog.routes["/feed/?paged=2"] = (200, "application/rss+xml", rss(items[3:6]).encode())
        blog.routes["/feed/?paged=3"] = (200, "application/rss+xml", rss(items[6:]).encode())
        code, log, report = crawl([blog.url], tmp_path)
        seen = list(blog.seen)
    assert code == 0, log[-3000:]
    assert archived(tmp_path) == {base + p for p in paths}
    assert [p for p in seen if p.startswith("/feed/")] == [
        "/feed/", "/feed/?paged=2", "/feed/?paged=3", "/feed/?paged=4"]
    section = report["inventory"][urlsplit(blog.url).netloc]
    assert section["complete"] and not section["links_followed"]
    assert "paged with ?paged= to its end (3 pages)" in section["inventories"][0]["reason"]


def test_a_partial_inventory_without_link_following_is_reported(tmp_path: Path) -> None:
    """DISCOVERY_FOLLOW_LINKS off: the feed's 10 stories, and the report and log say what is
    missing and why."""
    medium = Medium(14)
    with PlatformServer([medium]) as server:
        code, log, report = crawl([server.start_url("medium")], tmp_path,
                                  "DISCOVERY_FOLLOW_LINKS=False")
        base = server.base("medium")
    assert code == 0, log[-3000:]
    latest = {base + medium.path("ada", p) for p in medium.writers["ada"][:10]}
    assert archived(tmp_path) == latest
    section = report["inventory"][urlsplit(base).netloc]
    assert not section["complete"] and section["links"] == "off" and not section["links_followed"]
    assert "inventories incomplete on 1 site, links followed on 0" in report["summary"]
    assert "DISCOVERY_FOLLOW_LINKS is off: posts they do not list are missed" in log


# -- the readers, on the fixtures' own answers ---------------------------------------------------
def test_detection_needs_no_host_name() -> None:
    base = "http://127.0.0.1:8000"
    for made, name in ((Blogger(3), "blogger"), (Substack(3), "substack"), (Ghost(3), "ghost"),
                       (Medium(3), "medium"), (Tumblr(3), "tumblr"),
                       (WordPressCom(3), "wordpress.com")):
        reply = made.route(Req(made.start_path, {}, base))
        headers = {key.lower(): value for key, value in reply.headers}
        page = Selector(text=reply.body if isinstance(reply.body, str) else reply.body.decode())
        found = platforms.from_page(base + made.start_path, headers, page)
        assert found is not None and found.name == name, (name, found)
    plain = Selector(text="<html><head><title>x</title></head><body><p>hi</p></body></html>")
    assert platforms.from_page(base + "/", {}, plain) is None
    assert platforms.from_url("https://ada.blogspot.com/") == platforms.Platform(
        "blogger", "host ada.blogspot.com")
    assert platforms.path_scope("https://medium.com/@ada?source=x") == "/@ada/"
    assert platforms.path_scope("https://medium.com/some-publication/a-story-1a2b") == \
        "/some-publication/"
    assert platforms.path_scope("https://blog.example.org/blog/") == "/"


def test_blogger_next_page_is_asked_on_the_blogs_own_host() -> None:
    blog = Blogger(40)
    url = "http://127.0.0.1:9/feeds/posts/default?start-index=1&max-results=150"
    first = blog.route(Req("/feeds/posts/default", {"start-index": "1", "max-results": "25"},
                           "http://127.0.0.1:9"))
    page = blogger_page(first.body.encode() if isinstance(first.body, str) else first.body, url)
    assert page.valid and len(page.entries) == 25 and page.total == 40
    assert page.next_url == ("http://127.0.0.1:9/feeds/posts/default?start-index=26"
                             "&max-results=150")  # from www.blogger.com's rel=next
    assert not blogger_page(b"<html><body>Not found</body></html>", url).valid


def test_api_readers_end_and_refuse() -> None:
    url = "https://s.example/api/v1/archive?sort=new&search=&offset=50&limit=50"
    assert substack_page(b"[]", url).next_url is None
    assert not substack_page(b'{"errors":[{"param":"limit","msg":"Invalid value"}]}', url).valid
    page = substack_page(b'[{"slug":"a","post_date":"2023-05-01T12:00:00.000Z"}]', url)
    assert page.entries[0].url == "https://s.example/p/a"
    assert page.next_url is not None and "offset=51" in page.next_url
    body = (b'<tumblr version="1.0"><posts start="50" total="51"><post id="1" url="https://t'
            b'.example/post/1" url-with-slug="https://t.example/post/1/a" date-gmt="2012-05-11 '
            b'10:07:04 GMT"/></posts></tumblr>')
    tumbled = tumblr_page(body, "https://t.example/api/read?start=50&num=50")
    assert [e.url for e in tumbled.entries] == ["https://t.example/post/1/a"]
    assert tumbled.next_url is None and tumbled.entries[0].modified is not None
    feed = (b'<rss version="2.0"><channel><item><link>https://m.example/@a/x-1a2b3c4d5e6f?source='
            b'rss-5e2a7c1f9b04------2</link></item></channel></rss>')
    assert [e.url for e in medium_page(feed, "https://m.example/feed/@a").entries] == [
        "https://m.example/@a/x-1a2b3c4d5e6f"]
    hostile = feed.replace(b"https://m.example/@a/x", b"http://[::1/x")  # kept, for the spider
    assert medium_page(hostile, "https://m.example/feed/@a").entries[0].url.startswith("http://[")
    broken = (b"<feed xmlns='http://www.w3.org/2005/Atom'><link rel='next' href='http://[::1/f?"
              b"start-index=26'/><entry><link rel='alternate' href='/2020/01/a.html'/></entry>"
              b"</feed>")
    assert blogger_page(broken, "https://b.example/feeds/posts/default").next_url is None
