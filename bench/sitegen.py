"""A synthetic WordPress blog of N posts written as static files, for ``bench/crawl.py``.

The markup is the fixture server's Twenty Twenty-One classic theme (``tests/fixtures/blogs``): posts
with threaded comments, the comment form, Jetpack sharing, the sidebar widgets, post navigation,
paginated home/category/tag/author listings, the RSS feed, ``wp-sitemap.xml`` (an index plus post
sitemaps of 2,000 URLs with ``lastmod``, as WordPress core splits them) and ``robots.txt`` naming it.
Every directory gets an ``index.html`` (or ``index.rss``), so nginx serves the blog as WordPress would;
the REST API and per-post twins (``/feed/``, ``/amp/``, ``/embed/``) are not generated (404). Every
page loads what a real one does (``bench/assets.py``): the theme stylesheet with its imported font CSS,
fonts and background image, scripts, the site icon, and each post one to three uploads in ``srcset``
variants, some lazy-loaded.

The fixture theme scans every post on every page (sidebar, post navigation); rendering each page from
a *view* of the blog that holds only the posts the page shows keeps generation linear: 10,000 posts
take about 20 seconds.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from math import ceil
from pathlib import Path

from bench import assets
from tests.fixtures.blogs import feeds, sitemaps, theme_tt1
from tests.fixtures.blogs.messages import Request
from tests.fixtures.blogs.specs import BlogSpec, CommentSpec, PageSpec, PostSpec, berlin, slugify
from tests.fixtures.blogs.textgen import POLITICS, comment_text, paragraphs

PER_PAGE = 10            # WordPress's "Blog pages show at most"
SITEMAP_MAX_URLS = 2000  # wp_sitemaps_get_max_urls()
CATEGORIES = ("News", "Analysis", "Energy", "Europe", "Trade", "Housing")
TAGS = ("budget", "energy", "eu", "nato", "climate", "inflation", "elections", "trade")
AUTHORS = ("Anna Keller", "Tom Berger")
COMMENTERS = ("Martin", "Jo", "Petra S.", "Lukas", "R. Schmidt")
FIRST, LAST = datetime(2006, 1, 2, 8, 0), datetime(2025, 12, 30, 18, 0)
XSL = ('<?xml version="1.0"?><xsl:stylesheet version="1.0" '
       'xmlns:xsl="http://www.w3.org/1999/XSL/Transform"/>')


@dataclass(frozen=True)
class SiteView(BlogSpec):
    """The blog as one page sees it: the posts it shows, the categories and tags of all posts."""

    all_categories: tuple[str, ...] = ()
    all_tags: tuple[str, ...] = ()

    @property
    def categories(self) -> list[str]:
        return list(self.all_categories)

    @property
    def tags(self) -> list[str]:
        return list(self.all_tags)


def _comments(number: int, published: datetime) -> tuple[CommentSpec, ...]:
    """Every third post has a thread of one to four comments (the second one a reply)."""
    if number % 3:
        return ()
    base = 100_000 + number * 4
    return tuple(
        CommentSpec(base + i, base if i == 1 else 0, COMMENTERS[(number + i) % len(COMMENTERS)],
                    published + timedelta(hours=2 + 5 * i), comment_text(f"c{number}-{i}", POLITICS))
        for i in range(1 + number % 4))


def make_post(number: int, count: int) -> PostSpec:
    """Post ``number`` of ``count``: 5 to 12 paragraphs (2 to 5 KB of text), spread over 20 years."""
    local = FIRST + (LAST - FIRST) * number / max(count - 1, 1)
    published = berlin(local.year, local.month, local.day, local.hour, local.minute)
    rng = random.Random(f"title-{number}")
    title = (f"{rng.choice(POLITICS.subjects)} {rng.choice(POLITICS.verbs)} "
             f"{rng.choice(POLITICS.objects)}, part {number + 1}")
    return PostSpec(
        id=1000 + number, slug=slugify(title), title=title, author=AUTHORS[number % 2],
        published=published,
        modified=published + timedelta(days=2) if number % 3 == 0 else published,
        categories=(CATEGORIES[number % len(CATEGORIES)],), tags=(TAGS[number % len(TAGS)],),
        paragraphs=paragraphs(f"crawl-bench-{number}", POLITICS, 5 + number % 8),
        comments=_comments(number, published))


def synthetic_blog(count: int) -> BlogSpec:
    posts = [make_post(number, count) for number in range(count)]
    posts.reverse()  # newest first, as blogs list them
    about = PageSpec(2, "about", "About", paragraphs("crawl-bench-about", POLITICS, 2),
                     berlin(2005, 12, 1, 10, 0))
    return BlogSpec(
        name="bench", title="Keller & Berger", tagline="Politics, energy and Europe, slowly",
        language="en-US", theme="twentytwentyone", permalinks="dated",
        server="nginx", gzip=True, posts=tuple(posts), pages=(about,), authors=AUTHORS)


class Views:
    """Builds each page's ``SiteView``: the posts every page shows plus the page's own."""

    def __init__(self, blog: BlogSpec) -> None:
        self.blog = blog
        posts = blog.posts
        self.position = {post.id: index for index, post in enumerate(posts)}
        commented = [index for index, post in enumerate(posts) for _ in post.comments][:5]
        month = f"{posts[0].published:%Y%m}"
        this_month = [i for i, post in enumerate(posts[:400]) if f"{post.published:%Y%m}" == month]
        calendar = [*this_month, this_month[-1] + 1] if this_month[-1] + 1 < len(posts) else this_month
        self.common = {*range(min(5, len(posts))), *commented, *calendar}
        self.categories = tuple(sorted({c for post in posts for c in post.categories}))
        self.tags = tuple(sorted({t for post in posts for t in post.tags}))
        self.fields = {name: getattr(blog, name) for name in BlogSpec.__dataclass_fields__}

    def of(self, shown: Sequence[PostSpec] = ()) -> SiteView:
        """A view holding the common posts, ``shown`` and each shown post's neighbours."""
        wanted = set(self.common)
        last = len(self.blog.posts) - 1
        for post in shown:
            index = self.position[post.id]
            wanted.update(i for i in (index - 1, index, index + 1) if 0 <= i <= last)
        posts = tuple(self.blog.posts[i] for i in sorted(wanted))
        return SiteView(**{**self.fields, "posts": posts}, all_categories=self.categories,
                        all_tags=self.tags)


