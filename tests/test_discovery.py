"""Inventory parsers: sitemaps, feeds and the REST API, including malformed input."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.discovery import parse_feed, parse_rest_posts, parse_sitemap, wanted_sitemap

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://b.org/wp-sitemap-posts-post-1.xml</loc></sitemap>
<sitemap><loc>https://b.org/wp-sitemap-taxonomies-category-1.xml</loc></sitemap>
</sitemapindex>"""
URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://b.org/2022/01/12/a/</loc><lastmod>2022-01-13T10:00:00+00:00</lastmod></url>
<url><loc>https://b.org/2022/01/13/b/</loc></url>
</urlset>"""
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>B</title>
<item><title>A</title><link>https://b.org/2022/01/12/a/</link>
<pubDate>Wed, 12 Jan 2022 13:25:00 +0000</pubDate></item></channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<entry><title>A</title><link rel="alternate" href="/posts/a/"/>
<updated>2022-01-12T13:25:00Z</updated></entry></feed>"""


def test_sitemap_index_and_urlset() -> None:
    index = parse_sitemap(INDEX)
    assert index.valid and index.is_index
    assert [wanted_sitemap(e.url) for e in index.entries] == [True, False]
    urls = parse_sitemap(URLSET)
    assert urls.valid and not urls.is_index
    assert urls.entries[0].modified == datetime(2022, 1, 13, 10, tzinfo=UTC)
    assert urls.entries[1].modified is None


def test_malformed_sitemap_is_flagged_not_raised() -> None:
    doc = parse_sitemap(b"<urlset><url><loc>https://b.org/x/</loc></url><url><loc>")
    assert not doc.valid or doc.entries
    assert not parse_sitemap(b"this is not xml").valid
    assert not parse_sitemap(b"").valid


def test_rss_and_atom() -> None:
    entries, ok = parse_feed(RSS, "https://b.org/feed/")
    assert ok and entries[0].url == "https://b.org/2022/01/12/a/"
    assert entries[0].modified == datetime(2022, 1, 12, 13, 25, tzinfo=UTC)
    entries, ok = parse_feed(ATOM, "https://b.org/atom.xml")
    assert ok and entries[0].url == "https://b.org/posts/a/"


def test_malformed_feed_recovers_what_it_can() -> None:
    entries, ok = parse_feed(RSS.replace(b"</channel></rss>", b"<item><link>"), "https://b.org/")
    assert not ok
    assert [e.url for e in entries][:1] == ["https://b.org/2022/01/12/a/"]


def test_rest_api() -> None:
    body = b'[{"id": 5, "link": "https://b.org/a/", "modified_gmt": "2022-01-13T10:00:00"}]'
    entries = parse_rest_posts(body)
    assert entries is not None and entries[0].modified == datetime(2022, 1, 13, 10, tzinfo=UTC)
    assert parse_rest_posts(b'{"code": "rest_no_route"}') is None
    assert parse_rest_posts(b"<html>") is None
