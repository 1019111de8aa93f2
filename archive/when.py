"""Dates read one way everywhere: typed by people (``2022-01-01``, ``12 January 2022``,
``3 weeks ago``) for crawl arguments and archive queries alike, and ISO 8601 stamps as machines
write them (the catalog, sidecars, sitemaps, feeds)."""

from __future__ import annotations

from datetime import datetime

from archive.config import ConfigError


def parse_when(text: str | None, name: str) -> datetime | None:
    """``2022-01-01``, ``12 January 2022``, ``3 weeks ago``: read with dateparser, in UTC."""
    if text in (None, ""):
        return None
    import dateparser  # loaded only when a date is given: its language data is large

    moment: datetime | None = dateparser.parse(str(text), settings={
        "RETURN_AS_TIMEZONE_AWARE": True, "TO_TIMEZONE": "UTC", "PREFER_DAY_OF_MONTH": "first"})
    if moment is None:
        raise ConfigError(
            f"{name}={text!r} is not a date dateparser can read: try 2022-01-01, "
            "'12 January 2022' or '3 weeks ago'")
    return moment


def parse_iso(text: str | None) -> datetime | None:
    """An ISO 8601 stamp as machines write it; None when empty or not ISO, for callers that treat
    a bad stamp as a missing one.

    Python 3.11's ``fromisoformat`` reads a ``Z`` after a time; spelling it ``+00:00`` also keeps
    the date-only ``2022-01-01Z`` that some feeds and sitemaps write (``fromisoformat`` refuses it).
    """
    if not text:
        return None
    try:
        return iso_date(text)
    except ValueError:
        return None


def iso_date(text: str) -> datetime:
    """``parse_iso`` for stamps this project wrote itself (WARC-Date, catalog columns, queue
    entries): a bad one is damage, so it raises ValueError instead of reading as missing."""
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
