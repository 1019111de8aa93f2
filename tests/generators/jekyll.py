"""Jekyll (Debian's ``jekyll`` 4.3) building the known blog with minima and the usual plugins.

Everything comes from Debian: the ``minima`` theme gem, ``jekyll-feed`` (Atom ``/feed.xml``),
``jekyll-seo-tag`` (Open Graph and JSON-LD), ``jekyll-sitemap``, ``jekyll-paginate`` (two posts a
page) and ``jekyll-archives`` (tag, category, year and month pages). The sources are what
``jekyll new`` and those plugins' READMEs give a user: ``_posts/YYYY-MM-DD-slug.md`` with front
matter, ``about.md`` on minima's ``page`` layout, an ``index.html`` that loops over the paginator
(minima 2.5's ``home`` layout lists ``site.posts`` and cannot paginate, so jekyll-paginate's own
instructions replace it) and the ``archive`` layout jekyll-archives asks the site to provide.
Permalinks are Jekyll's default, ``/:categories/:year/:month/:day/:title:output_ext``.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from tests.generators.content import ABOUT_BODY, ABOUT_TITLE, IMAGES, POSTS, Post, body_for
from tests.generators.site import Engine, Exposes

# Jekyll shows every date in the site's time zone (the machine's when unset): the page keeps the
# instant, not the offset written in the front matter. Set, so the build does not depend on the machine.
TIMEZONE = "Europe/Paris"
CONFIG = """title: Harbour notes
description: Notes from one harbour, kept by two people with notebooks.
url: {base}
baseurl: ""
timezone: {timezone}
theme: minima
plugins:
  - jekyll-feed
  - jekyll-seo-tag
  - jekyll-sitemap
  - jekyll-paginate
  - jekyll-archives
paginate: 2
paginate_path: "/page:num/"
header_pages:
  - about.md
jekyll-archives:
  enabled: [year, month, categories, tags]
  layout: archive
"""

INDEX = """---
layout: default
---
<div class="home">
  <ul class="post-list">
    {%- for post in paginator.posts -%}
    <li>
      <span class="post-meta">{{ post.date | date: "%b %-d, %Y" }}</span>
      <h3><a class="post-link" href="{{ post.url | relative_url }}">{{ post.title | escape }}</a></h3>
      {{ post.excerpt }}
    </li>
    {%- endfor -%}
  </ul>
  <div class="pagination">
    {%- if paginator.previous_page -%}
    <a href="{{ paginator.previous_page_path | relative_url }}" class="previous">Previous</a>
    {%- endif -%}
    <span class="page_number">Page {{ paginator.page }} of {{ paginator.total_pages }}</span>
    {%- if paginator.next_page -%}
    <a href="{{ paginator.next_page_path | relative_url }}" class="next">Next</a>
    {%- endif -%}
  </div>
</div>
"""

# ``jekyll new`` writes this page; static hosts answer a missing URL with it.
NOT_FOUND = """---
permalink: /404.html
layout: default
---

