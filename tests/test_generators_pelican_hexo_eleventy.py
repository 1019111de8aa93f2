"""Blogs built by real generators, crawled as a user would (issue 18, point 2): Pelican with its
built-in themes notmyidea and simple, Hexo with landscape, an Eleventy blog in the style of its
official starter.

Each builds the known blog of ``tests/generators/content.py`` (``tests/generators/<engine>.py``
writes its sources), nginx serves the output on 127.0.0.1, the real ``scrapy crawl blog`` archives
it, and every expectation is read from the source and from what the theme's post page exposes
(each adapter says: date with its offset, in UTC or as a day; author; categories; tags). One build
and one crawl per theme per session; ``-s`` or the terminal shows their times. Generators come from
``make test``: Pelican in the venv (``test`` extra), Hexo and Eleventy from
``tests/generators/install.sh``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.generators import checks_b
from tests.generators.content import POSTS
from tests.generators.eleventy import adapters as eleventy_adapters
from tests.generators.hexo import adapters as hexo_adapters
from tests.generators.pelican import adapters as pelican_adapters
from tests.generators.site_node import Adapter, Archived, Built, Result, build_serve_crawl, page_file

ADAPTERS = {a.key: a for a in [*pelican_adapters(), *hexo_adapters(), *eleventy_adapters()]}
Check = Callable[[Built, dict[str, Archived]], list[str]]


def say(request: pytest.FixtureRequest, line: str) -> None:
    """Show a timing line even while pytest captures output."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"[generators] {line}")


@pytest.fixture(scope="session", params=list(ADAPTERS))
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Result:
    adapter: Adapter = ADAPTERS[request.param]
    result = build_serve_crawl(adapter, tmp_path_factory.mktemp(adapter.key))
    say(request, f"{adapter.key}: build {result.built.seconds}s, crawl {result.crawl.seconds}s, "
                 f"{len(result.crawl.run.requests)} requests, {len(result.archived)} posts archived")
    return result


def failing(check: Check, site: Result, evidence: int = 3) -> str:
    """The problems, the first few with their page's evidence, the rest on one line each."""
    problems = check(site.built, site.archived)
    shown = problems[:evidence] + [problem.splitlines()[0] for problem in problems[evidence:]]
    return f"{site.built.adapter.key}: {len(problems)} problem(s)\n" + "\n".join(shown)


def something_archived(site: Result) -> None:
    assert site.archived, (f"{site.built.adapter.key}: nothing archived, nothing to check (crawl exit "
                           f"{site.crawl.run.returncode})")


def test_the_build_has_every_page_the_checks_name(site: Result) -> None:
    """The harness's own premise: each post, the About page and the snapshot pages exist where the
    adapter says, with the feed and the sitemap."""
    adapter, out = site.built.adapter, site.built.out
    paths = [adapter.post_path(p) for p in POSTS] + [adapter.about_path(), *adapter.snapshot_paths.values()]
    missing = [path for path in paths if not page_file(out, path).is_file()]
    assert not missing, missing
    assert (out / "sitemap.xml").is_file()
    assert any(out.rglob("*.xml")) and any("feed" in p.name or "atom" in p.name for p in out.rglob("*.xml"))


def test_every_post_archived_once(site: Result) -> None:
    problems = checks_b.once(site.built, site.archived)
    assert not problems, failing(checks_b.once, site)


def test_no_other_page_archived_as_a_post(site: Result) -> None:
    adapter = site.built.adapter
    unseen = checks_b.fetched(site.built, site.crawl.run.requests, ["/", adapter.about_path()])
    assert not unseen, unseen
    assert not checks_b.not_posts(site.built, site.archived), failing(checks_b.not_posts, site)


@pytest.mark.parametrize("check", [checks_b.titles, checks_b.dates, checks_b.authors, checks_b.taxonomy],
                         ids=["title", "date", "author", "categories-and-tags"])
def test_metadata(site: Result, check: Check) -> None:
    something_archived(site)
    assert not check(site.built, site.archived), failing(check, site)


@pytest.mark.parametrize("check", [checks_b.scores, checks_b.theme_text, checks_b.line_numbers,
                                   checks_b.structure],
                         ids=["recall-and-precision", "no-theme-text", "no-line-numbers",
                              "markdown-structure"])
def test_body(site: Result, check: Check) -> None:
    something_archived(site)
    assert not check(site.built, site.archived), failing(check, site)
