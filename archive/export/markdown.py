"""Markdown export: one ``.md`` file per post, YAML front matter, folders by site and year.

Images: a post's image (``og:image``) is linked to a file extracted from its WARC capture into
``DIR/assets/`` with a relative link, so the folder reads offline in any Markdown viewer and can be
moved as a whole. An image that was never captured keeps its original URL (the only honest link).
File names reuse the archive's own scheme (slug plus URL hash), so they never collide or escape.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from warcio.recordloader import ArcWarcRecord

from archive.catalog import Catalog
from archive.catalog.selection import PostFilter
from archive.export.post import Damaged, PostView, selected_views, to_markdown
from archive.layout import Layout, safe_component, slug_for, url_hash, write_atomic
from archive.warc.files import warc_files
from archive.warc.reader import ReadOptions, iter_records

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class MarkdownReport:
    posts: int
    assets: int


def export_markdown(layout: Layout, catalog: Catalog, post_filter: PostFilter, target: Path,
                    progress: Progress | None = None,
                    damaged: Damaged | None = None) -> MarkdownReport:
    """Write the selected posts under ``target``; returns how many posts and images."""
    views = selected_views(layout, catalog, post_filter, damaged)
    wanted = {view.image for view in views if view.image}
    images = archived_images(layout, wanted) if wanted else {}
    assets = 0
    for number, view in enumerate(views, 1):
        path = markdown_path(target, view)
        link = None
        if view.image in images:
            asset = target / "assets" / asset_name(view.image, images[view.image][0])
            if not asset.exists():
                write_atomic(asset, images[view.image][1])
                assets += 1
            link = Path(os.path.relpath(asset, path.parent)).as_posix()
        elif view.image:
            link = view.image
        write_atomic(path, to_markdown(view, image_link=link).encode("utf-8"))
        if progress:
            progress(number, len(views))
    return MarkdownReport(posts=len(views), assets=assets)


def markdown_path(target: Path, view: PostView) -> Path:
    """``<site>/<year>/<slug>-<hash>.md``: the archive's text-file naming, by publication year."""
    year = (view.published or "")[:4]
    folder = year if year.isdigit() else "undated"
    site = safe_component(view.site.replace(":", "_")) or "site"
    return target / site / folder / f"{slug_for(view.url)}-{url_hash(view.url)}.md"


def asset_name(url: str, content_type: str) -> str:
    extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ".bin"
    return f"{slug_for(url)}-{url_hash(url)}{extension}"


def archived_images(layout: Layout, wanted: set[str]) -> dict[str, tuple[str, bytes]]:
    """The latest captured bytes (decoded) and type of each wanted image URL found in a WARC."""
    def is_wanted(record: ArcWarcRecord) -> bool:
        if record.rec_type != "response" or record.http_headers is None:
            return False
        content_type = record.http_headers.get_header("Content-Type") or ""
        return (record.rec_headers.get_header("WARC-Target-URI") in wanted
                and content_type.startswith("image/")
                and record.http_headers.get_statuscode() == "200")

    found: dict[str, tuple[str, bytes]] = {}
    for path in warc_files(layout, include_open=False):
        for stored in iter_records(path, ReadOptions(keep_body=is_wanted)):
            if stored.body is not None:
                content_type = stored.record.http_headers.get_header("Content-Type") or ""
                found[stored.header("WARC-Target-URI")] = (content_type, stored.content())
    return found
