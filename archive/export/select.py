"""Which posts a command works on: ``PostFilter`` and ``selected``, from the catalog's queries.

They live in ``archive/catalog/selection.py``, beside the rest of the catalog's SQL.
"""

from archive.catalog.selection import PostFilter, selected

__all__ = ["PostFilter", "selected"]
