"""Markdown export: one ``.md`` file per post, YAML front matter, folders by site and year.

The folder reads offline in any Markdown viewer and can be moved as a whole: every image of a post
(its body's and its ``og:image``) that the WARCs hold is copied out into ``DIR/assets/`` and linked
relatively, and a link to another exported post points to that post's ``.md`` file. An image that
was never captured keeps its original URL (the only honest link) and is counted in the report.
File names reuse the archive's own scheme (slug plus URL hash), so they never collide or escape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from archive.catalog import Catalog
from archive.catalog.selection import PostFilter
from archive.export.images import find_images
from archive.export.links import (
    Copies,
    Exported,
    image_urls,
    markdown_targets,
    relative,
    texts,
)
from archive.export.post import Damaged, PostView, selected_views, to_markdown
from archive.extract.markdown import link_target
from archive.layout import Layout, safe_component, slug_for, url_hash, write_atomic
from archive.markdown_html import relink_markdown
from archive.urls import url_key

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class MarkdownReport:
    posts: int
    assets: int          # image files copied into ``assets/``
    images_missing: int  # images shown by their original URL: never captured (or unreadable)


def export_markdown(layout: Layout, catalog: Catalog, post_filter: PostFilter, target: Path,
                    progress: Progress | None = None,
                    damaged: Damaged | None = None) -> MarkdownReport:
    """Write the selected posts under ``target``; returns how many posts and images."""
    views = selected_views(layout, catalog, post_filter, damaged)
    exported = Exported((view.url, post_file(view)) for view in views)
    wanted = {url for view in views for text in texts(view) for url in image_urls(text)}
    wanted |= {view.image for view in views if view.image}
    copies = Copies(layout, find_images(layout, wanted), "assets",
                    lambda path, body: write_atomic(target / path, body))
    for number, view in enumerate(views, 1):
        here = post_file(view)
        write_atomic(target / here, exported_markdown(view, here, exported, copies).encode("utf-8"))
        if progress:
            progress(number, len(views))
    return MarkdownReport(posts=len(views), assets=len(copies.copied),
                          images_missing=len(copies.missing))


def exported_markdown(view: PostView, here: str, exported: Exported, copies: Copies) -> str:
    """The post's Markdown file at ``here``, its links and images pointing into the export."""
    body_images = {url_key(url) for text in texts(view) for url in image_urls(text)}
    mapping = {written: link_target(relative(here, local))
               for text in texts(view) for written in markdown_targets(text)
               if (local := _local(written, body_images, exported, copies))}
    header = None
    if view.image and url_key(view.image) not in body_images:  # shown once, not twice
        copy = copies.path(view.image)
        header = link_target(relative(here, copy)) if copy else view.image
    comments = [replace(c, markdown=relink_markdown(c.markdown, mapping)) for c in view.comments]
    return to_markdown(replace(view, markdown=relink_markdown(view.markdown, mapping),
                               comments=comments), image_link=header)


def _local(written: str, images: set[str], exported: Exported, copies: Copies) -> str | None:
    """The file in the export a target leads to: another post's, or an image's copy."""
    other = exported.file_of(written)
    if other is not None:
        return other
    key = url_key(written)
    return copies.path(written) if key in images or key in copies.archived else None


def post_file(view: PostView) -> str:
    """``<site>/<year>/<slug>-<hash>.md``: the archive's text-file naming, by publication year."""
    year = (view.published or "")[:4]
    folder = year if year.isdigit() else "undated"
    site = safe_component(view.site.replace(":", "_")) or "site"
    return f"{site}/{folder}/{slug_for(view.url)}-{url_hash(view.url)}.md"


def markdown_path(target: Path, view: PostView) -> Path:
    return target / post_file(view)
