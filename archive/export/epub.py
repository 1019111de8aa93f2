"""EPUB 3 export: the selected posts as one book, oldest first, table of contents by date.

Written with ``zipfile`` and string templates (no EPUB library): the format's required parts are
few, and keeping them explicit makes the output easy to check with epubcheck. Every string from the
archive is XML-escaped, and characters XML forbids are dropped, so hostile posts cannot break the
book. Chapters are grouped by year in the navigation document (and the NCX for older readers).
"""

from __future__ import annotations

import html
import re
import uuid
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

from archive.catalog import Catalog
from archive.catalog.selection import PostFilter
from archive.export.post import Damaged, PostView, selected_views, to_html
from archive.layout import Layout

Progress = Callable[[int, int], None]
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XHTML = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
         '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
         'xml:lang="{lang}" lang="{lang}">\n<head><meta charset="utf-8"/><title>{title}</title></head>'
         '\n<body>\n{body}\n</body>\n</html>\n')
CONTAINER = ('<?xml version="1.0" encoding="utf-8"?>\n<container version="1.0" '
             'xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n<rootfiles><rootfile '
             'full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
             '\n</container>\n')


class EmptySelection(ValueError):
    """No post matches: an empty book is not a book."""


def export_epub(layout: Layout, catalog: Catalog, post_filter: PostFilter, target: Path,
                title: str | None = None, progress: Progress | None = None,
                damaged: Damaged | None = None) -> int:
    """Write one EPUB of the selected posts to ``target``; returns the number of chapters."""
    views = selected_views(layout, catalog, post_filter, damaged)
    if not views:
        raise EmptySelection("no posts match this selection: nothing to put in a book")
    book_title = title or "Blog archive" + (f": {post_filter.describe()}" if post_filter.describe()
                                            else "")
    language = next((v.language for v in views if v.language), None) or "en"
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip",
                      compress_type=zipfile.ZIP_STORED)  # first and uncompressed, as EPUB requires
        book.writestr("META-INF/container.xml", CONTAINER)
        for number, view in enumerate(views, 1):
            book.writestr(f"OEBPS/{_chapter(number)}", XHTML.format(
                lang=_x(language), title=_x(view.title), body=_clean(to_html(view, False))))
            if progress:
                progress(number, len(views))
        book.writestr("OEBPS/nav.xhtml", _nav(views, book_title, language))
        identity = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, chr(10).join(v.url for v in views))}"
        book.writestr("OEBPS/toc.ncx", _ncx(views, book_title, identity))
        book.writestr("OEBPS/content.opf", _opf(views, book_title, language, identity))
    temporary.replace(target)
    return len(views)


def _chapter(number: int) -> str:
    return f"post-{number:05d}.xhtml"


def _x(text: str) -> str:
    return html.escape(_NOT_XML.sub("", text), quote=True)


def _clean(markup: str) -> str:
    return _NOT_XML.sub("", markup)


def _label(view: PostView) -> str:
    return f"{(view.published or 'undated')[:10]} · {view.title}"


def _nav(views: list[PostView], title: str, language: str) -> str:
    numbered = list(enumerate(views, 1))
    years = []
    for year, group in groupby(numbered, key=lambda item: (item[1].published or "undated")[:4]):
        items = "".join(f'<li><a href="{_chapter(n)}">{_x(_label(v))}</a></li>' for n, v in group)
        years.append(f'<li><a href="{_chapter(_first(numbered, year))}">{_x(year)}</a>'
                     f"<ol>{items}</ol></li>")
    body = (f'<nav epub:type="toc" id="toc"><h1>{_x(title)}</h1><ol>{"".join(years)}</ol></nav>')
    return XHTML.format(lang=_x(language), title=_x(title), body=body)


def _first(numbered: list[tuple[int, PostView]], year: str) -> int:
    return next(n for n, v in numbered if (v.published or "undated")[:4] == year)


def _ncx(views: list[PostView], title: str, identity: str) -> str:
    points = "".join(
        f'<navPoint id="p{n}" playOrder="{n}"><navLabel><text>{_x(_label(v))}</text></navLabel>'
        f'<content src="{_chapter(n)}"/></navPoint>' for n, v in enumerate(views, 1))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/"'
            f' version="2005-1"><head><meta name="dtb:uid" content="{_x(identity)}"/></head>'
            f"<docTitle><text>{_x(title)}</text></docTitle><navMap>{points}</navMap></ncx>\n")


def _opf(views: list[PostView], title: str, language: str, identity: str) -> str:
    modified = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    authors = sorted({v.author for v in views if v.author})
    creators = "".join(f"<dc:creator>{_x(a)}</dc:creator>" for a in authors[:20])
    manifest = "".join(f'<item id="c{n}" href="{_chapter(n)}" media-type="application/xhtml+xml"/>'
                       for n in range(1, len(views) + 1))
    spine = "".join(f'<itemref idref="c{n}"/>' for n in range(1, len(views) + 1))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<package xmlns="http://www.idpf.org/2007/opf" '
        'version="3.0" unique-identifier="uid"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:identifier id="uid">{_x(identity)}</dc:identifier><dc:title>{_x(title)}</dc:title>'
        f"<dc:language>{_x(language)}</dc:language>{creators}"
        f'<meta property="dcterms:modified">{modified}</meta></metadata><manifest>'
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        f'<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>{manifest}'
        f'</manifest><spine toc="ncx">{spine}</spine></package>\n')
