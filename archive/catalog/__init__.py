"""Derived data: the SQLite catalog (schema and every query), its shards and the full-text index.

Every row here can be rebuilt from the WARCs (``archive.maintain``).
"""

from archive.catalog.db import LATEST, Catalog, Prior, VersionRow, priors_query

__all__ = ["LATEST", "Catalog", "Prior", "VersionRow", "priors_query"]
