"""Eleventy (npm) building a blog in the style of its official starter, eleventy-base-blog.

The site's templates are ``tests/generators/starters/eleventy-blog/`` (see its README): posts in
``content/blog/`` join the ``posts`` collection through the folder's data file, so the front matter
carries the title, the date with its offset, the author and the post's tags. The About page is
``content/about.md`` in the site navigation, as in the starter.

What the post page exposes, as in the starter: the title in ``<h1>``, the day in UTC in
``<time datetime="YYYY-MM-DD">`` (no time, no offset: a post written at 07:30 in Tokyo shows the
day before), the tags as links. No author (only the feed names the site's author), no
categories, no ``<article>``, no ``og:type``, no JSON-LD.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date
from pathlib import Path

from tests.generators.content import ABOUT_BODY, ABOUT_TITLE, IMAGES, POSTS, Post, body_for
from tests.generators.site_node import NODE_MODULES, Adapter, Exposes, node_tool

STARTER = Path(__file__).resolve().parent / "starters" / "eleventy-blog"
SITE_AUTHOR = "Sam Harbour"


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string


def source(post: Post) -> str:
    """A post with Eleventy's YAML front matter; ``posts`` comes from the folder's data file."""
    tags = "".join(f"  - {_yaml(name)}\n" for name in post.tags)
    return (f"---\ntitle: {_yaml(post.title)}\ndate: {post.date.isoformat()}\n"
            f"author: {_yaml(post.author)}\ntags:\n{tags}---\n"
            + body_for(post, "/blog/{slug}/"))


class Eleventy(Adapter):
    def __init__(self) -> None:
        super().__init__("eleventy", "base-blog", Exposes(date="day", author=False, categories=False,
                                                          tags=True),
                         snapshot_paths={"post": self.post_path(POSTS[1]), "about": self.about_path(),
                                         "tag": "/tags/tides/", "listing": "/blog/2/"},
                         link_format="/blog/{slug}/", feed_authors=(SITE_AUTHOR,),
                         theme_phrases=("Skip to the content", "Older:", "Newer:", "is made with Eleventy",
                                        "Harbour notes"))

    def write_sources(self, src: Path, base_url: str) -> None:
        shutil.copytree(STARTER, src, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
        (src / "_data").mkdir(exist_ok=True)
        (src / "_data" / "metadata.json").write_text(json.dumps(
            {"title": "Harbour notes", "url": base_url, "language": "en",
             "description": "One harbour, two notebooks.", "author": {"name": SITE_AUTHOR}}))
        (src / "package.json").write_text(json.dumps({"name": "harbour-notes", "private": True,
                                                      "type": "module"}))
        for post in POSTS:
            (src / "content" / "blog" / f"{post.slug}.md").write_text(source(post), encoding="utf-8")
        (src / "content" / "about.md").write_text(
            f"---\ntitle: {_yaml(ABOUT_TITLE)}\neleventyNavigation:\n  key: About\n  order: 3\n---\n"
            f"{ABOUT_BODY}", encoding="utf-8")
        images = src / "public" / "images"
        images.mkdir(parents=True, exist_ok=True)
        for name, data in IMAGES.items():
            (images / name).write_bytes(data)
        link = src / "node_modules"
        if not link.exists():
            link.symlink_to(NODE_MODULES, target_is_directory=True)

    def build_command(self, src: Path, out: Path) -> list[str]:
        return ["node", str(node_tool("@11ty", "eleventy", "cmd.cjs")), f"--output={out}", "--quiet"]

    def post_path(self, post: Post) -> str:
        return f"/blog/{post.slug}/"

    def about_path(self) -> str:
        return "/about/"

    def shown_day(self, post: Post) -> date:
        return post.date.astimezone(UTC).date()


def adapters() -> list[Adapter]:
    return [Eleventy()]
