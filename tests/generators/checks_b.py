"""What every engine's crawled blog must show, as functions that list the problems they find.

Each check takes the built site (its adapter says what the theme exposes) and the archive's posts,
and returns readable problems: the URL, what was expected, what the archive holds, and for the
failures of detection and metadata a short excerpt of the generated page (:func:`evidence`), so a
failing test says why without opening the site. An empty list is a pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

import lxml.html
from markdown_it import MarkdownIt

from bench.extraction import match, prf
from bench.structure import html_items, markdown_items, recall
from tests.generators.content import Post, body_for, expected_text
from tests.generators.site_node import Archived, Built, page_file, post_urls
from tests.wordpress.crawls import normal

SCORE = 0.98
STRUCTURE = ("heading", "list item", "quote", "table cell", "code")
_RENDER = MarkdownIt("commonmark").enable("table")


def same_page(url: str) -> str:
    """A URL as the page it names: ``.../index.html`` and ``.../`` are one page, query dropped."""
    path = unquote(urlsplit(url).path)
    return path.removesuffix("index.html") or "/"


def once(built: Built, archived: dict[str, Archived]) -> list[str]:
    """Every known post archived, under one URL, in one version."""
    by_page: dict[str, list[Archived]] = {}
    for copy in archived.values():
        by_page.setdefault(same_page(copy.url), []).append(copy)
    problems = []
    for url, post in post_urls(built).items():
        found = by_page.get(same_page(url), [])
        if not found:
            problems.append(f"{url} ({post.title!r}) not archived as a post\n{evidence(built, url)}")
        elif len(found) > 1 or found[0].versions != 1:
            problems.append(f"{url} archived {sum(p.versions for p in found)} times: "
                            f"{[p.url for p in found]}")
    return problems


def not_posts(built: Built, archived: dict[str, Archived]) -> list[str]:
    """No page other than the known posts in the catalog (About, listings, taxonomies, 404...)."""
    posts = {same_page(url) for url in post_urls(built)}
    return [f"{post.url} archived as a post (title {post.title!r})\n{evidence(built, post.url)}"
            for post in archived.values() if same_page(post.url) not in posts]


def fetched(built: Built, requests: Iterable[dict[str, object]], paths: Iterable[str]) -> list[str]:
    """The crawl asked for these pages (so "not archived as a post" was decided, not skipped)."""
    seen = {same_page(str(r["uri"])) for r in requests if r.get("status") == 200}
    return [f"{built.base_url.rstrip('/')}{path} never fetched" for path in paths
            if same_page(path) not in seen]


def _each(built: Built, archived: dict[str, Archived]) -> Iterable[tuple[str, Post, Archived]]:
    """Known posts the archive holds (the missing ones are ``once``'s to report)."""
    by_page = {same_page(p.url): p for p in archived.values()}
    for url, post in post_urls(built).items():
        if (found := by_page.get(same_page(url))) is not None:
            yield url, post, found


def titles(built: Built, archived: dict[str, Archived]) -> list[str]:
    return [f"{url}: title {got.title!r}, expected {post.title!r}\n{evidence(built, url)}"
            for url, post, got in _each(built, archived) if got.title != post.title]


def dates(built: Built, archived: dict[str, Archived]) -> list[str]:
    """The date as the theme exposes it: with the source's offset, as a UTC instant, or a day."""
    problems = []
    exposes = built.adapter.exposes.date
    for url, post, got in _each(built, archived):
        if got.published is None:
            problems.append(f"{url}: no published date, expected {_wanted(built, post)}\n"
                            f"{evidence(built, url)}")
        elif not _date_ok(exposes, built, post, got.published):
            problems.append(f"{url}: published {got.published.isoformat()}, expected "
                            f"{_wanted(built, post)}\n{evidence(built, url)}")
    return problems


def _wanted(built: Built, post: Post) -> str:
    exposes = built.adapter.exposes.date
    if exposes == "offset":
        return f"{post.date.isoformat()} (the page declares this offset)"
    if exposes == "utc":
        return f"the instant {post.date.astimezone(UTC).isoformat()} (the page declares UTC only)"
    return f"the day {built.adapter.shown_day(post)} (the page shows a day, no time)"


def _date_ok(exposes: str, built: Built, post: Post, got: datetime) -> bool:
    if got.tzinfo is None:
        return exposes == "day" and got.date() == built.adapter.shown_day(post)
    if exposes == "offset":
        return got == post.date and got.utcoffset() == post.date.utcoffset()
    if exposes == "utc":
        return got == post.date
    return got == post.date or got.date() == built.adapter.shown_day(post)


def authors(built: Built, archived: dict[str, Archived]) -> list[str]:
    """The author the page shows or declares; where it names none, no invented one (the post's
    real author, or the author the feed declares for every entry, are not inventions)."""
    problems = []
    for url, post, got in _each(built, archived):
        wanted = built.adapter.shown_author(post)
        if wanted is not None and got.author != wanted:
            problems.append(f"{url}: author {got.author!r}, expected {wanted!r}\n{evidence(built, url)}")
        elif wanted is None and got.author not in {None, post.author, *built.adapter.feed_authors}:
            problems.append(f"{url}: author {got.author!r}, but the page names none\n"
                            f"{evidence(built, url)}")
    return problems


def taxonomy(built: Built, archived: dict[str, Archived]) -> list[str]:
    """Categories and tags as the post page shows them (order aside)."""
    problems = []
    for url, post, got in _each(built, archived):
        for kind, wanted, found in (("categories", built.adapter.shown_categories(post), got.categories),
                                    ("tags", built.adapter.shown_tags(post), got.tags)):
            if sorted(found) != sorted(wanted):
                problems.append(f"{url}: {kind} {list(found)}, the page shows {list(wanted)}\n"
                                f"{evidence(built, url)}")
    return problems


def scores(built: Built, archived: dict[str, Archived]) -> list[str]:
    """Body recall and precision against the source text, as ``bench/extraction.py`` scores them."""
    problems = []
    for url, post, got in _each(built, archived):
        precision, recall_, _ = prf(match(expected_text(post), normal(got.text), 4))
        if precision < SCORE or recall_ < SCORE:
            problems.append(f"{url}: precision {precision:.3f}, recall {recall_:.3f} (< {SCORE})\n"
                            f"  expected: {expected_text(post)[:300]!r}\n"
                            f"  archived: {normal(got.text)[:300]!r}")
    return problems


def theme_text(built: Built, archived: dict[str, Archived]) -> list[str]:
    """No text of the theme (header, footer, navigation, bylines, share links) in the body."""
    problems = []
    for url, post, got in _each(built, archived):
        body, text = normal(expected_text(post)), normal(got.text)
        lines = {line.strip() for line in got.text.splitlines()}
        for phrase in sorted(chrome(built, url) | set(built.adapter.theme_phrases)):
            if phrase in body:
                continue
            if (" " in phrase and phrase in text) or phrase in lines:
                problems.append(f"{url}: theme text {phrase!r} in the body")
    return problems


def chrome(built: Built, url: str) -> set[str]:
    """Text of the post page's header, footer, navigation, asides and meta blocks, block by block."""
    root = _page(built, url)
    if root is None:
        return set()
    found = set()
    selector = ("header, footer, nav, aside, address, [class*=meta], [class*=footer], [class*=nav], "
                "[class*=share], [class*=tag], [class*=categor], [class*=facts], [class*=post-info]")
    for block in root.cssselect(selector):
        for piece in block.itertext():
            phrase = normal(piece)
            if len(phrase) > 2 and not phrase.isdigit():
                found.add(phrase)
    return found


def line_numbers(built: Built, archived: dict[str, Archived]) -> list[str]:
    """No code-block gutter: runs of lines "1", "2", "3"... in the text or the Markdown."""
    problems = []
    for url, _post, got in _each(built, archived):
        for name, value in (("text", got.text), ("markdown", got.markdown)):
            if run := _numbered_run(value):
                problems.append(f"{url}: line numbers in the {name}: {run!r}")
    return problems


def _numbered_run(value: str) -> str:
    lines = [line.strip() for line in value.splitlines()]
    for start, line in enumerate(lines):
        if line == "1" and start + 1 < len(lines) and lines[start + 1] == "2":
            return "\n".join(lines[start:start + 4])
    return "1 2 3" if re.search(r"(?<![\w.])1 2 3(?![\w.])", value) else ""


def structure(built: Built, archived: dict[str, Archived]) -> list[str]:
    """The Markdown keeps the source's headings, list items, quotes, table cells and code."""
    problems = []
    for url, post, got in _each(built, archived):
        source = _RENDER.render(body_for(post, built.adapter.link_format))
        found = recall([i for i in html_items(source, url) if i.kind in STRUCTURE],
                       markdown_items(got.markdown, url))
        for kind, items in found.missed.items():
            problems.append(f"{url}: {kind} missing from the Markdown: {[i.key for i in items]}")
    return problems


def _page(built: Built, url: str) -> lxml.html.HtmlElement | None:
    path = page_file(built.out, unquote(urlsplit(url).path))
    if not path.is_file():
        return None
    return lxml.html.fromstring(path.read_bytes())


def evidence(built: Built, url: str) -> str:
    """The generated page's signals, in a few lines: what a detector or metadata reader sees."""
    root = _page(built, url)
    if root is None:
        return f"  (no file for {url} in the build)"
    body = root.find("body")
    metas = [f'{m.get("property") or m.get("name")}={m.get("content")!r}' for m in root.iter("meta")
             if (m.get("property") or m.get("name") or "").startswith(("og:type", "article:", "author"))]
    ld = [json.loads(s.text_content()).get("@type", "?") for s in root.iter("script")
          if s.get("type") == "application/ld+json"]
    times = [_outer(t) for t in root.iter("time", "abbr")][:2]
    bylines = [_outer(e) for e in root.cssselect(
        '[rel~=author], .author, address, .byline, [itemprop=author]')][:2]
    chrome_links = {a for block in root.cssselect("nav, aside, #banner, #sidebar, .widget")
                    for a in block.iter("a")}
    links = [_outer(a) for a in root.iter("a") if a not in chrome_links and (
        a.get("rel") == "tag" or re.search(r"/(tags?|categor(y|ies))/", a.get("href") or ""))][:4]
    heading = next((_outer(h) for h in root.iter("h1", "h2") if (h.text_content() or "").strip()
                    and h.getparent() is not None and h.getparent().tag != "hgroup"), None)
    lines = [f"<title>: {root.findtext('.//title')!r}, first heading: {heading}",
             f"body class={body.get('class') if body is not None else None!r}",
             f"<article>: {len(root.findall('.//article'))}, h-entry: "
             f"{len(root.cssselect('.h-entry'))}, itemtype: "
             f"{[e.get('itemtype') for e in root.cssselect('[itemtype]')][:2]}",
             f"meta: {metas}", f"JSON-LD @type: {ld}", f"dates: {times}", f"bylines: {bylines}",
             f"taxonomy links: {links}"]
    return "\n".join("  " + line for line in lines)


def _outer(el: lxml.html.HtmlElement, limit: int = 160) -> str:
    copy = lxml.html.fromstring(lxml.html.tostring(el, encoding="unicode", with_tail=False))
    markup = re.sub(r"\s+", " ", lxml.html.tostring(copy, encoding="unicode"))
    return markup if len(markup) <= limit else markup[:limit] + "..."
