"""Dates typed by people (``2022-01-01``, ``12 January 2022``, ``3 weeks ago``), read one way
everywhere: crawl arguments and archive queries alike."""

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
