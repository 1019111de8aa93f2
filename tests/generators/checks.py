"""The checks every generated blog must pass, generic over the engine (``site.Engine``).

Each check returns the problems it found, never stops at the first: a failure lists every post
that is wrong, with what was expected, what the archive holds, and the generated markup that
explains it (``evidence.py``), so whoever fixes detection or metadata sees why. Expectations come
from the known blog (``content.py``) and from what the theme's page shows or declares
(``Engine.exposes``); an expectation is never lowered to what the extractor gives today.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit

from bench.extraction import match, prf
from bench.structure import markdown_items, recall
from tests.generators.content import POSTS, Post, body_for, expected_text
from tests.generators.evidence import markup, signals
from tests.generators.site import GeneratedBlog
from tests.wordpress.crawls import normal

MIN_RECALL = MIN_PRECISION = 0.98
SHINGLE = 4  # word 4-grams, as bench/extraction.py scores text (scrapinghub's benchmark)
STRUCTURE = ("heading", "list item", "quote", "table cell", "code")
_DATE_LINE = re.compile(r"^[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}$")  # "March 14, 2021", "Mar 14, 2021"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one page."""

    path: str
    check: str
    want: object
    got: object
    evidence: str = ""

    def __str__(self) -> str:
        line = f"{self.path}: {self.check}: want {self.want!r}, got {self.got!r}"
        return line + (f"\n      {self.evidence}" if self.evidence else "")


def report(problems: list[Problem], limit: int = 12) -> str:
    shown = "\n  ".join(str(p) for p in problems[:limit])
    more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{len(problems)} problem(s):\n  {shown}{more}"


def path_of(url: str) -> str:
    """A page's identity: its percent-decoded path (servers and generators quote differently)."""
    return unquote(urlsplit(url).path)


def archived(blog: GeneratedBlog) -> dict[str, list[sqlite3.Row]]:
    """Catalog versions by page path."""
    found: dict[str, list[sqlite3.Row]] = {}
    for row in blog.rows():
        found.setdefault(path_of(row["url"]), []).append(row)
    return found


def posts(blog: GeneratedBlog) -> list[tuple[Post, str, sqlite3.Row | None]]:
    """Each known post, its path on this engine and its archived row (None: not archived)."""
    rows = archived(blog)
    result = []
    for post in POSTS:
        path = path_of(blog.engine.post_path(post))
        result.append((post, path, rows[path][-1] if path in rows else None))
    return result


def evidence(blog: GeneratedBlog, path: str, *keys: str) -> str:
    """The generated page's markup that bears on a check, compact."""
    if not blog.file(path).is_file():
        return "(no such page in the build)"
    found = signals(blog.html(path))
    return "; ".join(f"{key}: {' | '.join(found[key]) or '-'}" for key in keys)


def archived_once(blog: GeneratedBlog) -> list[Problem]:
    """One catalog version per post, and one fetch of its page."""
    rows, fetched = archived(blog), Counter(path_of(uri) for uri in blog.fetched())
    problems = []
    for post in POSTS:
        path = path_of(blog.engine.post_path(post))
        if fetched[path] != 1:
            problems.append(Problem(path, "GET requests of the page", 1, fetched[path]))
        count = len(rows.get(path, []))
        if count != 1:
            problems.append(Problem(path, "archived versions", 1, count, evidence(
                blog, path, "generator", "body class", "og:type", "json-ld", "itemtype", "h-entry",
                "article", "time")))
    return problems


def only_posts(blog: GeneratedBlog) -> list[Problem]:
    """No page but the known posts in the catalog: About, listings, archives, 404 never are."""
    expected = {path_of(blog.engine.post_path(post)) for post in POSTS}
    return [Problem(path, "archived as a post", "not a post", f"{rows[-1]['title']!r}", evidence(
                blog, path, "body class", "og:type", "article:", "json-ld", "itemtype", "h-entry",
                "article", "time"))
            for path, rows in archived(blog).items() if path not in expected]


def titles(blog: GeneratedBlog) -> list[Problem]:
    return [Problem(path, "title", post.title, row["title"] if row else "(not archived)",
                    evidence(blog, path, "h1", "og:title"))
            for post, path, row in posts(blog) if row is None or row["title"] != post.title]


def dates(blog: GeneratedBlog) -> list[Problem]:
    """The published date the page declares: with the time and its offset when it has one."""
    problems = []
    for post, path, row in posts(blog):
        want = blog.engine.page_date(post)
        got = datetime.fromisoformat(row["published"]) if row and row["published"] else None
        if blog.engine.exposes.time:
            right = got is not None and got == want and got.utcoffset() == want.utcoffset()
            shown: object = want.isoformat()
        else:
            right = got is not None and got.date() == want.date()
            shown = want.date().isoformat()
        if not right:
            problems.append(Problem(path, "published", shown, got.isoformat() if got else (
                row["published"] if row else "(not archived)"), evidence(
                blog, path, "time", "article:", "json-ld", "dates")))
    return problems


