"""JSON Lines export: one post per line, for scripts and data work.

Each line has the metadata, the plain ``text``, the ``markdown`` body, the comments, and the body's
``images``: each with its ``url``, ``alt`` and ``caption``, whether the WARCs hold it
(``archived``), and if so where (``capture``: the URL it was captured under, the capture's date,
type and the WARC record holding the bytes; one pass over the WARCs finds them all).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.catalog import Catalog
from archive.catalog.selection import PostFilter
from archive.export.images import ArchivedImage, find_images
from archive.export.post import Damaged, PostView, selected_views
from archive.layout import Layout, write_atomic
from archive.urls import url_key

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class JsonlReport:
    posts: int
    images: int           # distinct body images the WARCs hold
    images_missing: int   # distinct body images never captured


def export_jsonl(layout: Layout, catalog: Catalog, post_filter: PostFilter, target: Path,
                 progress: Progress | None = None, damaged: Damaged | None = None) -> JsonlReport:
    """Write every selected post (metadata, ``text``, ``markdown``, images, comments) to
    ``target``."""
    views = selected_views(layout, catalog, post_filter, damaged)
    archived = find_images(layout, {str(i["url"]) for view in views for i in view.images})
    lines = []
    for number, view in enumerate(views, 1):
        lines.append(json.dumps(post_line(view, archived), ensure_ascii=False))
        if progress:
            progress(number, len(views))
    write_atomic(target, ("\n".join(lines) + "\n" if lines else "").encode("utf-8"))
    shown = {url_key(str(i["url"])) for view in views for i in view.images}
    return JsonlReport(len(views), len(shown & archived.keys()), len(shown - archived.keys()))


def post_line(view: PostView, archived: dict[str, ArchivedImage]) -> dict[str, Any]:
    data = view.to_dict()
    data["text"] = data.pop("body")
    data["images"] = [image_entry(image, archived.get(url_key(str(image["url"]))))
                      for image in view.images]
    return data


def image_entry(image: dict[str, Any], capture: ArchivedImage | None) -> dict[str, Any]:
    return {"url": image.get("url"), "alt": image.get("alt"), "caption": image.get("caption"),
            "archived": capture is not None,
            "capture": capture.to_dict() if capture is not None else None}
