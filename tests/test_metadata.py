"""Author, categories, tags and date on any engine (issue 18 point 5), on real generator output.

``tests/fixtures/engines/meta-*/`` hold the known blog (``tests/generators/content.py``) as Hugo
(its starter theme, Doks), Jekyll (minima + jekyll-seo-tag), Pelican (notmyidea, simple), Hexo
(landscape), the Eleventy base blog built it, and as Ghost, Blogger, Substack and Medium serve it
(hand-made from their markup): see each folder's README and ``meta-build/``. The truth is the
post's front matter, as far as the page shows it: ``SHOWS`` says, per engine, what its pages show
(Hugo's starter theme shows no categories; Pelican has one category per post; Hexo's landscape names only the
site's author and writes UTC; Jekyll writes the site's zone...). The rules themselves are tested
below on small pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from archive.extract import extract_post
from tests.generators.content import POSTS, Post
from tests.generators.hugo import ABOUT_DATE, term_title

ENGINES = Path(__file__).parent / "fixtures" / "engines"
SITE_AUTHOR = "Harbour Keeper"  # the site owner in each generator's configuration (meta-build)
KOLKATA = timezone(timedelta(hours=5, minutes=30))

Field = Callable[[Post], object]


def _all_terms(p: Post) -> tuple[str, ...]:
    """Platforms with tags only (Ghost, Medium, Blogger labels): categories become tags."""
    return (*p.categories, *p.tags)


def _none(p: Post) -> tuple[str, ...]:
    return ()


def _in_zone(zone: timezone | ZoneInfo) -> Field:
    return lambda p: p.date.astimezone(zone)


@dataclass(frozen=True)
class Shows:
    """What an engine's post page shows of the post: the metadata extraction must find."""

    author: Field = field(default=lambda p: p.author)
    categories: Field = field(default=lambda p: p.categories)
    tags: Field = field(default=lambda p: p.tags)
    published: Field = field(default=lambda p: p.date)  # with the offset the page states


SHOWS = {
    # Hugo's starter theme: no author, no categories; tags as their pages' titles ("Intro").
    "hugo-starter": Shows(author=lambda p: None, categories=_none,
                          tags=lambda p: tuple(map(term_title, p.tags))),
    # Doks: "Posted in <a>Category</a> on <day> by <a>Author</a>" (its JSON-LD names its own
    # author on every post); article:published_time with the offset.
    "hugo-doks": Shows(),
    # Hugo: the section "posts" is article:section on every page; these themes link tags only.
    # minima shows no taxonomy; Jekyll writes every date in the site's `timezone`.
    "jekyll-minima": Shows(categories=_none, tags=_none, published=_in_zone(KOLKATA)),
    "pelican-notmyidea": Shows(categories=lambda p: p.categories[:1]),
    "pelican-simple": Shows(categories=lambda p: p.categories[:1]),
    # landscape: only `article:author` (the site's author); tags sorted; `<time>` in UTC, and the
    # local wall-clock time in its text when `date_format` has one.
    "hexo-landscape": Shows(author=lambda p: SITE_AUTHOR, tags=lambda p: tuple(sorted(p.tags)),
                            published=_in_zone(UTC)),
    "hexo-landscape-clock": Shows(author=lambda p: SITE_AUTHOR, tags=lambda p: tuple(sorted(p.tags)),
                                  published=_in_zone(KOLKATA)),
    # The base blog v5 (npm's eleventy-base-blog) shows no author and no taxonomy on a post, and
    # the UTC day only: a date without time or zone.
    "eleventy-base-blog": Shows(
        author=lambda p: None, categories=_none, tags=_none,
        published=lambda p: datetime.combine(p.date.astimezone(UTC).date(), time())),
    "ghost-casper": Shows(categories=_none, tags=_all_terms, published=_in_zone(UTC)),
    "blogger-simple": Shows(categories=_none,
                            tags=lambda p: tuple(sorted(_all_terms(p), key=str.casefold)),
                            published=_in_zone(ZoneInfo("America/Los_Angeles"))),
    "substack": Shows(categories=_none, tags=_none, published=_in_zone(UTC)),
    "medium": Shows(categories=_none, tags=_all_terms, published=_in_zone(UTC)),
}
CASES = [(engine, post.slug) for engine in SHOWS for post in POSTS]


def _extract(engine: str, name: str) -> dict[str, object]:
    folder = ENGINES / f"meta-{engine}"
    urls = json.loads((folder / "pages.json").read_text(encoding="utf-8"))
    return extract_post((folder / name).read_bytes(), urls[name]).to_dict()