def authors(blog: GeneratedBlog) -> list[Problem]:
    """The author the page shows or declares; none invented where the page has none."""
    want = {post.slug: post.author if blog.engine.exposes.author else None for post in POSTS}
    return [Problem(path, "author", want[post.slug], row["author"] if row else "(not archived)",
                    evidence(blog, path, "byline", "meta author", "json-ld", "h-card"))
            for post, path, row in posts(blog) if row is None or row["author"] != want[post.slug]]


def _terms_ok(got: list[str], source: tuple[str, ...], exposed: bool) -> bool:
    """Shown terms: exactly the source's. Not shown: nothing invented (a subset of the source's)."""
    return sorted(got) == sorted(source) if exposed else set(got) <= set(source)


def terms(blog: GeneratedBlog) -> list[Problem]:
    """Categories and tags as the page shows them; never a section name such as Hugo's "posts"."""
    problems = []
    shows = blog.engine.exposes
    for post, path, row in posts(blog):
        got = {kind: json.loads(row[kind]) if row else None for kind in ("categories", "tags")}
        for kind, terms_, exposed in (("categories", post.categories, shows.categories),
                                      ("tags", post.tags, shows.tags)):
            source = tuple(shows.shown_term(term) for term in terms_)
            found = got[kind]
            if found is None or not _terms_ok(found, source, exposed):
                want = sorted(source) if exposed else f"a subset of {sorted(source)} (not shown)"
                problems.append(Problem(path, kind, want, found if found is not None else "(not archived)",
                                        evidence(blog, path, "taxonomy links", "article:", "keywords")))
    return problems


def _word_diff(expected: str, got: str) -> str:
    want, have = Counter(re.findall(r"\w+", expected)), Counter(re.findall(r"\w+", got))
    missing, extra = list((want - have).elements())[:15], list((have - want).elements())[:15]
    return f"missing words {missing}; extra words {extra}"


def bodies(blog: GeneratedBlog) -> list[Problem]:
    """Recall and precision of the body text against the source, on word 4-grams."""
    problems = []
    for post, path, row in posts(blog):
        text = normal(blog.sidecar(row)["text"]) if row else ""
        expected = expected_text(post)
        precision, recall_, _ = prf(match(expected, text, SHINGLE))
        if row is None or precision < MIN_PRECISION or recall_ < MIN_RECALL:
            problems.append(Problem(path, "body precision/recall", f">= {MIN_PRECISION}",
                                    f"{precision:.3f}/{recall_:.3f}" if row else "(not archived)",
                                    _word_diff(expected, text)))
    return problems


def _chrome_line(line: str, post: Post) -> bool:
    """A line of the copy that is theme furniture: a byline, a date, a term, the author's name."""
    line = line.strip().strip("#>*-_ ").strip()
    furniture = (post.author, f"By {post.author}", *post.categories, *post.tags, "Posts")
    return bool(line) and (line in furniture or bool(_DATE_LINE.match(line)))


def theme_text(blog: GeneratedBlog) -> list[Problem]:
    """No text the theme prints around a post, in the clean text or the Markdown."""
    problems = []
    for post, path, row in posts(blog):
        if row is None:
            problems.append(Problem(path, "theme text", "none", "(not archived)"))
            continue
        meta = blog.sidecar(row)
        for field in ("text", "markdown"):
            found = [c for c in blog.engine.chrome if c in meta[field]]
            found += [line for line in meta[field].splitlines() if _chrome_line(line, post)]
            if found:
                problems.append(Problem(path, f"theme text in the {field}", [], found[:8]))
    return problems


def structure(blog: GeneratedBlog) -> list[Problem]:
    """The Markdown keeps every heading, list item, quote, table cell and code of the source."""
    problems = []
    for post, path, row in posts(blog):
        if row is None:
            problems.append(Problem(path, "structure", "kept", "(not archived)"))
            continue
        url = blog.url.rstrip("/") + blog.engine.post_path(post)
        source = markdown_items(body_for(post, "/"), url)
        kept = recall([i for i in source if i.kind in STRUCTURE],
                      markdown_items(blog.sidecar(row)["markdown"], url))
        html = blog.html(blog.engine.post_path(post))
        problems += [Problem(path, f"{kind} missing from the Markdown", list(item.key), None,
                             "page: " + markup(html, kind, item.key[-1]))
                     for kind, items in kept.missed.items() for item in items]
    return problems
