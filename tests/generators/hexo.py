"""Hexo (npm) with its default theme landscape, hexo-generator-feed and hexo-generator-sitemap.

The site is what ``hexo init`` scaffolds, with the plugins a blog adds for its feed and sitemap:
``_config.yml`` with Hexo's own defaults spelled out (permalink ``:year/:month/:day/:title/``,
highlight.js with line numbers, two posts a page), posts in ``source/_posts`` with YAML front
matter, the About page at ``source/about/index.md``, images under ``source/images``. Links between
posts use Hexo's ``{% post_path %}`` tag. Two categories are written as Hexo's list of lists (a
plain list would make the second a child of the first).

What landscape's post page exposes: ``<time class="dt-published" datetime=...>`` from Hexo's
``date_xml`` helper and ``article:published_time``, both the instant in UTC (``...Z``): the source's
offset is not on the page. No per-post author: the ``open_graph`` helper writes the site's author
(``_config.yml`` ``author``) into ``article:author`` on every post. Categories and tags as links.
"""

from __future__ import annotations

import json
from datetime import UTC, date
from pathlib import Path

from tests.generators.content import ABOUT_BODY, ABOUT_TITLE, IMAGES, POSTS, Post, body_for
from tests.generators.site_node import NODE_MODULES, Adapter, Exposes, node_tool

SITE_AUTHOR = "Sam Harbour"  # the blog's owner in _config.yml, as Hexo sites set it
LINK = "{{% post_path {slug} %}}"  # Hexo's own tag for another post's URL
CONFIG = """\
title: Harbour notes
subtitle: ''
description: ''
author: {author}
language: en
timezone: ''
url: {url}
permalink: :year/:month/:day/:title/
source_dir: source
public_dir: ../public
tag_dir: tags
archive_dir: archives
category_dir: categories
new_post_name: :title.md
default_layout: post
titlecase: false
render_drafts: false
post_asset_folder: false
relative_link: false
future: true
syntax_highlighter: highlight.js
highlight:
  line_number: true
  auto_detect: false
  tab_replace: ''
  wrap: true
  hljs: false
prismjs:
  preprocess: true
  line_number: true
  tab_replace: ''
index_generator:
  path: ''
  per_page: 2
  order_by: -date
default_category: uncategorized
date_format: YYYY-MM-DD
time_format: HH:mm:ss
updated_option: date
per_page: 2
pagination_dir: page
theme: landscape
feed:
  type: atom
  path: atom.xml
  limit: 20
sitemap:
  path: sitemap.xml
"""


ABOUT_DATE = "2021-01-02 12:00:00"  # `hexo new page about` writes the date it was made


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string


def source(post: Post) -> str:
    """A post with Hexo's YAML front matter; each category its own one-item list."""
    categories = "".join(f"  - [{_yaml(name)}]\n" for name in post.categories)
    tags = "".join(f"  - {_yaml(name)}\n" for name in post.tags)
    return (f"---\ntitle: {_yaml(post.title)}\ndate: {post.date.isoformat()}\n"
            f"author: {_yaml(post.author)}\ncategories:\n{categories}tags:\n{tags}---\n"
            + body_for(post, LINK))


class Hexo(Adapter):
    def __init__(self) -> None:
        super().__init__("hexo", "landscape", Exposes(date="utc", author=False, categories=True, tags=True),
                         snapshot_paths={"post": self.post_path(POSTS[1]), "about": self.about_path(),
                                         "tag": "/tags/tides/", "listing": "/page/2/"},
                         link_format=LINK, feed_authors=(SITE_AUTHOR,),
                         theme_phrases=("Share", "Newer", "Older", "Categories", "Tags", "Tag Cloud",
                                        "Archives", "Recent Posts", "Powered by Hexo", "Harbour notes"))

    def write_sources(self, src: Path, base_url: str) -> None:
        posts, images = src / "source" / "_posts", src / "source" / "images"
        posts.mkdir(parents=True, exist_ok=True)
        images.mkdir(parents=True, exist_ok=True)
        (src / "source" / "about").mkdir(exist_ok=True)
        for post in POSTS:
            (posts / f"{post.slug}.md").write_text(source(post), encoding="utf-8")
        (src / "source" / "about" / "index.md").write_text(
            f"---\ntitle: {_yaml(ABOUT_TITLE)}\ndate: {ABOUT_DATE}\nlayout: page\n---\n{ABOUT_BODY}",
            encoding="utf-8")
        for name, data in IMAGES.items():
            (images / name).write_bytes(data)
        (src / "_config.yml").write_text(CONFIG.format(author=SITE_AUTHOR, url=base_url.rstrip("/")),
                                         encoding="utf-8")
        # Hexo loads the plugins its site's package.json lists, from the site's node_modules.
        installed = json.loads((NODE_MODULES.parent / "package.json").read_text())
        (src / "package.json").write_text(json.dumps(
            {"name": "harbour-notes", "private": True, "hexo": {"version": "8.1.2"},
             "dependencies": installed["dependencies"]}, indent=1))
        link = src / "node_modules"
        if not link.exists():
            link.symlink_to(NODE_MODULES, target_is_directory=True)

    def build_command(self, src: Path, out: Path) -> list[str]:
        return ["node", str(node_tool("hexo", "bin", "hexo")), "generate", "--silent"]

    def post_path(self, post: Post) -> str:
        """Hexo fills the permalink's date in the site's time zone (UTC here)."""
        day = post.date.astimezone(UTC)
        return f"/{day:%Y/%m/%d}/{post.slug}/"

    def about_path(self) -> str:
        return "/about/"

    def shown_author(self, post: Post) -> str | None:
        """landscape names no author on the page; ``open_graph`` declares the site's."""
        return SITE_AUTHOR

    def shown_day(self, post: Post) -> date:
        return post.date.astimezone(UTC).date()


def adapters() -> list[Adapter]:
    return [Hexo()]