def test_every_engine_has_its_fixture() -> None:
    found = {p.name.removeprefix("meta-") for p in ENGINES.glob("meta-*") if p.name != "meta-build"}
    assert found == set(SHOWS)
    for engine in SHOWS:
        assert (ENGINES / f"meta-{engine}" / "README.md").read_text().count("command:") == 1


@pytest.mark.parametrize(("engine", "slug"), CASES)
def test_post_metadata(engine: str, slug: str) -> None:
    post = next(p for p in POSTS if p.slug == slug)
    shows = SHOWS[engine]
    got = _extract(engine, f"{slug}.html")
    published = shows.published(post)
    assert isinstance(published, datetime)
    assert (got["author"], got["categories"], got["tags"]) == (
        shows.author(post), list(shows.categories(post)), list(shows.tags(post)))
    assert got["published"] == published.isoformat()  # the same instant *and* the same offset


@pytest.mark.parametrize("engine", SHOWS)
def test_about_page_has_no_taxonomy_and_no_invented_date(engine: str) -> None:
    got = _extract(engine, "about.html")
    assert (got["categories"], got["tags"]) == ([], [])  # never a sidebar's tag cloud
    if engine.startswith("hugo"):  # the date `hugo new about.md` wrote, not an invented one
        assert got["published"] == ABOUT_DATE


# The rules, each on a small page written for it.

def _meta(body: str, head: str = "", url: str = "https://blog.example/2023/05/a-post/") -> dict[str, object]:
    page = f"<html lang='en'><head><title>A post</title>{head}</head><body>{body}</body></html>"
    return extract_post(page, url).to_dict()


_TEXT = "<p>" + "The water came in over the wall and the boats rode high on the tide. " * 4 + "</p>"


def test_byline_in_the_post_beats_the_site_wide_meta_author() -> None:
    got = _meta(f"<article><header><h1>A post</h1><p class='meta'>Posted by <a href='/about/'>Ada "
                f"Lovelace</a> on 3 May 2023</p></header>{_TEXT}</article>",
                head="<meta name='author' content='The Site Owner'>")
    assert got["author"] == "Ada Lovelace"


def test_meta_author_when_the_post_names_nobody() -> None:
    got = _meta(f"<article><h1>A post</h1>{_TEXT}</article>",
                head="<meta name='author' content='The Site Owner'>"
                     "<meta property='article:author' content='https://www.facebook.com/owner'>")
    assert got["author"] == "The Site Owner"


def test_article_author_url_is_not_a_name() -> None:
    got = _meta(f"<article>{_TEXT}</article>",
                head="<meta property='article:author' content='https://medium.com/@ada'>")
    assert got["author"] is None


@pytest.mark.parametrize("byline", [
    "<span class='p-author h-card'><img class='u-photo' src='/a.png' alt=''>"
    "<span class='p-name'>Ada Lovelace</span></span>",
    "<span itemprop='author' itemscope itemtype='https://schema.org/Person'>"
    "<span itemprop='name'>Ada Lovelace</span></span>",
    "<a rel='author' href='/people/ada/'>Ada Lovelace</a>",
    "<address>By <a href='/author/ada-lovelace.html'>Ada Lovelace</a></address>",
    "<p class='tracked'>By <strong>Ada Lovelace</strong></p>",
    "<div class='byline'>by Ada Lovelace · 3 min read</div>",
])
def test_author_from_the_post_markup(byline: str) -> None:
    got = _meta(f"<article class='h-entry'><header><h1>A post</h1>{byline}</header>{_TEXT}</article>")
    assert got["author"] == "Ada Lovelace"


def test_no_author_from_a_sentence_comments_or_the_site_header() -> None:
    got = _meta("<header class='site-header'><a class='site-title' rel='author' href='/'>Harbour "
                "Notes</a></header><article><h1>A post</h1><p>By noon the tide was out.</p>"
                f"{_TEXT}<div id='comments'><div class='comment'><span class='vcard'><cite class='fn'>"
                "Grace</cite></span><p>Lovely.</p></div></div></article>")
    assert got["author"] is None


def test_jsonld_authors_list_all_names() -> None:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "A post",
          "author": [{"@type": "Person", "name": "Ada Lovelace"},
                     {"@type": "Person", "name": "Grace Hopper"}]}
    got = _meta(f"<article>{_TEXT}</article>",
                head=f"<script type='application/ld+json'>{json.dumps(ld)}</script>")
    assert got["author"] == "Ada Lovelace, Grace Hopper"


