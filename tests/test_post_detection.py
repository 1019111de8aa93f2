"""Post detection beyond WordPress: real generator output, hosted platforms, and a real crawl.

The fixtures (``tests/fixtures/engines/detect-*``) are pages of small blogs built by Hugo (its
starter theme, Doks), Jekyll (minima), Pelican (notmyidea, simple), Hexo (landscape) and the Eleventy base
blog, and pages written after Ghost's (Casper), Blogger's, Substack's and Medium's markup. Each
page's truth (post or not) was decided by hand; ``expected.json`` also names the evidence that must
decide, so a right answer for a wrong reason fails too.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from archive.extract.engines import is_wordpress
from archive.extract.evidence import real_date
from archive.extract.listing import archive_url
from archive.extract.page_type import classify_page, is_post_page
from archive.layout import Layout
from tests.conftest import BIN, FAST, ROOT
from tests.fixtures.discovery_sites import SiteServer, xml

ENGINES = Path(__file__).parent / "fixtures" / "engines"
GENERATORS = ("hugo-starter", "hugo-doks", "jekyll-minima", "pelican-notmyidea",
              "pelican-simple", "hexo-landscape", "eleventy-base-blog")
HOSTED = ("ghost-casper", "blogger", "substack", "medium")
Case = tuple[str, str, dict[str, Any]]


def _cases(engines: tuple[str, ...] = GENERATORS + HOSTED) -> list[Case]:
    found = []
    for engine in engines:
        expected = json.loads((ENGINES / f"detect-{engine}" / "expected.json").read_text())
        found += [(engine, page, spec) for page, spec in expected.items()]
    return found


def _ids(cases: list[Case]) -> list[str]:
    return [f"{engine}/{page}" for engine, page, _ in cases]


def _page(engine: str, page: str) -> str:
    return (ENGINES / f"detect-{engine}" / page).read_text(encoding="utf-8")


CASES = _cases()
POSTS = [c for c in _cases(GENERATORS) if c[2]["is_post"]]
NOT_POSTS = [c for c in _cases(GENERATORS) if not c[2]["is_post"]]


@pytest.mark.parametrize(("engine", "page", "spec"), CASES, ids=_ids(CASES))
def test_verdict_and_evidence(engine: str, page: str, spec: dict[str, Any]) -> None:
    raw = (ENGINES / f"detect-{engine}" / page).read_bytes()
    listed = classify_page(raw, spec["url"], listed=True)
    assert (listed.is_post, listed.reason) == (spec["is_post"], spec["reason"])
    unlisted = spec.get("unlisted", {"is_post": spec["is_post"], "reason": spec["reason"]})
    found = classify_page(raw, spec["url"], listed=False)
    assert (found.is_post, found.reason) == (unlisted["is_post"], unlisted["reason"])
    assert is_post_page(raw, spec["url"]) is spec["is_post"]  # the archive's readers agree


@pytest.mark.parametrize("engine", GENERATORS + HOSTED)
def test_every_engine_has_posts_an_about_page_and_listings(engine: str) -> None:
    expected = json.loads((ENGINES / f"detect-{engine}" / "expected.json").read_text())
    posts = [page for page, spec in expected.items() if spec["is_post"]]
    assert posts and "about.html" in expected and len(expected) - len(posts) >= 3


def _undeclared(html: str) -> str:
    """The page without what it declares about itself: ``og:type`` and JSON-LD."""
    html = re.sub(r"<meta[^>]*og:type[^>]*>", "", html)
    return re.sub(r"<script[^>]*ld\+json[^>]*>.*?</script>", "", html, flags=re.S)


# Hexo's landscape renders About as a dated h-entry with BlogPosting microdata: only its
# ``og:type`` website says it is a page (README of detect-hexo-landscape). Hugo's starter theme
# prints About exactly as a post: only its main menu linking to the page's own URL tells, and
# this test moves the page to another URL (README of detect-hugo-starter).
MARKUP_ONLY = [c for c in NOT_POSTS
               if c[:2] not in {("hexo-landscape", "about.html"), ("hugo-starter", "about.html")}]


@pytest.mark.parametrize(("engine", "page", "spec"), MARKUP_ONLY, ids=_ids(MARKUP_ONLY))
def test_non_posts_are_told_by_markup_without_declarations_or_a_telling_url(
        engine: str, page: str, spec: dict[str, Any]) -> None:
    html = _undeclared(_page(engine, page))
    kind = classify_page(html, "http://blog.test/some-page/", listed=True)
    assert not kind.is_post, kind.reason


@pytest.mark.parametrize(("engine", "page", "spec"), POSTS, ids=_ids(POSTS))
def test_posts_are_told_by_markup_without_declarations(engine: str, page: str,
                                                       spec: dict[str, Any]) -> None:
    kind = classify_page(_undeclared(_page(engine, page)), spec["url"], listed=True)
    assert kind.is_post, kind.reason


# Ghost gives a static page a dated JSON-LD Article (and og:type website): without the generator
# meta, which Ghost always writes, About would be taken for a post.
GHOST = [c for c in _cases(("ghost-casper",)) if c[1] != "about.html"]


@pytest.mark.parametrize(("engine", "page", "spec"), GHOST, ids=_ids(GHOST))
def test_ghost_pages_are_told_apart_without_the_generator_too(engine: str, page: str,
                                                              spec: dict[str, Any]) -> None:
    """Body classes need Ghost's generator meta; without it og:type, the read-more cards
    (teasers of other posts) and the paged listing decide the same."""
    html = re.sub(r'<meta name="generator"[^>]*>', "", _page(engine, page))
    kind = classify_page(html, spec["url"], listed=False)
    assert kind.is_post is spec["is_post"] and not kind.reason.startswith("ghost"), kind


BLOGGER = [c for c in _cases(("blogger",)) if c[1] != "about.html"]


@pytest.mark.parametrize(("engine", "page", "spec"), BLOGGER, ids=_ids(BLOGGER))
def test_blogger_posts_and_listings_are_told_apart_without_the_view_data(
        engine: str, page: str, spec: dict[str, Any]) -> None:
    """Without the view data only a static page is mistaken: Blogger gives it the post template,
    a dated BlogPosting and comments, which is why the view data is read first."""
    html = re.sub(r"_WidgetManager\._SetDataContext\(.*?\);", "", _page(engine, page), flags=re.S)
    kind = classify_page(html, spec["url"], listed=False)
    assert kind.is_post is spec["is_post"] and kind.reason != "blogger-view", kind


def test_wordpress_body_classes_apply_only_to_wordpress_pages() -> None:
    """notmyidea's ``<body class="home">`` on a post: a listing on WordPress, nothing elsewhere."""
    url = "http://blog.test/hello-harbour.html"
    html = _page("pelican-notmyidea", "post.html")
    assert classify_page(html, url, listed=False).is_post
    for evidence in ('<meta name="generator" content="WordPress 6.4.2" />',
                     "<link rel='stylesheet' href='/wp-content/themes/twentytwentyone/style.css'>",
                     "<link rel='https://api.w.org/' href='http://blog.test/wp-json/' />"):
        wordpress = html.replace("<head>", f"<head>\n{evidence}", 1)
        assert classify_page(wordpress, url, listed=False)[::2] == (False, "wordpress-body-class")


