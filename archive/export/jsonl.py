"""JSON Lines export: one post per line, for scripts and data work."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from archive.catalog import Catalog
from archive.catalog.selection import PostFilter, selected
from archive.export.post import load_post
from archive.layout import Layout, write_atomic

Progress = Callable[[int, int], None]


def export_jsonl(layout: Layout, catalog: Catalog, post_filter: PostFilter, target: Path,
                 progress: Progress | None = None) -> int:
    """Write every selected post (metadata, body ``text``, comments) to ``target``."""
    rows = list(selected(catalog, post_filter))
    lines = []
    for number, row in enumerate(rows, 1):
        data = load_post(layout, catalog, row).to_dict()
        data["text"] = data.pop("body")
        lines.append(json.dumps(data, ensure_ascii=False))
        if progress:
            progress(number, len(rows))
    write_atomic(target, ("\n".join(lines) + "\n" if lines else "").encode("utf-8"))
    return len(rows)
