"""Where a post's links and images lead inside one export: other exported posts, copied images.

An export is a set of files that must read offline and be movable as a whole, so every link in it
is relative: a link to another exported post points to that post's file (a Markdown file, an EPUB
chapter), an image to its copy beside them. Anything else keeps its URL and leaves the export.
Posts are matched by ``canonical_url`` (the catalog's key: no fragment, no tracking parameters),
then ``url_key`` (the percent-encoding a link may write differently).
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from archive.export.images import ArchivedImage, media_type, read_image
from archive.export.post import PostView
from archive.layout import Layout, slug_for, url_hash
from archive.markdown_html import urls
from archive.urls import BadURL, canonical_url, url_key

# A link or image target as ``archive/extract/markdown.py`` writes it: the pattern
# ``archive.markdown_html.relink_markdown`` replaces, so the mapping built here matches its keys.
_TARGET = re.compile(r"(?<!\\)\]\(([^()\s]+)\)")


def post_key(url: str) -> str:
    """One key for every way a link names a post."""
    try:
        return url_key(canonical_url(url))
    except BadURL:
        return url_key(url)


def relative(here: str, there: str) -> str:
    """``there`` as a link from the file ``here`` (both relative to the export's root)."""
    return posixpath.relpath(there, posixpath.dirname(here) or ".")


def markdown_targets(markdown: str) -> list[str]:
    """The link and image targets written in the Markdown, each once, in order; only those the
    Markdown parser reads as links (a ``](...)`` inside code is text and is left alone)."""
    parsed = {url_key(url) for url, _ in urls(markdown)}
    written = dict.fromkeys(_TARGET.findall(markdown))
    return [target for target in written if url_key(target) in parsed]


def image_urls(markdown: str) -> list[str]:
    return [url for url, is_image in urls(markdown) if is_image]


def texts(view: PostView) -> list[str]:
    """A post's Markdown texts: its body and its comments' (each may link and show images)."""
    return [view.markdown, *(c.markdown for c in view.comments if c.markdown)]


class Exported:
    """The posts of one export, each at its file (relative to the export's root)."""

    def __init__(self, files: Iterable[tuple[str, str]]) -> None:
        self._files = {post_key(url): path for url, path in files}

    def file_of(self, url: str) -> str | None:
        return self._files.get(post_key(url))


@dataclass
class Copies:
    """Images copied out of the WARCs on first use, each once, and those that could not be.

    ``write(path, bytes)`` stores a copy; ``folder`` is where copies go. ``core_only`` (EPUB)
    copies only PNG, JPEG and GIF, the image types every reader shows, recognised by their bytes.
    """

    layout: Layout
    archived: dict[str, ArchivedImage]  # url key -> capture (``find_images``)
    folder: str
    write: Callable[[str, bytes], None]
    core_only: bool = False
    copied: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> path, media type
    missing: set[str] = field(default_factory=set)      # shown, never captured (or unreadable)
    unsupported: set[str] = field(default_factory=set)  # captured, in a type the book cannot hold

    def path(self, url: str) -> str | None:
        """The copy of the image at ``url`` (relative to the export's root); None, and counted,
        when there is none."""
        key = url_key(url)
        if key in self.copied:
            return self.copied[key][0]
        if key in self.missing or key in self.unsupported:
            return None
        image = self.archived.get(key)
        body = read_image(self.layout, image) if image else None
        if image is None or body is None:
            self.missing.add(key)
            return None
        kind = media_type(body) or ("" if self.core_only else image.content_type)
        if not kind:
            self.unsupported.add(key)
            return None
        path = f"{self.folder}/{asset_name(url, kind)}"
        self.write(path, body)
        self.copied[key] = (path, kind)
        return path


def asset_name(url: str, content_type: str) -> str:
    """``<slug>-<hash>.<ext>``: the archive's file naming, the extension from the type."""
    kind = content_type.split(";")[0].strip().lower()
    extension = {"image/jpeg": ".jpg"}.get(kind) or mimetypes.guess_extension(kind) or ".bin"
    return f"{slug_for(url)}-{url_hash(url)}{extension}"
