"""Publication and modification dates, read from what the page states and never guessed.

Sources in order of reliability: JSON-LD (``@graph`` included), ``article:*_time`` meta,
microdata ``itemprop=datePublished``, ``<time datetime>`` and hAtom's ``<abbr class="published"
title>`` in the post, then the visible dateline read with dateparser in the page's language.
htmldate is deliberately not used: it falls back to URL and copyright-year heuristics, and a wrong
date in an archive is worse than none.

A date keeps the page's own offset, never converted to UTC or to this machine's zone: a zone is
attached only when the source gives one. When the chosen stamp is in UTC and another stamp of the
page states the same instant with an offset, that offset is the page's (Ghost and Medium write
JSON-LD in UTC). Hexo writes ``<time datetime="...Z">`` in UTC; when the ``<time>``'s visible text
shows the local wall-clock time ("2023-12-24 16:05"), the difference is the page's offset; when it
shows only the day, nothing on the page gives the offset and UTC is the truth. A stamp without a
zone stays without one (``2023-12-24T16:05:00``); a date alone (``<time datetime="2023-12-24">``,
Eleventy) is stored as that day at midnight without a zone. Zero values (Hugo's
``0001-01-01T00:00:00Z`` on pages without a date, the Unix epoch) are no date. Relative datelines
("3 days ago") are read against the capture time, and only when it is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import dateparser
from dateparser.search import search_dates
from lxml.html import HtmlElement

from archive import when
from archive.extract import jsonld
from archive.extract.dom import Selector, clean, css, meta, select, text_of

_PUBLISHED_TIME = tuple(css(c) for c in (
    "time.published[datetime]", "time.entry-date[datetime]", ".wp-block-post-date time[datetime]",
    "time[itemprop~='datePublished'][datetime]", ".posted-on time[datetime]",
    "abbr.published[title]", "abbr[itemprop~='datePublished'][title]",
))
_ANY_TIME = (css("time[datetime]"),)
_UPDATED_TIME = tuple(css(c) for c in (
    "time.updated[datetime]", "time[itemprop~='dateModified'][datetime]", "abbr.updated[title]",
))
_STAMPED = css("time[datetime], abbr[title]")
_MICRODATA = {"datePublished": css("meta[itemprop~='datePublished'][content]"),
              "dateModified": css("meta[itemprop~='dateModified'][content]")}
_CLOCK = re.compile(r"\b\d{1,2}[:h.]\d\d\b")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_OFFSET = timedelta(hours=14)
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
    if moment is None:
        parsed = dateparser.parse(value, languages=["en"], settings={"STRICT_PARSING": True})
        moment = parsed if isinstance(parsed, datetime) else None
    return moment if moment is not None and not _zero(moment) else None


def _zero(moment: datetime) -> bool:
    """A zero value written for "no date" (Go's year 1, the Unix epoch), not a publication."""
    return moment.year < 1900 or (moment.tzinfo is not None and moment == _EPOCH)


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


def _machine_stamps(root: HtmlElement, graph: list[jsonld.Entity], key: str) -> list[datetime]:
    """What the page declares for machines, most deliberate first: JSON-LD, Open Graph, microdata."""
    art = jsonld.article(graph) or {}
    page = next((e for e in graph if "WebPage" in jsonld.types(e)), {})
    stamps = [
        jsonld.text(art.get(key)),
        jsonld.text(page.get(key)),
        meta(root, "article:published_time" if key == "datePublished" else "article:modified_time"),
        *(el.get("content") for el in select(root, _MICRODATA[key])),
    ]
    # A strict ISO stamp before one only dateparser reads: Doks writes JSON-LD
    # "2021-01-03T08:00:00CET" (the post's clock time, the site's zone name) beside the right
    # "article:published_time" 2021-01-03T08:00:00-05:00.
    strict = [s for s in stamps if s and when.parse_iso(s) is not None]
    ordered = strict + [s for s in stamps if s and s not in strict]
    return [d for d in (parse_iso(s) for s in ordered) if d]


def _stamp(el: HtmlElement) -> datetime | None:
    """``<time datetime>``, or hAtom's ``<abbr title>`` (Pelican's notmyidea, Blogger)."""
    return parse_iso(el.get("datetime") if el.tag == "time" else el.get("title"))


def _time_stamps(post: HtmlElement, selectors: tuple[Selector, ...]) -> list[datetime]:
    return [d for selector in selectors for el in select(post, selector) if (d := _stamp(el))]


def _sole_stamp(root: HtmlElement) -> list[datetime]:
    """The page's one ``<time datetime>`` when the post container is the body alone and the
    dateline sits beside it (the Eleventy base blog v5: ``<h1>``, ``<time>``, ``div.post``). Only
    a single stamp: with more, a listing's or a sidebar's could be taken for the post's."""
    stamps = _time_stamps(root, _ANY_TIME)
    return stamps if len(stamps) == 1 else []


def _own_offset(chosen: datetime, stamps: list[datetime]) -> datetime:
    """``chosen`` with the page's own offset when another stamp states it (module docstring)."""
    if chosen.tzinfo is None:  # the same wall-clock time with a zone is the same statement
        return next((s for s in stamps if s.tzinfo and s.replace(tzinfo=None) == chosen), chosen)
    if chosen.utcoffset():
        return chosen
    return next((s for s in stamps if s.tzinfo and s.utcoffset() and s == chosen), chosen)


def _visible_offset(utc: datetime, post: HtmlElement, language: str | None) -> datetime:
    """A stamp written in Zulu (``...Z``, JavaScript's ``toISOString``: Hexo) whose element shows
    the local time ("2023-12-24 16:05"): the difference is the page's offset. dateparser runs
    only for such an element."""
    if utc.tzinfo is None or utc.utcoffset():
        return utc
    for el in select(post, _STAMPED):
        text = clean(text_of(el))
        stamp = (el.get("datetime") if el.tag == "time" else el.get("title")) or ""
        if not text or not stamp.rstrip().endswith(("Z", "z")) or not _CLOCK.search(text) \
                or not _YEAR.search(text) or _stamp(el) != utc:
            continue
        local = _parse_text(text, _lang(language), datetime(2000, 6, 15, 12))
        if local is None or local.tzinfo is not None:
            continue
        offset = local - utc.replace(tzinfo=None)
        if offset and abs(offset) <= _MAX_OFFSET and not offset % timedelta(minutes=15):
            return utc.astimezone(timezone(offset))
    return utc


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
    found = _machine_stamps(root, graph, "datePublished") + _time_stamps(post, _PUBLISHED_TIME)
    if not found or not found[0].utcoffset():  # none yet, or UTC or no zone: another may say more
        found += _time_stamps(post, _ANY_TIME)
    if not found and post is not root:
        found = _sole_stamp(root)
    published = _visible_offset(_own_offset(found[0], found), post, language) if found else None
    changed = _machine_stamps(root, graph, "dateModified") + _time_stamps(post, _UPDATED_TIME)
    modified = _own_offset(changed[0], changed + found) if changed else None
    reason = None
    if published is None:
        published, reason = _dateline(post, language, captured_at)
    headers = select(root, _PAGE_DATELINES)
    if published is None and len(headers) == 1:
        # Blogger prints the day once, above the post rather than in it.
        published, why = read_dateline(clean(text_of(headers[0])) or "", language, captured_at)
        reason = why if published is None else None
    return Dates(published, modified, reason)
