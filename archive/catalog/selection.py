"""Which posts a command works on: one filter shared by ``list``, ``export`` and the EPUB builder.

The filter is SQL over the catalog's latest versions, so it lives with the catalog's queries.

Dates are compared with SQLite's ``julianday`` so posts published with different UTC offsets sort
and filter by the instant they were published, not by the text of their offset.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from archive.catalog.db import Catalog
from archive.urls import site_of


@dataclass(frozen=True)
class PostFilter:
    site: str | None = None
    since: datetime | None = None          # published at or after
    until: datetime | None = None          # published at or before
    category: str | None = None            # exact name, any case
    tag: str | None = None                 # exact name, any case
    author: str | None = None              # part of the author's name, any case
    changed_since: datetime | None = None  # a new version captured since (edited posts)

    def where(self) -> tuple[str, tuple[Any, ...]]:
        """SQL over ``p`` (posts) and ``v`` (latest version) for ``Catalog.latest``."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.site:
            url = self.site if "://" in self.site else f"http://{self.site}"
            sql, values = site_clause("p.site", site_of(url), urlsplit(url).port is None)
            clauses.append(sql)
            params.extend(values)
        if self.since:
            clauses.append("julianday(v.published) >= julianday(?)")
            params.append(self.since.isoformat())
        if self.until:
            clauses.append("julianday(v.published) <= julianday(?)")
            params.append(self.until.isoformat())
        for column, value in (("categories", self.category), ("tags", self.tag)):
            if value:
                clauses.append(f"EXISTS (SELECT 1 FROM json_each({valid_json(column)}) "
                               "WHERE lower(json_each.value) = lower(?))")
                params.append(value.strip())
        if self.author:
            clauses.append("lower(v.author) LIKE '%' || lower(?) || '%'")
            params.append(self.author.strip())
        if self.changed_since:
            clauses.append("v.version > 1 AND julianday(v.captured_at) >= julianday(?)")
            params.append(self.changed_since.isoformat())
        return " AND ".join(clauses), tuple(params)

    def describe(self) -> str:
        """A short human label (EPUB titles, log lines): 'example.org, category News, 2022'."""
        parts = [value for value in (self.site, self.author) if value]
        if self.category:
            parts.append(f"category {self.category}")
        if self.tag:
            parts.append(f"tag {self.tag}")
        if self.since or self.until:
            start = self.since.date().isoformat() if self.since else "…"
            end = self.until.date().isoformat() if self.until else "…"
            parts.append(f"{start} to {end}")
        return ", ".join(parts)


def site_clause(column: str, site: str, any_port: bool) -> tuple[str, list[str]]:
    """SQL matching one site; a site named without a port matches its host on every port too
    (``127.0.0.1`` finds ``127.0.0.1:8080``), as a range so the site index still serves it."""
    if not any_port:
        return f"{column} = ?", [site]
    return f"({column} = ? OR ({column} > ? AND {column} < ?))", [site, site + ":", site + ";"]


def valid_json(column: str) -> str:
    """SQL for ``v.<column>`` as a JSON list, ``[]`` when the row holds no valid JSON: SQLite's
    ``json_each`` raises on malformed JSON, and one damaged row stopped the whole query."""
    return f"(CASE WHEN json_valid(v.{column}) THEN v.{column} ELSE '[]' END)"


def terms_of(row: Mapping[str, Any] | sqlite3.Row, column: str) -> list[str]:
    """A row's ``categories`` or ``tags`` as a list of strings; ``[]`` when it is unreadable
    (``unreadable_terms`` says which rows were)."""
    try:
        value = json.loads(row[column] or "[]")
    except (TypeError, ValueError):
        return []
    return [str(term) for term in value] if isinstance(value, list) else []


def unreadable_terms(row: Mapping[str, Any] | sqlite3.Row) -> list[str]:
    """The columns of ``row`` (categories, tags) that hold no JSON list: shown empty, counted."""
    bad = []
    for column in ("categories", "tags"):
        try:
            ok = isinstance(json.loads(row[column] or "[]"), list)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            bad.append(column)
    return bad


def selected(catalog: Catalog, post_filter: PostFilter) -> Iterator[sqlite3.Row]:
    """Latest version of each selected post, oldest publication first."""
    where, params = post_filter.where()
    yield from catalog.latest(where, params)
