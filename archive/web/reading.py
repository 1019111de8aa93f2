"""The reading copy of one version as the reader shows it: its Markdown made HTML, kept inside.

The Markdown and its images come from the version's sidecar (``reading_copy``, shared with the
exports; a version archived before Markdown existed gives its text, escaped).
``archive.markdown_html`` renders it with raw HTML off, every URL through ``ArchiveLinks``
(``relink.py``). Then three shapes Markdown cannot say are restored from markdown-it's own output,
whose form is fixed (attributes quoted and escaped, one paragraph per line):

- a paragraph holding one image is a ``<figure>``, and the emphasised paragraph after it, when the
  sidecar says the image has a caption, its ``<figcaption>``;
- an image that was never archived is a placeholder with its alt text, never a broken image;
- a quote's last paragraph that starts with "— " (how the extractor writes a citation) is its
  ``<footer>``.

Comments render their ``markdown`` the same way when they have one, else their escaped text.
"""

from __future__ import annotations

import html
import re
import sqlite3
from typing import Any

from markupsafe import Markup

from archive.catalog import Catalog
from archive.export.post import reading_copy
from archive.layout import Layout
from archive.markdown_html import to_html, urls
from archive.web.filters import paragraphs
from archive.web.relink import NOT_ARCHIVED, ArchiveLinks, archived_posts
from archive.web.warcindex import WarcIndex, timestamp_of

_ALONE = re.compile(r'<p>(?P<img><img src="(?P<src>[^"]*)"[^>]*>)</p>\n'
                    r"(?:<p><em>(?P<caption>(?:(?!</em>)[^\n])*)</em></p>\n)?")
_IMAGE = re.compile(r'<img src="(?P<src>[^"]*)" alt="(?P<alt>[^"]*)"[^>]*>')
_CITATION = re.compile(r"<p>(?P<cite>— [^\n]*)</p>\n</blockquote>")


def render_version(layout: Layout, catalog: Catalog, index: WarcIndex, row: sqlite3.Row,
                   text: str, comments: list[dict[str, Any]]) -> Markup:
    """The body of version ``row`` as HTML; each comment gets its own as ``html``.

    ``text`` is the version's plain text, shown escaped when the sidecar has no Markdown.
    """
    markdown, images = reading_copy(layout, row, text)
    sources = [markdown, *(_markdown_of(c) for c in comments)]
    links = [url for source in sources for url, is_image in urls(source) if not is_image]
    relink = ArchiveLinks(index, timestamp_of(str(row["captured_at"])),
                          archived_posts(catalog, links))
    captioned = {str(i["url"]) for i in images if i.get("caption")}
    for comment in comments:
        source = _markdown_of(comment)
        comment["html"] = (render(source, relink, captioned) if source
                           else paragraphs(str(comment.get("text") or "")))
    return render(markdown, relink, captioned)


def _markdown_of(comment: dict[str, Any]) -> str:
    markdown = comment.get("markdown")
    return markdown if isinstance(markdown, str) and markdown.strip() else ""


def render(markdown: str, relink: ArchiveLinks, captioned: set[str]) -> Markup:
    """Markdown as safe HTML, with figures, placeholders and citations (module docstring)."""
    rendered = to_html(markdown, relink)

    def figure(match: re.Match[str]) -> str:
        caption = match.group("caption")
        source = relink.images.get(html.unescape(match.group("src")), "")
        if caption is not None and source not in captioned:
            return f"<figure>{match.group('img')}</figure>\n<p><em>{caption}</em></p>\n"
        inner = f"<figcaption>{caption}</figcaption>" if caption is not None else ""
        return f"<figure>{match.group('img')}{inner}</figure>\n"

    rendered = _ALONE.sub(figure, rendered)
    rendered = _IMAGE.sub(lambda m: _placeholder(m) if html.unescape(m.group("src")).startswith(
        NOT_ARCHIVED) else m.group(0), rendered)
    rendered = _CITATION.sub(r'<footer class="citation">\g<cite></footer>\n</blockquote>', rendered)
    return Markup(rendered)


def _placeholder(match: re.Match[str]) -> str:
    """An unarchived image: its alt text in a box that says so (both already escaped)."""
    alt = match.group("alt")
    said = f": {alt}" if alt.strip() else ""
    return (f'<span class="image-missing" role="img" aria-label="Image not archived{said}" '
            f'title="This image was never captured">Image not archived{said}</span>')
