"""Publication and modification dates, read from what the page states and never guessed.

Sources in order of reliability: JSON-LD (``@graph`` included), ``article:*_time`` meta, ``<time
datetime>`` in the post, then the visible dateline read with dateparser in the page's language. A
zone is attached only when the source gives one. Relative datelines ("3 days ago") are read against
the capture time, and only when it is known. htmldate is deliberately not used: it falls back to
URL and copyright-year heuristics, and a wrong date in an archive is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import dateparser
from dateparser.search import search_dates
from lxml.html import HtmlElement

from archive import when
from archive.extract import jsonld
from archive.extract.dom import Selector, clean, css, meta, select, text_of

_PUBLISHED_TIME = tuple(css(c) for c in (
    "time.published[datetime]", "time.entry-date[datetime]", ".wp-block-post-date time[datetime]",
    "time[itemprop='datePublished'][datetime]", ".posted-on time[datetime]",
))
_ANY_TIME = (css("time[datetime]"),)
_UPDATED_TIME = tuple(css(c) for c in (
    "time.updated[datetime]", "time[itemprop='dateModified'][datetime]",
))
_DATELINES = tuple(css(c) for c in (
    ".posted-on", ".entry-date", ".post-date", ".wp-block-post-date", ".published", ".dateline",
    ".entry-meta .date", ".postdate", ".date", ".entry-meta", ".post-meta", ".postmetadata", "time",
))
_PAGE_DATELINES = css(".date-header")
_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")


@dataclass(frozen=True)
class Dates:
    published: datetime | None
    modified: datetime | None
    reason: str | None  # why ``published`` is None


def parse_iso(value: str | None) -> datetime | None:
    """An ISO 8601 / RFC 3339 stamp as machines write it; None when it is something else."""
    if not value:
        return None
    moment = when.parse_iso(value)
    if moment is not None:
        return moment
    parsed = dateparser.parse(value, languages=["en"], settings={"STRICT_PARSING": True})
    return parsed if isinstance(parsed, datetime) else None


def _lang(language: str | None) -> list[str] | None:
    primary = (language or "").split("-")[0].split("_")[0].lower()
    return [primary, "en"] if primary and primary != "en" else (["en"] if primary else None)


def _parse_text(text: str, languages: list[str] | None, base: datetime) -> datetime | None:
    settings: Any = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
    try:
        parsed = dateparser.parse(text, languages=languages, settings=settings)
    except (ValueError, TypeError, OverflowError):
        return None
    return parsed if isinstance(parsed, datetime) else None


def _search(text: str, languages: list[str] | None, base: datetime) -> datetime | None:
    """A full date inside a longer dateline ("Posted on 12 January 2022 by Jane").

    Day, month and year must all be there: in "31 February 2022" search_dates would otherwise
    find "February 2022" and invent the day."""
    settings: Any = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past",
                     "REQUIRE_PARTS": ["day", "month", "year"]}
    try:
        found = search_dates(text, languages=languages, settings=settings) or []
    except (ValueError, TypeError, OverflowError):
        return None
    return next((d for part, d in found if _YEAR.search(part)), None)


def read_dateline(
    text: str, language: str | None, captured_at: datetime | None
) -> tuple[datetime | None, str | None]:
    """A visible dateline ("12. Januar 2022", "3 days ago") -> (date, reason when unreadable)."""
    languages = _lang(language)
    first_base, second_base = datetime(2000, 6, 15, 12), datetime(2010, 1, 3, 6)
    parsed = _parse_text(text, languages, first_base)
    if parsed is None:
        found = _search(text, languages, first_base)
        return (found, None) if found else (None, f"unreadable dateline {text[:60]!r}")
    if parsed == _parse_text(text, languages, second_base):
        return parsed, None  # absolute: the base did not matter
    if captured_at is None:
        return None, f"relative dateline {text[:60]!r} and no capture time"
    base = captured_at.replace(tzinfo=None)
    relative = _parse_text(text, languages, base)
    if relative is None:
        return None, f"unreadable dateline {text[:60]!r}"
    if relative.tzinfo is None:
        relative = relative.replace(tzinfo=captured_at.tzinfo)
    return relative, None


def _from_machine(root: HtmlElement, graph: list[jsonld.Entity], key: str) -> datetime | None:
    art = jsonld.article(graph) or {}
    page = next((e for e in graph if "WebPage" in jsonld.types(e)), {})
    stamps = (
        jsonld.text(art.get(key)),
        jsonld.text(page.get(key)),
        meta(root, "article:published_time" if key == "datePublished" else "article:modified_time"),
    )
    return next((d for d in (parse_iso(s) for s in stamps) if d), None)


def _from_time(post: HtmlElement, selectors: tuple[Selector, ...]) -> datetime | None:
    for selector in selectors:
        for el in select(post, selector):
            parsed = parse_iso(el.get("datetime"))
            if parsed:
                return parsed
    return None


def _dateline(
    post: HtmlElement, language: str | None, captured_at: datetime | None
) -> tuple[datetime | None, str | None]:
    reason = "no date found in page"
    for selector in _DATELINES:
        for el in select(post, selector):
            text = clean(text_of(el))
            if not text or len(text) > 300:
                continue
            parsed, why = read_dateline(text, language, captured_at)
            if parsed is not None and (_YEAR.search(text) or why is None):
                return parsed, None
            reason = why or reason
    return None, reason


def read_dates(
    root: HtmlElement,
    post: HtmlElement,
    graph: list[jsonld.Entity],
    language: str | None,
    captured_at: datetime | None,
) -> Dates:
    """Published and modified dates of the post in ``post`` (a subtree of ``root``).

    dateparser (slow: it tries every language's patterns) only reads the visible dateline, and
    only when JSON-LD, meta and ``<time datetime>`` all say nothing.
    """
    published = _from_machine(root, graph, "datePublished") or _from_time(post, _PUBLISHED_TIME)
    if published is None:
        published = _from_time(post, _ANY_TIME)
    modified = _from_machine(root, graph, "dateModified") or _from_time(post, _UPDATED_TIME)
    reason = None
    if published is None:
        published, reason = _dateline(post, language, captured_at)
    headers = select(root, _PAGE_DATELINES)
    if published is None and len(headers) == 1:
        # Blogger prints the day once, above the post rather than in it.
        published, why = read_dateline(clean(text_of(headers[0])) or "", language, captured_at)
        reason = why if published is None else None
    return Dates(published, modified, reason)