<div class="container">
  <h1>404</h1>

  <p><strong>Page not found :(</strong></p>
  <p>The requested page could not be found.</p>
</div>
"""

ARCHIVE_LAYOUT = """---
layout: default
---
<div class="home">
  {%- if page.title -%}
  <h1 class="page-heading">{{ page.type | capitalize }}: {{ page.title }}</h1>
  {%- else -%}
  <h1 class="page-heading">{{ page.date | date: "%B %Y" }}</h1>
  {%- endif -%}
  <ul class="post-list">
    {%- for post in page.posts -%}
    <li>
      <span class="post-meta">{{ post.date | date: "%b %-d, %Y" }}</span>
      <h3><a class="post-link" href="{{ post.url | relative_url }}">{{ post.title | escape }}</a></h3>
    </li>
    {%- endfor -%}
  </ul>
</div>
"""


def front_matter(fields: Mapping[str, object]) -> str:
    """YAML front matter; JSON values are valid YAML and quote every string safely."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


def site_date(post: Post) -> datetime:
    """The post's date as Jekyll shows and declares it: the same instant, in the site's zone."""
    return post.date.astimezone(ZoneInfo(TIMEZONE))


def post_path(post: Post) -> str:
    """Jekyll's default permalink: categories lower-cased (not slugified), then the site's date."""
    categories = "/".join(quote(c.lower()) for c in post.categories)
    return f"/{categories}/{site_date(post):%Y/%m/%d}/{post.slug}.html"


def source_name(post: Post) -> str:
    return f"{post.date:%Y-%m-%d}-{post.slug}"


def post_source(post: Post) -> str:
    fields = {"layout": "post", "title": post.title, "date": post.date.strftime("%Y-%m-%d %H:%M:%S %z"),
              "author": post.author, "categories": list(post.categories), "tags": list(post.tags)}
    body = body_for(post, "@@{slug}@@")
    for other in POSTS:  # Jekyll's own link to a post: ``{% post_url YYYY-MM-DD-slug %}``
        body = body.replace(f"@@{other.slug}@@", "{% post_url " + source_name(other) + " %}")
    return front_matter(fields) + "\n" + body


def write_sources(root: Path, base_url: str) -> None:
    """The Jekyll site as a user would keep it."""
    for folder in ("_posts", "_layouts", "images"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(CONFIG.format(base=json.dumps(base_url.rstrip("/")), timezone=TIMEZONE))
    for post in POSTS:
        (root / "_posts" / f"{source_name(post)}.md").write_text(post_source(post), encoding="utf-8")
    about = front_matter({"layout": "page", "title": ABOUT_TITLE, "permalink": "/about/"})
    (root / "about.md").write_text(about + "\n" + ABOUT_BODY, encoding="utf-8")
    (root / "index.html").write_text(INDEX, encoding="utf-8")
    (root / "404.html").write_text(NOT_FOUND, encoding="utf-8")
    (root / "_layouts" / "archive.html").write_text(ARCHIVE_LAYOUT, encoding="utf-8")
    for name, data in IMAGES.items():
        (root / "images" / name).write_bytes(data)


def build(source: Path, output: Path, base_url: str) -> str:
    """Write the sources and run the real ``jekyll build``; returns Jekyll's version line."""
    write_sources(source, base_url)
    # JEKYLL_ENV=production is how a site is built for deployment (and what GitHub Pages sets).
    env = {**os.environ, "JEKYLL_ENV": "production", "LANG": "C.UTF-8"}
    command = ["jekyll", "build", "--source", str(source), "--destination", str(output)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, check=False)
    assert result.returncode == 0, f"jekyll failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    version = subprocess.run(["jekyll", "--version"], capture_output=True, text=True, check=True)
    return version.stdout.strip()


def term_path(kind: str, term: str) -> str:
    """jekyll-archives' ``/tag/:name/``: Jekyll's ``slugify`` (lower case, hyphens, ASCII kept)."""
    return f"/{kind}/{quote(term.lower().replace(' ', '-'))}/"


MINIMA = Engine(
    name="jekyll-minima",
    origin="Debian jekyll, jekyll-theme-minima, ruby-jekyll-feed, ruby-jekyll-seo-tag, "
           "ruby-jekyll-sitemap, ruby-jekyll-paginate, ruby-jekyll-archives",
    build=build, post_path=post_path, page_date=site_date,
    samples={"post": post_path(POSTS[1]), "about": "/about/", "tag": term_path("tag", POSTS[1].tags[0]),
             "listing": "/page2/"},
    chrome=("Harbour notes", ABOUT_TITLE, "Notes from one harbour", "subscribe"),
    exposes=Exposes(
        time=True, author=True, categories=False, tags=False,
        note="minima: <article class='post h-entry' itemtype=BlogPosting>, <time class='dt-published' "
             "datetime> and p-author h-card; jekyll-seo-tag adds og:type article, "
             "article:published_time and JSON-LD BlogPosting with author; no category or tag is "
             "shown or declared on the page (only the Atom feed lists them)"))

ENGINES = (MINIMA,)