@pytest.mark.parametrize(("body_classes", "wordpress"), [
    ("post-template-default single single-post postid-7 single-format-standard", True),
    ("page-template-default page page-id-2", True),
    ("home blog wp-embed-responsive", True),
    ("archive date paged date-paged-2", True),
    ("home", False), ("home blog", False), ("single single-post", False),
    ("archive category tag-5", False), ("post-template tag-notes", False),
])
def test_wordpress_is_recognised_by_its_own_body_classes(body_classes: str,
                                                         wordpress: bool) -> None:
    from archive.extract.dom import parse

    assert is_wordpress(parse("<html><body></body></html>"), set(body_classes.split())) is wordpress


@pytest.mark.parametrize(("url", "kind"), [
    ("http://b.test/page/2/", "pagination"), ("http://b.test/posts/page/3/", "pagination"),
    ("http://b.test/page2/", "pagination"), ("http://b.test/index2.html", "pagination"),
    ("http://b.test/?paged=2", "pagination"), ("http://b.test/tags/intro/", "taxonomy"),
    ("http://b.test/tag/intro.html", "taxonomy"), ("http://b.test/category/a/b/", "taxonomy"),
    ("http://b.test/archives/2021/01/", "taxonomy"), ("http://b.test/author/ada/", "taxonomy"),
    ("https://x.blogspot.com/search/label/letters", "search"), ("http://b.test/?s=tide", "search"),
    ("http://b.test/2021/", "date-archive"), ("http://b.test/2021/01/", "date-archive"),
    ("http://b.test/2021/01/03/", "date-archive"),
    ("http://b.test/2021/01/03/hello-harbour/", None),
    ("https://x.blogspot.com/2022/01/a-box-of-letters.html", None),
    ("http://b.test/archive/2021/01/03/post.html", None),  # Jekyll, a category named "archive"
    ("http://b.test/posts/tags-and-labels/", None), ("http://b.test/?p=42", None),
    ("https://medium.com/@ada/keeping-a-tide-log-1a2b3c4d5e6f", None),
    ("http://b.test/blog/page-one/", None), ("http://b.test/2021/01/03/42/", None),
])
def test_archive_urls(url: str, kind: str | None) -> None:
    assert archive_url(url) == kind