def paginate(req: Request, base_path: str, page: int, pages: int) -> str:
    """``paginate_links`` with WordPress's defaults (end_size 1, mid_size 2): ``1 … 4 5 6 … 900``."""
    def href(number: int) -> str:
        return req.url(base_path if number == 1 else f"{base_path}page/{number}/")

    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links = [f'<a class="prev page-numbers" href="{href(page - 1)}">Newer posts</a>'] if page > 1 else []
    previous = 0
    for number in shown:
        if number > previous + 1:
            links.append('<span class="page-numbers dots">&hellip;</span>')
        links.append(f'<span aria-current="page" class="page-numbers current">{number}</span>'
                     if number == page else f'<a class="page-numbers" href="{href(number)}">{number}</a>')
        previous = number
    if page < pages:
        links.append(f'<a class="next page-numbers" href="{href(page + 1)}">Older posts</a>')
    return (f'<nav class="navigation pagination" aria-label="Posts"><h2 class="screen-reader-text">'
            f'Posts navigation</h2><div class="nav-links">{"".join(links)}</div></nav>')


def listing_pages(views: Views, req: Request, heading: str, body_class: str, base_path: str,
                  posts: Sequence[PostSpec]) -> Iterator[tuple[str, str]]:
    """(path, html) of every page of one listing, as ``theme_tt1.listing`` renders it."""
    pages = max(1, ceil(len(posts) / PER_PAGE))
    header = (f'<header class="page-header alignwide"><h1 class="page-title">{escape(heading)}</h1>'
              f"</header>" if heading else "")
    title = f"{escape(heading)} &#8211; {escape(views.blog.title)}" if heading else escape(
        views.blog.title)
    for page in range(1, pages + 1):
        chunk = posts[(page - 1) * PER_PAGE : page * PER_PAGE]
        view = views.of()
        main = "\n".join([header, *(theme_tt1._summary(view, req, post) for post in chunk),
                          paginate(req, base_path, page, pages) if pages > 1 else ""])
        path = base_path if page == 1 else f"{base_path}page/{page}/"
        yield path, theme_tt1.frame(view, req, title, body_class, "", main, here=base_path)


