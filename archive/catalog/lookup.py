"""Find a post by the URL a user pastes, forgiving the differences that do not change the post.

Why: a URL copied from a browser bar, a bookmark or an old link often differs from the archived
key only by its scheme (``http``/``https``), a ``www.`` prefix or a trailing slash. Those forms
are tried after the exact and canonical ones, so an archive that holds two of them as distinct
posts still answers the exact one first.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit, urlunsplit

from archive.catalog.db import Catalog
from archive.urls import canonical_url


def find_by_url(catalog: Catalog, pasted: str) -> sqlite3.Row | None:
    """The latest version of the post ``pasted`` names, or None; ``BadURL`` for a broken URL."""
    for url in url_forms(pasted):
        row = catalog.find(url)
        if row is not None:
            return row
    return None


def url_forms(pasted: str) -> list[str]:
    """``pasted`` as typed, canonical, then with the other scheme, ``www.`` toggled and the
    trailing slash toggled (every combination), without repeats. A URL without a scheme
    (``example.org/2022/hello``) is read as http."""
    text = pasted.strip()
    if "://" not in text:
        text = "http://" + text
    canonical = canonical_url(text)
    parts = urlsplit(canonical)
    host = parts.netloc
    other_host = host[4:] if host.startswith("www.") else f"www.{host}"
    path = parts.path
    other_path = (path.rstrip("/") or "/") if path.endswith("/") else path + "/"
    other_scheme = {"http": "https", "https": "http"}.get(parts.scheme, parts.scheme)
    forms = [pasted.strip(), canonical]
    for scheme in (parts.scheme, other_scheme):
        for netloc in (host, other_host):
            for each in (path, other_path):
                forms.append(urlunsplit((scheme, netloc, each, parts.query, "")))
    return list(dict.fromkeys(forms))