def _article(head: str = "", title: str = "A post", meta: str = "") -> str:
    return (f"<html><head><title>{title}</title>{head}</head><body><main><article>"
            f"<h1>{title}</h1>{meta}<p>Words of the post.</p></article></main></body></html>")


DATED = '<time datetime="2021-01-03T08:00:00-05:00">3 January 2021</time>'


def test_a_json_ld_article_outweighs_og_type_website() -> None:
    """Sites do write og:type website on their posts (caktusgroup.com, trafilatura's test pages)."""
    website = '<meta property="og:type" content="website">'
    url = "http://b.test/blog/django-tips/"
    assert classify_page(_article(website, meta=DATED), url, listed=True)[::2] == (
        False, "og-type-website")
    entity = {"@type": "Article", "headline": "A post", "datePublished": "2019-06-01T10:00:00Z"}
    ld = f'<script type="application/ld+json">{json.dumps(entity)}</script>'
    assert classify_page(_article(website + ld, meta=DATED), url, listed=True)[::2] == (
        True, "json-ld")
    body_ld = _article(website, meta=DATED).replace("</main>", f"{ld}</main>")  # not in the head
    assert classify_page(body_ld, url, listed=True)[::2] == (True, "json-ld")


def test_one_entry_with_most_of_the_text_is_the_post_beside_unlinked_cards() -> None:
    """Related stories as <article> cards whose titles are no links (faz.net, phys.org)."""
    words = "<p>" + "Words of the post, long enough to hold the page. " * 20 + "</p>"
    cards = "".join(f"<article><h3>Story {n}</h3><p>A short teaser.</p></article>"
                    for n in range(6))
    page = _article(meta=DATED).replace("</article>", f"{words}</article>{cards}", 1)
    assert classify_page(page, "http://b.test/news/x/", listed=False)[::2] == (True, "article")
    even = page.replace(words, "<p>Short.</p>")
    assert classify_page(even, "http://b.test/news/x/", listed=False)[::2] == (False, "listing")


