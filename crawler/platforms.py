"""Which hosted platform serves a blog, and which of its own inventories to read.

Hosted platforms list their posts in places no generic probe finds, and cap the ones it does:
Blogger pages its Atom feed with ``start-index``/``max-results`` (at most 150 a page since 2015),
Substack answers ``/api/v1/archive`` by ``offset`` (``limit`` above 50 is a 400) and caps ``/feed``
at 20 items, Ghost caps ``/rss/`` at 15 and lists posts in ``/sitemap-posts.xml``, Medium's feed
holds the latest 10 stories and nothing else, Tumblr answers ``/api/read`` by ``start`` (``num`` at
most 50), WordPress.com answers 404 on its own ``/wp-json/`` (its REST API lives on
public-api.wordpress.com, outside the crawl scope) and lists posts in Jetpack sitemaps.

The platform is told by its host name when it has one (``*.blogspot.com``...), else by what every
page of it carries: the generator meta, its assets' hosts, a response header (``x-ghost-cache-status``,
``x-tumblr-user``). A custom domain (and the test servers on 127.0.0.1) has only the latter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from parsel import Selector

BLOGGER_PAGE = 150   # Blogger's largest feed page (it was 500 until 2015; larger asks get 150)
SUBSTACK_PAGE = 50   # /api/v1/archive answers 400 "Invalid value" to a larger limit
TUMBLR_PAGE = 50     # /api/read: "num ... the maximum is 50"
SHARED_HOSTS = ("medium.com",)  # one host, many blogs: each is a path (/@user, /publication)

HOSTS = (("blogger", (".blogspot.com",)), ("substack", (".substack.com",)),
         ("ghost", (".ghost.io",)), ("tumblr", (".tumblr.com",)),
         ("wordpress.com", (".wordpress.com",)), ("medium", ("medium.com", ".medium.com")))
GENERATOR = "//meta[translate(@name, 'GENRATO', 'genrato')='generator']/@content"
GENERATORS = (("blogger", "blogger"), ("wordpress.com", "wordpress.com"), ("ghost", "ghost "),
              ("wordpress", "wordpress"))
HEADERS = (("ghost", "x-ghost-cache-status"), ("tumblr", "x-tumblr-user"))
MARKUP = (
    ("blogger", "//link[@rel='service.post'][contains(@href, 'blogger.com/feeds/')]",
     "a Blogger service.post link"),
    ("substack", "//script[contains(@src, 'substackcdn.com')]"
                 " | //link[contains(@href, 'substackcdn.com')]", "substackcdn.com assets"),
    ("ghost", "//script[@data-ghost or @data-sodo-search]", "Ghost's portal or search script"),
    ("medium", "//meta[@property='al:android:package'][@content='com.medium.reader']",
     "Medium's app links"),
    ("tumblr", "//iframe[contains(@class, 'tmblr-iframe')]"
               " | //script[contains(@src, 'assets.tumblr.com')]", "Tumblr's controls or assets"),
    ("wordpress.com", "//link[contains(@href, '.wp.com/')][contains(@href, '/wp-content/')]",
     "s0.wp.com assets"),
    ("wordpress", "//link[@rel='https://api.w.org/'] | //link[contains(@href, '/wp-content/')]"
                  " | //script[contains(@src, '/wp-content/')]", "wp-content assets"),
)


@dataclass(frozen=True)
class Platform:
    name: str       # blogger, substack, ghost, medium, tumblr, wordpress.com, wordpress
    evidence: str   # what said so, for the run report


@dataclass(frozen=True)
class Plan:
    """What to read on a platform, besides robots.txt, sitemaps and the feeds a page announces."""

    apis: tuple[tuple[str, str], ...] = ()   # (inventory kind, first page URL)
    own_feeds: str = ""          # path prefix of the feeds an API above reads: not read twice
    wordpress_feed: bool = True  # ask WordPress's /feed/ when no feed is announced


def from_url(url: str) -> Platform | None:
    """The platform a blog's own host name names (``*.blogspot.com``, ``medium.com``...)."""
    host = (urlsplit(url).hostname or "").lower()
    for name, suffixes in HOSTS:
        if any(host == suffix.lstrip(".") or host.endswith(suffix) for suffix in suffixes):
            return Platform(name, f"host {host}")
    return None


def from_page(url: str, headers: Mapping[str, str], page: Selector) -> Platform | None:
    """The platform a page says it runs on: host, generator, response header, assets."""
    known = from_url(url)
    if known is not None:
        return known
    generator = (page.xpath(GENERATOR).get() or "").strip()
    for name, prefix in GENERATORS:
        if f"{generator.lower()} ".startswith(prefix):
            return Platform(name, f"generator {generator!r}")
    for name, header in HEADERS:
        if header in headers:
            return Platform(name, f"header {header}: {headers[header]}")
    for name, xpath, what in MARKUP:
        if page.xpath(xpath):
            return Platform(name, what)
    return None


def path_scope(url: str) -> str:
    """The path a blog owns on its host: ``/@ada/`` for a Medium user, else ``/`` (the host)."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    shared = (parts.hostname or "").lower() in SHARED_HOSTS
    if segments and (segments[0].startswith("@") or shared):
        return f"/{segments[0]}/"
    return "/"


def path_of(url: str) -> str:
    """The path of a URL as listed, "" for one that cannot be parsed (logged where requested)."""
    try:
        return urlsplit(url).path
    except ValueError:  # an invalid IPv6 host, a bad port: the spider skips it with a log line
        return ""


def post_sitemaps(urls: list[str]) -> list[str]:
    """The sitemaps worth reading for posts: not ``sitemap-pages.xml``, the static pages sitemap
    of Ghost, Blogger and Tumblr (About, Contact: never posts; Ghost marks them up as Articles)."""
    return [url for url in urls if not path_of(url).endswith("/sitemap-pages.xml")]


def plan(platform: Platform | None, home: str, scope: str = "/") -> Plan:
    """The inventories a platform keeps of its posts, as first requests."""
    name = platform.name if platform else ""
    root = urljoin(home, "/")
    if name == "blogger":
        first = f"feeds/posts/default?start-index=1&max-results={BLOGGER_PAGE}"
        return Plan((("blogger_feed", root + first),), own_feeds="/feeds/", wordpress_feed=False)
    if name == "substack":
        first = f"api/v1/archive?sort=new&search=&offset=0&limit={SUBSTACK_PAGE}"
        return Plan((("substack_archive", root + first),), wordpress_feed=False)
    if name == "tumblr":
        first = f"api/read?start=0&num={TUMBLR_PAGE}"
        return Plan((("tumblr_api", root + first),), wordpress_feed=False)
    if name == "medium":
        feed = "feed" + (f"/{scope.strip('/')}" if scope != "/" else "")
        return Plan((("medium_feed", root + feed),), own_feeds="/feed", wordpress_feed=False)
    if name == "ghost":
        return Plan(wordpress_feed=False)
    return Plan(wordpress_feed=scope == "/")
