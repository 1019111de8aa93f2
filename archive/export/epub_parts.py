"""The EPUB's fixed parts: package document, navigation (by year, then month) and NCX.

Strings from the archive are XML-escaped and stripped of characters XML forbids (``x``), so a
hostile title cannot break the book. The navigation nests years, months and posts; a year or
month entry opens its first post, so older readers (the NCX) can follow it too.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from archive.export.post import PostView

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
XHTML = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
         '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
         'xml:lang="{lang}" lang="{lang}">\n<head><meta charset="utf-8"/><title>{title}</title></head>'
         '\n<body>\n{body}\n</body>\n</html>\n')
CONTAINER = ('<?xml version="1.0" encoding="utf-8"?>\n<container version="1.0" '
             'xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n<rootfiles><rootfile '
             'full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
             '\n</container>\n')

# (label, chapter number it opens, entries under it): years, their months, their posts
Entry = tuple[str, int, list["Entry"]]


def x(text: str) -> str:
    """Text for XML: escaped, characters XML cannot hold dropped."""
    return html.escape(clean(text), quote=True)


def clean(markup: str) -> str:
    return _NOT_XML.sub("", markup)


def chapter_file(number: int) -> str:
    return f"post-{number:05d}.xhtml"


def contents(views: list[PostView]) -> list[Entry]:
    """Years, their months, their posts, in the book's order (undated posts in one group)."""
    years: dict[str, dict[str, list[Entry]]] = {}
    for number, view in enumerate(views, 1):
        date = view.published or ""
        year = date[:4] if date[:4].isdigit() else "Undated"
        month = f"{_month(date)} {year}".strip() if year != "Undated" else ""
        years.setdefault(year, {}).setdefault(month, []).append((_label(view), number, []))
    toc: list[Entry] = []
    for year, months in years.items():
        if year == "Undated":
            toc.append((year, months[""][0][1], months[""]))
        else:
            under: list[Entry] = [(month, posts[0][1], posts) for month, posts in months.items()]
            toc.append((year, under[0][1], under))
    return toc


def _month(date: str) -> str:
    number = date[5:7]
    return MONTHS[int(number) - 1] if number.isdigit() and 1 <= int(number) <= 12 else ""


def _label(view: PostView) -> str:
    return f"{(view.published or 'undated')[:10]} · {view.title}"


def nav(toc: list[Entry], title: str, language: str) -> str:
    body = f'<nav epub:type="toc" id="toc"><h1>{x(title)}</h1>{_nav_list(toc)}</nav>'
    return XHTML.format(lang=x(language), title=x(title), body=body)


def _nav_list(entries: list[Entry]) -> str:
    return "<ol>" + "".join(
        f'<li><a href="{chapter_file(n)}">{x(label)}</a>{_nav_list(under) if under else ""}</li>'
        for label, n, under in entries) + "</ol>"


def ncx(toc: list[Entry], title: str, identity: str) -> str:
    counter = iter(range(1, 1 << 30))

    def points(entries: list[Entry]) -> str:
        return "".join(
            f'<navPoint id="p{next(counter)}" playOrder="{n}"><navLabel><text>{x(label)}</text>'
            f'</navLabel><content src="{chapter_file(n)}"/>{points(under)}</navPoint>'
            for label, n, under in entries)

    return ('<?xml version="1.0" encoding="utf-8"?>\n<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/"'
            f' version="2005-1"><head><meta name="dtb:uid" content="{x(identity)}"/></head>'
            f"<docTitle><text>{x(title)}</text></docTitle><navMap>{points(toc)}</navMap></ncx>\n")


def opf(views: list[PostView], title: str, language: str, identity: str,
        images: list[tuple[str, str]]) -> str:
    """The package document; ``images`` are ``(path in OEBPS, media type)``."""
    modified = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    authors = sorted({v.author for v in views if v.author})
    creators = "".join(f"<dc:creator>{x(a)}</dc:creator>" for a in authors[:20])
    chapters = range(1, len(views) + 1)
    manifest = "".join(f'<item id="c{n}" href="{chapter_file(n)}" '
                       'media-type="application/xhtml+xml"/>' for n in chapters)
    manifest += "".join(f'<item id="i{n}" href="{x(path)}" media-type="{x(kind)}"/>'
                        for n, (path, kind) in enumerate(images, 1))
    spine = "".join(f'<itemref idref="c{n}"/>' for n in chapters)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<package xmlns="http://www.idpf.org/2007/opf" '
        'version="3.0" unique-identifier="uid"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:identifier id="uid">{x(identity)}</dc:identifier><dc:title>{x(title)}</dc:title>'
        f"<dc:language>{x(language)}</dc:language>{creators}"
        f'<meta property="dcterms:modified">{modified}</meta></metadata><manifest>'
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        f'<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>{manifest}'
        f'</manifest><spine toc="ncx">{spine}</spine></package>\n')