def test_a_json_ld_article_naming_the_page_outweighs_its_archive_url() -> None:
    url = "http://b.test/archive/my-old-post/"
    assert classify_page(_article(meta=DATED), url, listed=True)[::2] == (False, "taxonomy")
    entity = {"@type": "BlogPosting", "url": url, "datePublished": "2009-05-01T10:00:00Z"}
    ld = f'<script type="application/ld+json">{json.dumps(entity)}</script>'
    assert classify_page(_article(ld, meta=DATED), url, listed=True)[::2] == (True, "json-ld")


@pytest.mark.parametrize(("url", "link", "is_post"), [
    ("http://b.test/2021/", "/travel/2021/01/15/cafe.html", False),  # jekyll-archives, a year
    ("http://b.test/2021/01/", "/2021/01/15/cafe/", False),  # a month, WordPress permalinks
    ("http://b.test/2021/01/", "/about/", True),  # links nothing dated inside it
    ("http://b.test/2021/01/15/cafe/", "/2021/01/15/other/", True),  # a WordPress post
])
def test_a_date_archive_listing_dated_pages_is_no_post_despite_its_json_ld(
        url: str, link: str, is_post: bool) -> None:
    """jekyll-seo-tag gives jekyll-archives' year and month pages a BlogPosting naming them."""
    entity = {"@type": "BlogPosting", "url": url, "datePublished": "2021-01-15T10:00:00Z"}
    ld = f'<script type="application/ld+json">{json.dumps(entity)}</script>'
    page = _article(ld, meta=DATED).replace("</main>", f'<a href="{link}">Café</a></main>')
    kind = classify_page(page, url, listed=True)
    assert (kind.is_post, kind.reason) == (is_post, "json-ld" if is_post else "date-archive")


@pytest.mark.parametrize(("nav", "is_post"), [
    ('<nav><ul><li><a aria-current="page" href="/about/">About</a></li></ul></nav>', False),
    ('<nav aria-label="Main"><a class="active" href="http://b.test/about/">About</a></nav>', False),
    ('<div role="navigation"><a href="/about/index.html">About</a></div>', False),
    ('<nav><a href="/posts/">Posts</a><a href="/other/">Other</a></nav>', True),
    ('<nav class="breadcrumb"><a href="/">Home</a><a href="/about/">About</a></nav>', True),
    ('<nav id="TableOfContents"><a href="#tides">Tides</a></nav>', True),
])
def test_a_page_the_site_navigation_links_as_itself_is_a_menu_page(nav: str, is_post: bool) -> None:
    """Hugo's starter theme and Doks: About is a dated page in the main menu (listing.menu_page)."""
    og = ('<meta property="og:type" content="article">'
          '<meta property="article:published_time" content="2020-12-30T09:00:00+01:00">')
    page = _article(og, meta=DATED).replace("<main>", nav + "<main>")
    kind = classify_page(page, "http://b.test/about/", listed=True)
    assert (kind.is_post, kind.reason) == (is_post, "og-article" if is_post else "menu-page")


def test_an_entry_whose_title_links_elsewhere_is_a_teaser_unless_another_site() -> None:
    url = "http://b.test/notes/harbour/"
    same_site = _article(title='<a href="/notes/other/">Other</a>', meta=DATED)
    assert classify_page(same_site, url, listed=True)[::2] == (False, "listing")
    link_post = _article(title='<a href="https://elsewhere.test/tides">Tides</a>', meta=DATED)
    assert classify_page(link_post, url, listed=True)[::2] == (True, "article")
    itself = _article(title=f'<a href="{url}index.html" rel="bookmark">Itself</a>', meta=DATED)
    assert classify_page(itself, url, listed=True)[::2] == (True, "article")


@pytest.mark.parametrize(("meta", "is_post"), [
    ('<p class="post-meta">By Ann &middot; 31 February 2022</p>', True),  # text, even a bad one
    ('<p class="post-meta">By Ann</p>', False),
    ("<p>Born in 1980, I keep a harbour log.</p>", False),  # a year in the text is no dateline
])
def test_a_visible_dateline_dates_the_entry(meta: str, is_post: bool) -> None:
    head = '<meta property="og:type" content="article">'
    assert classify_page(_article(head, meta=meta), "http://b.test/x/", listed=False).is_post \
        is is_post


