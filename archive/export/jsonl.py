"""JSON Lines export: one post per line, for scripts and data work."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from archive.catalog import Catalog
from archive.catalog.selection import PostFilter
from archive.export.post import Damaged, selected_views
from archive.layout import Layout, write_atomic

Progress = Callable[[int, int], None]


def export_jsonl(layout: Layout, catalog: Catalog, post_filter: PostFilter, target: Path,
                 progress: Progress | None = None, damaged: Damaged | None = None) -> int:
    """Write every selected post (metadata, body ``text``, comments) to ``target``."""
    views = selected_views(layout, catalog, post_filter, damaged)
    lines = []
    for number, view in enumerate(views, 1):
        data = view.to_dict()
        data["text"] = data.pop("body")
        lines.append(json.dumps(data, ensure_ascii=False))
        if progress:
            progress(number, len(views))
    write_atomic(target, ("\n".join(lines) + "\n" if lines else "").encode("utf-8"))
    return len(views)
