"""Read-only catalog queries for browsing: sites, years, months, categories, tags, neighbours.

The web reader opens the catalog (``archive/catalog/open.py``) once per request, because SQLite
connections must not be shared between threads, and read-only, so serving can never change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.catalog import LATEST, Catalog

UNDATED = "undated"


@dataclass(frozen=True)
class Count:
    """A label (site, year, month, category or tag) and how many posts it holds."""

    name: str
    posts: int


def _year(column: str = "v.published") -> str:
    return f"COALESCE(substr({column}, 1, 4), '{UNDATED}')"


def sites(catalog: Catalog) -> list[Count]:
    rows = catalog.db.execute("SELECT site, COUNT(*) FROM posts GROUP BY site ORDER BY site")
    return [Count(r[0], int(r[1])) for r in rows]


def site_name(catalog: Catalog, site: str) -> str | None:
    """The blog's own name (og:site_name) as the latest capture gave it, if any."""
    row = catalog.db.execute(
        f"SELECT v.site_name FROM ({LATEST}) v WHERE v.site = ? AND v.site_name IS NOT NULL "
        "ORDER BY v.captured_at DESC LIMIT 1", (site,)).fetchone()
    return str(row[0]) if row else None


def years(catalog: Catalog, site: str) -> list[Count]:
    rows = catalog.db.execute(
        f"SELECT {_year()} AS y, COUNT(*) FROM ({LATEST}) v WHERE v.site = ? GROUP BY y "
        "ORDER BY y DESC", (site,))
    return [Count(r[0], int(r[1])) for r in rows]


def months(catalog: Catalog, site: str, year: str) -> list[Count]:
    rows = catalog.db.execute(
        f"SELECT COALESCE(substr(v.published, 6, 2), '') AS m, COUNT(*) FROM ({LATEST}) v "
        f"WHERE v.site = ? AND {_year()} = ? GROUP BY m ORDER BY m", (site, year))
    return [Count(r[0], int(r[1])) for r in rows]


def taxonomy(catalog: Catalog, site: str, kind: str) -> list[Count]:
    """Categories or tags of a site's posts (latest versions), most used first."""
    column = _kind_column(kind)
    rows = catalog.db.execute(
        f"SELECT j.value, COUNT(*) AS n FROM ({LATEST}) v, json_each(v.{column}) j "
        "WHERE v.site = ? AND json_valid(v." + column + ") GROUP BY j.value "
        "ORDER BY n DESC, j.value", (site,))
    return [Count(str(r[0]), int(r[1])) for r in rows]


def posts(catalog: Catalog, site: str, *, year: str | None = None, month: str | None = None,
          kind: str | None = None, term: str | None = None) -> list[dict[str, Any]]:
    """Latest versions of a site's posts, newest first, filtered by date or by one term."""
    where, params = "p.site = ?", [site]
    if year is not None:
        where += f" AND {_year()} = ?"
        params.append(year)
    if month is not None:
        where += " AND COALESCE(substr(v.published, 6, 2), '') = ?"
        params.append(month)
    if kind is not None and term is not None:
        column = _kind_column(kind)
        where += (f" AND json_valid(v.{column}) AND EXISTS "
                  f"(SELECT 1 FROM json_each(v.{column}) WHERE value = ?)")
        params.append(term)
    rows = list(catalog.latest(where, tuple(params)))
    rows.reverse()
    return [dict(r) for r in rows]


def neighbours(catalog: Catalog, site: str, post_id: int) -> tuple[dict[str, Any] | None,
                                                                   dict[str, Any] | None]:
    """The previous (older) and next (newer) post of the same blog, in publication order."""
    order = [dict(r) for r in catalog.latest("p.site = ?", (site,))]
    ids = [r["post_id"] for r in order]
    if post_id not in ids:
        return None, None
    at = ids.index(post_id)
    older = order[at - 1] if at > 0 else None
    newer = order[at + 1] if at + 1 < len(order) else None
    return older, newer


def post_by_id(catalog: Catalog, post_id: int) -> dict[str, Any] | None:
    row = next(catalog.latest("p.id = ?", (post_id,)), None)
    return dict(row) if row else None


def post_id(catalog: Catalog, url: str) -> int | None:
    row = catalog.db.execute("SELECT id FROM posts WHERE url = ?", (url,)).fetchone()
    return int(row[0]) if row else None


def _kind_column(kind: str) -> str:
    if kind not in ("category", "tag"):
        raise ValueError(f"unknown taxonomy {kind!r}")
    return "categories" if kind == "category" else "tags"
