"""The fixture server answers like the real blogs it imitates (stdlib HTTP only, no Scrapy)."""

from __future__ import annotations

import gzip
import json
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from xml.etree import ElementTree

import pytest

from tests.fixtures.blogs import BLOGS, BROKEN_CASES, COOKIE_POST_ID
from tests.fixtures.server import FixtureServer

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None,
          timeout: float = 5.0) -> tuple[int, Message, bytes]:
    """GET without following redirects; errors are answers too (status, headers, raw body)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=timeout) as reply:
            return reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


def test_json_line_names_every_blog_and_the_control_server(server: FixtureServer) -> None:
    assert list(server.urls) == [*BLOGS, "control"]
    ports = {url.rsplit(":", 1)[1] for url in server.urls.values()}
    assert len(ports) == len(server.urls)


@pytest.mark.parametrize("blog", list(BLOGS))
def test_every_home_page_answers(server: FixtureServer, blog: str) -> None:
    status, headers, _ = fetch(server.url(blog))
    assert status == 200
    assert headers["Content-Type"].startswith("text/html; charset=")
    assert headers["Server"] == BLOGS[blog].server
    assert headers["Date"] and headers["Content-Length"]


def test_classic_robots_announces_core_sitemap(server: FixtureServer) -> None:
    _, _, body = fetch(server.url("classic", "/robots.txt"))
    lines = body.decode().splitlines()
    assert f"Sitemap: {server.url('classic', '/wp-sitemap.xml')}" in lines
    assert "Disallow: /wp-admin/" in lines and "Allow: /wp-admin/admin-ajax.php" in lines


def test_classic_post_sitemap_lists_exactly_the_posts(server: FixtureServer) -> None:
    _, _, body = fetch(server.url("classic", "/wp-sitemap-posts-post-1.xml"))
    root = ElementTree.fromstring(body)
    locs = [url.findtext(f"{SITEMAP_NS}loc", "") for url in root.iter(f"{SITEMAP_NS}url")]
    assert sorted(locs) == sorted(BLOGS["classic"].post_urls(server.urls["classic"]))
    assert all(url.find(f"{SITEMAP_NS}lastmod") is not None for url in root.iter(f"{SITEMAP_NS}url"))


def test_short_link_redirects_to_the_permalink(server: FixtureServer) -> None:
    blog = BLOGS["classic"]
    post = blog.posts[3]
    status, headers, _ = fetch(server.url("classic", f"/?p={post.id}"))
    assert status == 301
    assert headers["Location"] == blog.post_url(server.urls["classic"], post)


def test_html_is_gzipped_only_when_asked(server: FixtureServer) -> None:
    _, headers, body = fetch(server.url("classic"), {"Accept-Encoding": "gzip, deflate"})
    assert headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
    assert int(headers["Content-Length"]) == len(body)
    assert b'class="home blog' in gzip.decompress(body)
    _, plain_headers, plain = fetch(server.url("classic"))
    assert plain_headers["Content-Encoding"] is None and b"<!doctype html>" in plain
    _, block_headers, _ = fetch(server.url("block"), {"Accept-Encoding": "gzip"})
    assert block_headers["Content-Encoding"] is None


def test_cookie_post_sends_two_cookies(server: FixtureServer) -> None:
    blog = BLOGS["classic"]
    post = blog.post_by_id(COOKIE_POST_ID)
    assert post is not None and blog.post_path(post) == blog.extra_paths["cookie_post"]
    _, headers, _ = fetch(blog.post_url(server.urls["classic"], post))
    assert len(headers.get_all("Set-Cookie") or []) == 2


def test_rest_api_pages_like_wordpress(server: FixtureServer) -> None:
    status, headers, body = fetch(server.url("classic", "/wp-json/wp/v2/posts?per_page=5&page=3"))
    assert status == 200
    assert (headers["X-WP-Total"], headers["X-WP-TotalPages"]) == ("14", "3")
    items = json.loads(body)
    assert [item["id"] for item in items] == [p.id for p in BLOGS["classic"].posts[10:]]
    assert {"date", "date_gmt", "modified", "modified_gmt", "slug", "link", "title"} <= set(items[0])
    status, _, body = fetch(server.url("classic", "/wp-json/wp/v2/posts?per_page=5&page=4"))
    assert status == 400 and json.loads(body)["code"] == "rest_post_invalid_page_number"
    assert fetch(server.url("wpcom", "/wp-json/wp/v2/posts"))[0] == 404


def test_conditional_get_answers_304(server: FixtureServer) -> None:
    url = BLOGS["classic"].post_urls(server.urls["classic"])[0]
    status, headers, _ = fetch(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    status, _, body = fetch(url, {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, {"If-None-Match": '"other"'})[0] == 200


def test_request_log_records_paths(server: FixtureServer) -> None:
    server.reset()
    fetch(server.url("block", "/feed/?paged=1"), {"User-Agent": "fixture-test"})
    entries = server.requests()
    assert [(e["blog"], e["method"], e["path"]) for e in entries] == [("block", "GET", "/feed/?paged=1")]
    assert entries[0]["headers"]["User-Agent"] == "fixture-test"
    assert server.requests("classic") == []


def test_block_blog_has_only_yoast_sitemaps(server: FixtureServer) -> None:
    assert fetch(server.url("block", "/wp-sitemap.xml"))[0] == 404
    assert b"Sitemap:" not in fetch(server.url("block", "/robots.txt"))[2]
    status, _, body = fetch(server.url("block", "/sitemap_index.xml"))
    assert status == 200 and server.url("block", "/post-sitemap.xml").encode() in body


def test_seed_post_page_has_dateline_body_and_comment_widget(server: FixtureServer) -> None:
    blog = BLOGS["wpcom"]
    seed = blog.post_by_path(blog.extra_paths["seed_post"])
    assert seed is not None and seed.title == "With No Progress In Talks Russia Will Have To React"
    _, _, raw = fetch(server.url("wpcom", blog.extra_paths["seed_post"]))
    page = raw.decode()
    text = re.sub(r"<[^>]+>", "", page)
    assert "Wednesday, 12 January 2022" in text
    assert seed.paragraphs[0].startswith("Monday\u2019s negotiations") and seed.paragraphs[0] in text
    assert seed.paragraphs[-1] == "That the U.S. does not like that is not Russia\u2019s problem."
    for phrase in ("Leave a Reply", "Fill in your details below or click an icon to log in:",
                   "WordPress.com Logo", "Twitter picture", "Facebook photo", "Connecting to %s",
                   "You are commenting using your WordPress.com account.",
                   "Notify me of new comments via email.", "Notify me of new posts via email.",
                   "This site uses Akismet to reduce spam. Learn how your comment data is processed."):
        assert phrase in page or phrase in text, phrase
    assert "<blockquote><p>In Talks on Ukraine" in page and "jp-relatedposts" in page


def test_traps_answer_200(server: FixtureServer) -> None:
    post = BLOGS["classic"].post_urls(server.urls["classic"])[0]
    for suffix in ("?replytocom=5#respond", "?share=twitter", "feed/", "embed/", "amp/",
                   "comment-page-1/"):
        assert fetch(post + suffix)[0] == 200, suffix
    assert fetch(server.url("classic", "/wp-login.php?redirect_to=%2F"))[0] == 200


def test_feedonly_home_hides_posts_but_atom_lists_them(server: FixtureServer) -> None:
    base = server.urls["feedonly"]
    home = fetch(base)[2].decode()
    assert re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]* href="/atom.xml">', home)
    assert not any(url in home for url in BLOGS["feedonly"].post_urls(base))
    atom = fetch(server.url("feedonly", "/atom.xml"))[2].decode()
    assert all(f'href="{url}"' in atom for url in BLOGS["feedonly"].post_urls(base))


def test_broken_blog_hostile_cases(server: FixtureServer) -> None:
    base = server.urls["broken"]
    assert fetch(server.url("broken", BROKEN_CASES["error500"]))[0] == 500
    status, headers, _ = fetch(server.url("broken", BROKEN_CASES["redirect_start"]))
    assert (status, headers["Location"]) == (302, server.url("broken", BROKEN_CASES["redirect_middle"]))
    status, headers, _ = fetch(headers["Location"])
    assert status == 301 and headers["Location"] in BLOGS["broken"].post_urls(base)
    _, headers, body = fetch(server.url("broken", BROKEN_CASES["latin1"]))
    assert headers["Content-Type"] == "text/html" and "Zürich".encode("latin-1") in body
    assert fetch(server.url("broken", BROKEN_CASES["pdf"]))[1]["Content-Type"] == "application/pdf"
    with pytest.raises(ElementTree.ParseError):
        ElementTree.fromstring(fetch(server.url("broken", BROKEN_CASES["bad_sitemap"]))[2])
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        fetch(server.url("broken", BROKEN_CASES["slow"]), timeout=0.5)


def test_only_option_starts_a_subset() -> None:
    with FixtureServer(only=["linksonly"]) as small:
        assert list(small.urls) == ["linksonly", "control"]
        assert fetch(small.url("linksonly", "/page/3/"))[0] == 200
