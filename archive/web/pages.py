"""Browsing pages: blogs on the home page, then years, months, categories and tags; search.

Each view opens the catalog read-only for the one request (shards included, as the command line
reads it: ``archive/catalog/open.py``), asks ``browse`` and renders a template.
"""

from __future__ import annotations

import importlib
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from archive.catalog import browse
from archive.catalog.open import IndexingCatalog, has_catalog, open_read
from archive.layout import Layout
from archive.web.context import Reader
from archive.web.filters import month_name, urlq

SEARCH_PAGE = 20


def home(app: Reader, request: Request) -> Response:
    if not has_catalog(app.layout):
        return app.error(404, "No archive here",
                         f"{app.layout.root} has no catalog.sqlite: run a crawl first.")
    with open_read(app.layout) as catalog:
        blogs = [(count, browse.site_name(catalog, count.name)) for count in browse.sites(catalog)]
        counts = catalog.counts()
    return app.render("home.html", blogs=blogs, counts=counts)


def site(app: Reader, request: Request, site: str) -> Response:
    with open_read(app.layout) as catalog:
        years = browse.years(catalog, site)
        if not years:
            raise NotFound(f"No blog {site!r} in this archive.")
        calendar = [(year, browse.months(catalog, site, year.name)) for year in years]
        return app.render("site.html", site=site, name=browse.site_name(catalog, site),
                          calendar=calendar, categories=browse.taxonomy(catalog, site, "category"),
                          tags=browse.taxonomy(catalog, site, "tag"),
                          recent=browse.posts(catalog, site)[:10])


def year(app: Reader, request: Request, site: str, year: str) -> Response:
    with open_read(app.layout) as catalog:
        found = browse.posts(catalog, site, year=year)
        months = browse.months(catalog, site, year)
        name = browse.site_name(catalog, site)
    return _listing(app, site, name, year if year != browse.UNDATED else "Undated posts", found,
                    crumbs=[], months=months, year=year)


def month(app: Reader, request: Request, site: str, year: str, month: str) -> Response:
    with open_read(app.layout) as catalog:
        found = browse.posts(catalog, site, year=year, month=month)
        name = browse.site_name(catalog, site)
    return _listing(app, site, name, f"{month_name(month)} {year}", found,
                    crumbs=[(year, f"/site/{urlq(site)}/{urlq(year)}/")])


def category(app: Reader, request: Request, site: str, term: str) -> Response:
    return _taxonomy_page(app, site, "category", term)


def tag(app: Reader, request: Request, site: str, term: str) -> Response:
    return _taxonomy_page(app, site, "tag", term)


def _taxonomy_page(app: Reader, site: str, kind: str, term: str) -> Response:
    with open_read(app.layout) as catalog:
        found = browse.posts(catalog, site, kind=kind, term=term)
        name = browse.site_name(catalog, site)
    label = "Category" if kind == "category" else "Tag"
    return _listing(app, site, name, f"{label}: {term}", found, crumbs=[])


def _listing(app: Reader, site: str, name: str | None, heading: str,
             found: list[dict[str, Any]], crumbs: list[tuple[str, str]], **extra: Any) -> Response:
    if not found:
        raise NotFound("No archived post matches this page.")
    return app.render("listing.html", site=site, name=name, heading=heading, posts=found,
                      crumbs=crumbs, **extra)


def search(app: Reader, request: Request) -> Response:
    query = request.args.get("q", "").strip()
    offset = max(request.args.get("offset", 0, type=int) or 0, 0)
    hits: list[tuple[Any, int | None]] = []
    problem = None
    if query:
        hits, problem = _run_search(app.layout, query, offset)
    return app.render("search.html", query=query, hits=hits, offset=offset, page=SEARCH_PAGE,
                      problem=problem)


def _run_search(layout: Layout, query: str, offset: int
                ) -> tuple[list[tuple[Any, int | None]], str | None]:
    """Hits with the catalog id of each post, or why the query could not run.

    The search module keeps its full-text index (derived data) up to date inside the catalog, so
    this connection, unlike the browsing ones, may write (``IndexingCatalog``).
    """
    try:
        engine = importlib.import_module("archive.search")
    except ModuleNotFoundError:
        return [], "Search is not available in this installation."
    with IndexingCatalog(layout.catalog_path) as catalog:
        try:
            found = list(engine.search(catalog, query, limit=SEARCH_PAGE, offset=offset))
        except ValueError as error:  # QueryError: its message is meant for the reader
            return [], f"This query cannot be searched: {error}"
        return [(hit, getattr(hit, "post_id", None) or browse.post_id(catalog, hit.url))
                for hit in found], None


def not_archived(app: Reader, request: Request) -> Response:
    return app.render("not_archived.html", status=404, url=request.args.get("url", ""))