def listings(views: Views, req: Request) -> Iterator[tuple[str, str]]:
    """Home, category, tag and author archives, and the day archives the calendar links."""
    blog = views.blog
    yield from listing_pages(views, req, "", "home blog", "/", blog.posts)
    kinds = (("category", views.categories, lambda p: p.categories),
             ("tag", views.tags, lambda p: p.tags), ("author", AUTHORS, lambda p: (p.author,)))
    for kind, values, terms in kinds:
        for value in values:
            chosen = [post for post in blog.posts if value in terms(post)]
            slug = slugify(value)
            yield from listing_pages(views, req, f"{kind.title()}: {slug}",
                                     f"archive {kind} {kind}-{slug}", f"/{kind}/{slug}/", chosen)
    newest = f"{blog.posts[0].published:%Y/%m}"
    for day in sorted({f"{p.published:%Y/%m/%d}" for p in blog.posts[:400]
                       if f"{p.published:%Y/%m}" == newest}):
        chosen = [p for p in blog.posts[:400] if f"{p.published:%Y/%m/%d}" == day]
        yield from listing_pages(views, req, f"Archives: {day}", "archive date", f"/{day}/", chosen)


def sitemap_files(blog: BlogSpec, req: Request) -> Iterator[tuple[str, str]]:
    """``wp-sitemap.xml`` and its parts; posts in files of 2,000 URLs with ``lastmod``."""
    style = f'<?xml-stylesheet type="text/xsl" href="{req.url("/wp-sitemap.xsl")}" ?>\n'
    chunks = max(1, ceil(len(blog.posts) / SITEMAP_MAX_URLS))
    parts = [f"posts-post-{n}" for n in range(1, chunks + 1)]
    parts += ["posts-page-1", "taxonomies-category-1", "taxonomies-post_tag-1", "users-1"]
    index_style = style.replace("wp-sitemap.xsl", "wp-sitemap-index.xsl")
    yield "/wp-sitemap.xml", sitemaps._index(
        [(req.url(f"/wp-sitemap-{part}.xml"), None) for part in parts], index_style)
    for n in range(chunks):
        chunk = blog.posts[::-1][n * SITEMAP_MAX_URLS : (n + 1) * SITEMAP_MAX_URLS]  # oldest first
        rows = [(blog.post_url(req.base, post), post.modified) for post in chunk]
        yield f"/wp-sitemap-posts-post-{n + 1}.xml", sitemaps._urlset(rows, style)
    for part in parts[chunks:]:
        yield f"/wp-sitemap-{part}.xml", sitemaps.core(blog, req, f"wp-sitemap-{part}.xml") or ""


def site_files(blog: BlogSpec, base: str) -> Iterator[tuple[str, str, datetime | None]]:
    """(path, content, modified) of every file of the site; a path ending in / is a directory."""
    req = Request("GET", "/", "", base)
    views = Views(blog)
    robots = ("User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
              f"Sitemap: {req.url('/wp-sitemap.xml')}\n")
    yield "/robots.txt", robots, None
    for post in blog.posts:
        page = theme_tt1.single(views.of([post]), req, post)
        yield blog.post_path(post), assets.with_images(page, base, post.published, post.id), \
            post.modified
    for path, page in listings(views, req):
        yield path, page, None
    for path, xml in sitemap_files(blog, req):
        yield path, xml, None
    yield "/feed/index.rss", feeds.rss_page(blog, req, 1) or "", blog.posts[0].modified
    busiest = max(blog.posts[:2000], key=lambda post: len(post.comments))
    yield "/comments/feed/index.rss", feeds.comment_feed(views.of([busiest]), req, busiest), None
    yield "/about/", theme_tt1.static_page(views.of(), req, blog.pages[0]), None
    yield "/404.html", theme_tt1.not_found(views.of(), req), None
    yield "/wp-includes/js/comment-reply.min.js", "/*! comment-reply */\nwindow.addComment=1;\n", None
    yield "/wp-sitemap.xsl", XSL, None
    yield "/wp-sitemap-index.xsl", XSL, None


def generate(root: Path, count: int, base: str) -> int:
    """Write the blog of ``count`` posts under ``root`` for ``base``; returns the number of files."""
    blog = synthetic_blog(count)
    written = 0
    for path, content, modified in site_files(blog, base):
        target = root / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        if target.suffix == ".html":
            content = assets.decorate(content, base)
            written += assets.write_avatars(root, content)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        if modified is not None:
            stamp = modified.timestamp()
            os.utime(target, (stamp, stamp))
        written += 1
    for path, data in assets.static_files():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    return written + assets.write_uploads(root, ((p.published, p.id) for p in blog.posts))

