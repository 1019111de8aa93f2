"""Posts that changed in one crawl, per site: what the blog list's "last change" is made of.

Read from the catalog (or the scale-out worker's own shard) after the crawl wrote it: a version
captured since the run started is a new or changed post, a ``deleted_at`` since then a deletion.
No index covers ``captured_at``: one scan of the versions table, once per crawl (about 10 ms for
10,000 versions).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

CHANGES = """
SELECT p.site, COUNT(*) FROM versions v JOIN posts p ON p.id = v.post_id
WHERE v.captured_at >= :since GROUP BY p.site
UNION ALL
SELECT site, COUNT(*) FROM posts WHERE deleted_at >= :since GROUP BY site
"""


def changes_since(path: Path, since: str) -> Counter[str]:
    """Posts new, changed or deleted per site since ``since`` (ISO 8601, UTC, as the catalog
    writes dates); empty when there is no catalog yet."""
    if not path.exists():
        return Counter()
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30.0)
    try:
        counts: Counter[str] = Counter()
        for site, count in db.execute(CHANGES, {"since": since}):
            counts[site] += count
        return counts
    finally:
        db.close()
