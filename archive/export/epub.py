"""EPUB 3 export: the selected posts as one book, oldest first, contents by year and month.

Written with ``zipfile`` and string templates (no EPUB library): the format's required parts are
few, and keeping them explicit makes the output easy to check with epubcheck. Each chapter is the
post's Markdown rendered as XHTML, raw HTML off (``archive/markdown_html.py``), every other string
XML-escaped (``epub_parts.py``), so a hostile post cannot break the book or run in it.

Where a chapter's URLs lead: an image the WARCs hold is embedded (``images/``, in the manifest with
the type its bytes are); a link to another post of the book opens that chapter; other links keep
their URL and are marked as leaving. A book may not load remote resources (readers refuse them and
epubcheck reports them), so an image never captured, or in a type readers need not show (only
PNG, JPEG and GIF are embedded), is replaced by its alt text, and the report counts it.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import Catalog
from archive.catalog.selection import PostFilter
from archive.export import epub_parts as parts
from archive.export.images import find_images
from archive.export.links import Copies, Exported, image_urls, relative, texts
from archive.export.post import Damaged, PostView, selected_views, to_html
from archive.layout import Layout
from archive.markdown_html import Relink, Target

Progress = Callable[[int, int], None]
# An image with no copy in the book is rendered with this source, then replaced by its alt text.
_LEFT_OUT = "blogarchive-left-out:"
_LEFT_OUT_IMG = re.compile(f'<img src="{_LEFT_OUT}" alt="([^"]*)"[^>]*>')
_LAZY = ' loading="lazy"'  # not in the HTML that EPUB 3 readers (and epubcheck) know


class EmptySelection(ValueError):
    """No post matches: an empty book is not a book."""


@dataclass(frozen=True)
class EpubReport:
    posts: int
    images: int              # image files embedded
    images_missing: int      # never captured (or unreadable): alt text instead
    images_unsupported: int  # captured, but not PNG, JPEG or GIF: alt text instead


def export_epub(layout: Layout, catalog: Catalog, post_filter: PostFilter, target: Path,
                title: str | None = None, progress: Progress | None = None,
                damaged: Damaged | None = None) -> EpubReport:
    """Write one EPUB of the selected posts to ``target``."""
    views = selected_views(layout, catalog, post_filter, damaged)
    if not views:
        raise EmptySelection("no posts match this selection: nothing to put in a book")
    book_title = title or "Blog archive" + (f": {post_filter.describe()}" if post_filter.describe()
                                            else "")
    language = next((v.language for v in views if v.language), None) or "en"
    exported = Exported((v.url, parts.chapter_file(n)) for n, v in enumerate(views, 1))
    wanted = {url for view in views for text in texts(view) for url in image_urls(text)}
    temporary = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip",
                      compress_type=zipfile.ZIP_STORED)  # first and uncompressed, as EPUB requires
        book.writestr("META-INF/container.xml", parts.CONTAINER)
        copies = Copies(layout, find_images(layout, wanted), "images",
                        lambda path, body: book.writestr(f"OEBPS/{path}", body), core_only=True)
        for number, view in enumerate(views, 1):
            book.writestr(f"OEBPS/{parts.chapter_file(number)}",
                          chapter(view, parts.chapter_file(number), exported, copies, language))
            if progress:
                progress(number, len(views))
        toc = parts.contents(views)
        book.writestr("OEBPS/nav.xhtml", parts.nav(toc, book_title, language))
        identity = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, chr(10).join(v.url for v in views))}"
        book.writestr("OEBPS/toc.ncx", parts.ncx(toc, book_title, identity))
        book.writestr("OEBPS/content.opf", parts.opf(views, book_title, language, identity,
                                                     list(copies.copied.values())))
    temporary.replace(target)
    return EpubReport(len(views), len(copies.copied), len(copies.missing),
                      len(copies.unsupported))


def chapter(view: PostView, here: str, exported: Exported, copies: Copies, language: str) -> str:
    """One post as an XHTML chapter: its article, every URL pointing into the book."""
    article = to_html(view, standalone=False, relink=book_relink(here, exported, copies),
                      xhtml=True)
    article = _LEFT_OUT_IMG.sub(_alt_text, article).replace(_LAZY, "")
    return parts.XHTML.format(lang=parts.x(language), title=parts.x(view.title),
                              body=parts.clean(article))


def book_relink(here: str, exported: Exported, copies: Copies) -> Relink:
    """Images to their copies in the book (or left out), links to chapters or marked leaving."""
    def relink(url: str, is_image: bool) -> Target:
        if is_image:
            copy = copies.path(url)
            return Target(relative(here, copy) if copy else _LEFT_OUT)
        other = exported.file_of(url)
        return Target(relative(here, other)) if other else Target(url, leaves_archive=True)
    return relink


def _alt_text(found: re.Match[str]) -> str:
    """An image left out, as words: its alt text (already escaped by the renderer)."""
    alt = found.group(1).strip()
    return (f'<span class="image-left-out">[image not in this book{": " + alt if alt else ""}]'
            "</span>")
