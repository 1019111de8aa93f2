"""How long does the change list take on a large archive, against reading the catalog once?

Builds the 10,000-post catalog of ``tests/fixtures/bigcatalog.py`` (two runs; the second finds
300 edits, 300 posts with a new comment and 100 deletions), then times, best of ``--repeat``:
- the baseline: one pass over every version row and every comment row (the least any change list
  must read);
- ``changes`` for the whole archive and for the last run only (``--since``), through the library
  the command line and the Atom feeds use.

    python -m bench.changes [--posts 10000] [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.catalog import Catalog
from archive.changes.events import Query
from archive.changes.runs import changes
from archive.layout import Layout
from tests.fixtures.bigcatalog import big_catalog

LAST_RUN = datetime(2026, 1, 2, tzinfo=UTC)


def best(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs (the least disturbed by a noisy machine) and the result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return min(times), result


def baseline(catalog: Catalog) -> int:
    rows = catalog.db.execute("SELECT post_id, version, title, captured_at FROM versions").fetchall()
    comments = catalog.db.execute("SELECT version_id, comment_id FROM comments").fetchall()
    return len(rows) + len(comments)


def measure(posts: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-changes-") as scratch:
        root = Path(scratch) / "archive"
        big_catalog(root, posts=posts)
        layout, catalog = Layout(root), Catalog(root / "catalog.sqlite")
        base, rows = best(lambda: baseline(catalog), repeat)
        every, groups = best(lambda: changes(catalog, layout, Query()), repeat)
        last, recent = best(lambda: changes(catalog, layout, Query(since=LAST_RUN)), repeat)
        return {"posts": posts, "rows_read": rows,
                "changes_all": sum(len(g.events) for g in groups),
                "changes_last_run": sum(len(g.events) for g in recent),
                "baseline_s": round(base, 4), "all_s": round(every, 4), "last_run_s": round(last, 4),
                "all_ratio": round(every / base, 1), "last_run_ratio": round(last / base, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    args = parser.parse_args()
    result = measure(args.posts, args.repeat)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['posts']:,} posts, {result['rows_read']:,} catalog rows (best of {args.repeat})")
    print(f"  baseline, every version and comment row read: {result['baseline_s'] * 1000:8.1f} ms")
    print(f"  changes, whole archive ({result['changes_all']:,}):    "
          f"{result['all_s'] * 1000:8.1f} ms  {result['all_ratio']}x baseline")
    print(f"  changes, last run ({result['changes_last_run']:,}):         "
          f"{result['last_run_s'] * 1000:8.1f} ms  {result['last_run_ratio']}x baseline")


if __name__ == "__main__":
    main()
