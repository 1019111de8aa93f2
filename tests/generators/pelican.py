"""Pelican (PyPI, in the venv through the ``test`` extra) with its two built-in themes.

The blog is written as Pelican's Markdown sources: one ``.md`` per post with Pelican's metadata
block, the About page under ``pages/``, the images as static files. Settings are what a Pelican
user sets for a blog: site URL, pagination (two posts a page), year archives, feeds (Pelican's
defaults, Atom) and the sitemap of the official ``pelican-sitemap`` plugin. Links between posts use
Pelican's own ``{filename}`` syntax.

Pelican gives an article one category: the first of the known post's categories is the one its
page shows. Both themes print the date as ``article.date.isoformat()`` (notmyidea in
``<abbr class="published" title=...>``, simple in ``<time datetime=...>``), which keeps the
offset written in the source; both show the author and the tags.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.generators.content import ABOUT_BODY, ABOUT_TITLE, IMAGES, POSTS, Post, body_for
from tests.generators.site_node import Adapter, Exposes

LINK = "{{filename}}/{slug}.md"  # Pelican's own link to another source file
SETTINGS = """\
AUTHOR = "Ada Lovelace"
SITENAME = "Harbour notes"
SITEURL = {site_url!r}
PATH = "content"
OUTPUT_PATH = {output!r}
THEME = {theme!r}
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%a %d %B %Y"
DEFAULT_PAGINATION = 2
STATIC_PATHS = ["images"]
YEAR_ARCHIVE_SAVE_AS = "{{date:%Y}}/index.html"
YEAR_ARCHIVE_URL = "{{date:%Y}}/"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{{slug}}.atom.xml"
PLUGINS = ["pelican.plugins.sitemap"]
SITEMAP = {{"format": "xml"}}
LINKS = (("Pelican", "https://getpelican.com/"),)
SOCIAL = (("Atom feed", "/feeds/all.atom.xml"),)
DELETE_OUTPUT_DIRECTORY = True
"""


def source(post: Post) -> str:
    """A post as Pelican's Markdown reader takes it: metadata lines, a blank line, the body."""
    return (f"Title: {post.title}\n"
            f"Date: {post.date.isoformat()}\n"
            f"Author: {post.author}\n"
            f"Category: {post.categories[0]}\n"
            f"Tags: {', '.join(post.tags)}\n"
            f"Slug: {post.slug}\n\n"
            + body_for(post, LINK))


class Pelican(Adapter):
    def __init__(self, theme: str) -> None:
        super().__init__("pelican", theme, Exposes(date="offset", author=True, categories=True, tags=True),
                         snapshot_paths={"post": "/keeping-a-tide-log.html", "about": self.about_path(),
                                         "tag": "/tag/tides.html", "listing": "/index2.html"},
                         link_format=LINK,
                         theme_phrases=("Proudly powered by", "Published:", "Published", "By", "tags:",
                                        "Tags:", "Category:", "Harbour notes"))

    def write_sources(self, src: Path, base_url: str) -> None:
        content = src / "content"
        (content / "pages").mkdir(parents=True, exist_ok=True)
        (content / "images").mkdir(exist_ok=True)
        for post in POSTS:
            (content / f"{post.slug}.md").write_text(source(post), encoding="utf-8")
        (content / "pages" / "about.md").write_text(
            f"Title: {ABOUT_TITLE}\nSlug: about\n\n{ABOUT_BODY}", encoding="utf-8")
        for name, data in IMAGES.items():
            (content / "images" / name).write_bytes(data)
        (src / "pelicanconf.py").write_text(SETTINGS.format(
            site_url=base_url.rstrip("/"), output=str(src.parent / "public"), theme=self.theme))

    def build_command(self, src: Path, out: Path) -> list[str]:
        return [sys.executable, "-m", "pelican", "--fatal", "errors", "-s", str(src / "pelicanconf.py"),
                "-o", str(out), str(src / "content")]

    def post_path(self, post: Post) -> str:
        return f"/{post.slug}.html"

    def about_path(self) -> str:
        return "/pages/about.html"

    def shown_categories(self, post: Post) -> tuple[str, ...]:
        return post.categories[:1]


def adapters() -> list[Adapter]:
    return [Pelican("notmyidea"), Pelican("simple")]