@pytest.mark.parametrize(("value", "real"), [
    ("0001-01-01T00:00:00Z", False), ("1970-01-01T00:00:00Z", False), ("", False),
    ("2021-01-03T08:00:00-05:00", True), ("2021-01-03", True),
])
def test_zero_dates_are_no_dates(value: str, real: bool) -> None:
    assert real_date(value) is real


@pytest.mark.parametrize(("title", "not_found"), [
    ("404 Page not found", True), ("Page not found &ndash; Harbour notes", True),
    ("Error 404 | Harbour notes", True), ("Content not found.", True),
    ("404 days at sea | Harbour notes", False), ("Not found: the lost letters", False),
])
def test_soft_404_pages(title: str, not_found: bool) -> None:
    page = _article(title=title, meta=DATED)
    assert (classify_page(page, "http://b.test/x/", listed=True).reason == "not-found") \
        is not_found


# -- the crawler: an inventory's listing reaches the decision ------------------------------------
ELEVENTY = _cases(("eleventy-base-blog",))


def _crawl(archive: Path, url: str) -> tuple[set[str], dict[str, Any], int]:
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={url}",
               "-s", f"ARCHIVE_DIR={archive}", *FAST, "-s", "RETRY_TIMES=0"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    db = sqlite3.connect(Layout(archive).catalog_path)
    posts = {row[0] for row in db.execute("SELECT url FROM posts")}
    db.close()
    report = sorted((archive / "runs").glob("*.json"))[-1]
    return posts, json.loads(report.read_text())["stats"], result.returncode


def _serve_eleventy(site: SiteServer, sitemap: bool) -> set[str]:
    """The Eleventy pages at their own paths (links rewritten to the test server); the posts."""
    posts = set()
    for _, page, spec in ELEVENTY:
        path = spec["url"].removeprefix("http://blog.test")
        html = _page("eleventy-base-blog", page).replace("http://blog.test/", site.url)
        site.routes[path] = (200, "text/html; charset=utf-8", html.encode())
        if spec["is_post"]:
            posts.add(site.url + path.lstrip("/"))
    if sitemap:
        text = (ENGINES / "detect-eleventy-base-blog" / "sitemap.xml").read_text()
        site.routes["/sitemap.xml"] = xml(text.replace("http://blog.test/", site.url))
    return posts


@pytest.mark.e2e
def test_a_crawl_archives_the_posts_its_sitemap_lists_and_nothing_else(tmp_path: Path) -> None:
    """The real Eleventy sitemap lists every page (About, tags, the archive): the inventory makes
    them candidates, only the three dated single-content pages are posts."""
    with SiteServer() as site:
        posts = _serve_eleventy(site, sitemap=True)
        archived, stats, returncode = _crawl(tmp_path, site.url)
    assert returncode == 0 and archived == posts
    assert stats["crawl/page_kind/dated-layout"] == 3
    # About (its post layout's <time> says "Invalid DateTime"), the archive, the page list, the
    # home page (also asked for as the sitemap lists it); the tags index and the four tag pages
    assert stats["crawl/page_kind/no-post-signal"] >= 4 and stats["crawl/page_kind/taxonomy"] == 5


@pytest.mark.e2e
def test_a_crawl_that_only_follows_links_needs_declared_markup(tmp_path: Path) -> None:
    """No inventory: the same pages are reached by links, and one ``<time>`` is not enough."""
    with SiteServer() as site:
        _serve_eleventy(site, sitemap=False)
        archived, stats, _ = _crawl(tmp_path, site.url)  # fails: the footer's feed link is a 404
    assert archived == set()
    assert stats["discovery/links/fallback_sites"] == 1
    assert "crawl/page_kind/dated-layout" not in stats
    assert stats["crawl/page_kind/no-post-signal"] >= 3