def test_generator_section_is_not_a_category() -> None:
    head = "<meta property='article:section' content='posts'>"
    hugo = _meta(f"<article>{_TEXT}</article>", head, url="https://blog.example/posts/a-post/")
    listing = _meta(f"<nav><a href='/blog/'>Blog</a></nav><article>{_TEXT}</article>",
                    "<meta property='article:section' content='Blog'>")
    news = _meta(f"<article>{_TEXT}</article>", "<meta property='article:section' content='Gardening'>")
    linked = _meta(f"<article>{_TEXT}<p>Filed under <a href='/posts/'>posts</a></p></article>", head,
                   url="https://blog.example/posts/a-post/")
    assert (hugo["categories"], listing["categories"], news["categories"]) == ([], [], ["Gardening"])
    assert linked["categories"] == ["posts"]  # the page treats it as a category


def test_taxonomy_links_in_a_meta_line_not_in_a_sentence() -> None:
    got = _meta(f"<article>{_TEXT}<p>I wrote more about <a href='/tags/boats/'>boats</a> last "
                "year, when the harbour was rebuilt and the old slipway was finally closed.</p>"
                "<footer><ul><li><a href='/tags/tides/'>tides</a></li>"
                "<li><a href='/categories/field-notes/'>Field notes</a></li></ul></footer></article>"
                "<aside class='widget'><a href='/tags/winter/'>winter</a></aside>")
    assert (got["categories"], got["tags"]) == (["Field notes"], ["tides"])


def test_labelled_lists_name_their_terms() -> None:
    got = _meta(f"<article>{_TEXT}<div class='post-footer'><span>Tags:</span> <a href='/t?id=1'>tides"
                "</a>, <a href='/t?id=2'>boats</a></div><p>Categories: <a href='/c?id=3'>Notes</a></p>"
                "</article>")
    assert (got["categories"], got["tags"]) == (["Notes"], ["tides", "boats"])


def test_declared_tags_win_when_they_hold_every_visible_one_and_more() -> None:
    head = "".join(f"<meta property='article:tag' content='{t}'>" for t in ("Notes", "tides", "boats"))
    ghost = _meta(f"<article><a href='/tag/notes/'>Notes</a>{_TEXT}</article>", head)
    other = _meta(f"<article><p><a href='/tag/gulls/'>gulls</a></p>{_TEXT}</article>", head)
    assert (ghost["tags"], other["tags"]) == (["Notes", "tides", "boats"], ["gulls"])


@pytest.mark.parametrize(("head", "body", "published"), [
    # JSON-LD in UTC, the post's <time> with its offset: the same instant, the page's offset.
    ("<script type='application/ld+json'>{\"@type\": \"BlogPosting\", \"datePublished\": "
     "\"2023-12-24T10:35:00Z\"}</script>", "<time datetime='2023-12-24T16:05:00+05:30'>24 Dec</time>",
     "2023-12-24T16:05:00+05:30"),
    # A stamp without a zone and the same wall-clock time with one.
    ("<meta property='article:published_time' content='2023-12-24T16:05:00'>",
     "<time datetime='2023-12-24T16:05:00-08:00'>Dec 24</time>", "2023-12-24T16:05:00-08:00"),
    # Hexo: <time> in UTC showing the local time.
    ("", "<time datetime='2023-12-24T10:35:00.000Z'>2023-12-24 16:05</time>", "2023-12-24T16:05:00+05:30"),
    # Only UTC is known: UTC is the truth.
    ("", "<time datetime='2023-12-24T10:35:00.000Z'>2023-12-24</time>", "2023-12-24T10:35:00+00:00"),
    # A date alone stays that day, without a zone, never shifted.
    ("", "<time datetime='2023-12-24'>24 December 2023</time>", "2023-12-24T00:00:00"),
    # hAtom's abbr (Pelican notmyidea, Blogger) keeps its offset.
    ("", "<abbr class='published' title='2023-12-24T16:05:00+05:30'>Published: Sun 24 December 2023</abbr>",
     "2023-12-24T16:05:00+05:30"),
    # Hugo's zero date on a page without a date is no date.
    ("<meta property='article:published_time' content='0001-01-01T00:00:00+00:00'>", "", None),
])
def test_dates_keep_the_pages_own_offset(head: str, body: str, published: str | None) -> None:
    assert _meta(f"<article><h1>A post</h1>{body}{_TEXT}</article>", head)["published"] == published
