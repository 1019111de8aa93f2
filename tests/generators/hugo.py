"""Hugo (Debian's ``hugo``, 0.111) building the known blog with two popular themes.

The sources are what ``hugo new`` gives a user: ``content/posts/<slug>.md`` with YAML front matter
(title, date with its offset, author, categories, tags), ``content/about.md`` as a static page in the
main menu (the archetype writes a ``date`` into it too, which is why Hugo's built-in Open Graph
template calls it ``og:type`` article), images under ``static/images/``. Pagination (two posts a
page), the RSS feeds, ``sitemap.xml`` and the tag and category pages are Hugo's defaults.

Themes are vendored under ``tests/generators/themes/`` (see its README for the commits): Hugo themes
are not packaged by Debian, and both projects' current releases need a newer Hugo than Debian's.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from tests.generators.content import ABOUT_BODY, ABOUT_TITLE, IMAGES, POSTS, Post, body_for
from tests.generators.site import Engine, Exposes

THEMES_DIR = Path(__file__).resolve().parent / "themes"
# The newest commit of each theme that builds with Debian's Hugo 0.111 (themes/README.md).
THEME_SOURCES = {"ananke": ("theNewDynamic/gohugo-theme-ananke", "9a0a974089461e25f96aa7727e90452754d4388b"),
                 "papermod": ("adityatelange/hugo-PaperMod", "87df659c185b91ab09f8eb978b3aab5945b0f8b5")}
ABOUT_DATE = "2020-12-30T09:00:00+01:00"  # ``hugo new about.md`` writes the creation time

CONFIG = """baseURL = {base}
title = "Harbour notes"
languageCode = "en-us"
theme = {theme}
themesDir = {themes}
paginate = 2

[taxonomies]
  tag = "tags"
  category = "categories"

[markup.goldmark.renderer]
  unsafe = false
"""

# Each theme's own documented settings, nothing that changes what a post page shows.
THEME_CONFIG = {
    # The home page lists the ``posts`` section (Ananke's default is ``post``); ``env`` as its README
    # says for a deployed site (otherwise every page says ``robots: noindex, nofollow``).
    "ananke": '\n[params]\n  mainSections = ["posts"]\n  env = "production"\n',
    # PaperMod's README: with Hugo's own highlighting (Chroma) turn highlight.js off.
    "papermod": '\n[params]\n  ShowPostNavLinks = true\n  [params.assets]\n    disableHLJS = true\n',
}


def front_matter(fields: Mapping[str, object]) -> str:
    """YAML front matter; JSON values are valid YAML and quote every string safely."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


def post_source(post: Post) -> str:
    fields = {"title": post.title, "date": post.date.isoformat(), "author": post.author,
              "categories": list(post.categories), "tags": list(post.tags)}
    return front_matter(fields) + "\n" + body_for(post, "/posts/{slug}/")


def write_sources(root: Path, base_url: str, theme: str) -> None:
    """The Hugo site as a user would keep it: config, content, static images."""
    (root / "content" / "posts").mkdir(parents=True, exist_ok=True)
    (root / "static" / "images").mkdir(parents=True, exist_ok=True)
    config = CONFIG.format(base=json.dumps(base_url), theme=json.dumps(theme),
                           themes=json.dumps(str(THEMES_DIR)))
    (root / "hugo.toml").write_text(config + THEME_CONFIG[theme], encoding="utf-8")
    for post in POSTS:
        (root / "content" / "posts" / f"{post.slug}.md").write_text(post_source(post), encoding="utf-8")
    about = front_matter({"title": ABOUT_TITLE, "date": ABOUT_DATE, "draft": False, "menu": "main"})
    (root / "content" / "about.md").write_text(about + "\n" + ABOUT_BODY, encoding="utf-8")
    for name, data in IMAGES.items():
        (root / "static" / "images" / name).write_bytes(data)


def build(source: Path, output: Path, base_url: str, theme: str) -> str:
    """Write the sources and run the real ``hugo``; returns Hugo's version line."""
    write_sources(source, base_url, theme)
    command = ["hugo", "--source", str(source), "--destination", str(output), "--cleanDestinationDir"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"hugo failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    version = subprocess.run(["hugo", "version"], capture_output=True, text=True, check=True)
    return version.stdout.strip()


def slug(term: str) -> str:
    """Hugo's term URL: lower case, spaces as hyphens, other characters kept (percent-encoded)."""
    return quote(term.lower().replace(" ", "-"))


def engine(theme: str, exposes: Exposes, chrome: tuple[str, ...]) -> Engine:
    repository, commit = THEME_SOURCES[theme]
    return Engine(
        name=f"hugo-{theme}", exposes=exposes,
        origin=f"Debian hugo; theme {repository} at {commit}, vendored in tests/generators/themes/{theme}",
        build=lambda source, output, base: build(source, output, base, theme),
        post_path=lambda post: f"/posts/{post.slug}/", page_date=lambda post: post.date,
        samples={"post": f"/posts/{POSTS[1].slug}/", "about": "/about/",
                 "tag": f"/tags/{slug(POSTS[1].tags[0])}/", "listing": "/posts/page/2/"},
        chrome=("Harbour notes", ABOUT_TITLE, *chrome))


ANANKE = engine("ananke", Exposes(
    time=True, author=True, categories=False, tags=True,
    note="Ananke: the header shows 'By <strong>Author</strong>' and <time datetime> with the offset; "
         "tags as links under the body; categories not shown (the section title 'Posts' is shown "
         "above the title); Hugo's internal templates add og:type article, article:published_time, "
         "article:section 'posts' and itemprop keywords"),
    chrome=("\u00a9",))

PAPERMOD = engine("papermod", Exposes(
    time=True, author=True, categories=False, tags=True,
    note="PaperMod: post-meta shows the date as text and the author after a middle dot; the "
         "JSON-LD BlogPosting declares datePublished with the offset, author and keywords (tags); "
         "tags as links in the post footer; categories not shown"),
    chrome=("\u00ab Prev", "Next \u00bb", "Powered by", "PaperMod", "\u00a9"))

ENGINES = (ANANKE, PAPERMOD)
