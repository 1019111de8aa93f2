"""One archived post as readers want it: metadata, body text and comment thread, in text formats.

Shared by ``show --format`` and the exporters so a post reads the same in the terminal, in a
Markdown file and in an EPUB chapter. HTML output escapes everything taken from the archive: a post
is untrusted input.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import Any

from archive.catalog import Catalog
from archive.catalog.selection import PostFilter, selected, terms_of, unreadable_terms
from archive.export.thread import Comment, thread
from archive.extract.markdown import escape
from archive.layout import Layout
from archive.markdown_html import Relink, keep
from archive.markdown_html import to_html as markdown_to_html

_BLOCK_START = re.compile(r"^([#>+=-])")  # a heading, quote, list item, rule or underline
_ORDINAL = re.compile(r"^(\d+)([.)])")  # an ordered list item


@dataclass(frozen=True)
class PostView:
    post_id: int
    url: str
    site: str
    title: str
    author: str | None
    published: str | None
    modified: str | None
    categories: list[str]
    tags: list[str]
    version: int
    captured_at: str
    body: str
    warc_file: str
    warc_offset: int
    image: str | None = None
    language: str | None = None
    deleted_at: str | None = None
    comments: list[Comment] = field(default_factory=list)
    # The body as Markdown and its images (``{"url", "alt", "caption"}``), from the sidecar; for a
    # version archived before Markdown existed, the text's paragraphs escaped (``reindex`` makes
    # the real one).
    markdown: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["comment_count"] = len(self.comments)
        return data


class PostUnreadable(ValueError):
    """A catalog row that cannot be shown (its text path points outside the archive)."""


def load_post(layout: Layout, catalog: Catalog, row: sqlite3.Row) -> PostView:
    """The view of a ``Catalog.latest``/``find`` row: reads its text file and comments.

    Unreadable categories or tags are shown empty (``unreadable_terms`` counts them); a text path
    outside the archive raises ``PostUnreadable``.
    """
    try:
        path = layout.resolve(row["text_path"])
    except ValueError:
        raise PostUnreadable(f"post {row['post_id']}: its text path {row['text_path']!r} points "
                             "outside the archive (`blogarchive reindex` rebuilds the catalog "
                             "from the WARCs)") from None
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    _, _, body = text.partition("\n\n")
    markdown, images = reading_copy(layout, row, body.strip())
    return PostView(
        post_id=int(row["post_id"]), url=row["url"], site=row["site"],
        title=row["title"] or "(untitled)", author=row["author"], published=row["published"],
        modified=row["modified"], categories=terms_of(row, "categories"),
        tags=terms_of(row, "tags"), version=int(row["version"]),
        captured_at=row["captured_at"], body=body.strip(), warc_file=row["warc_file"],
        warc_offset=int(row["warc_offset"]), image=row["image"], language=row["language"],
        deleted_at=row["deleted_at"], comments=thread(catalog.comments(int(row["id"]))),
        markdown=markdown, images=images)


def reading_copy(layout: Layout, row: sqlite3.Row, body: str) -> tuple[str, list[dict[str, Any]]]:
    """Markdown and images from the version's sidecar; the escaped text when it has none."""
    try:
        sidecar = json.loads(layout.resolve(row["meta_path"]).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        sidecar = {}
    markdown = sidecar.get("markdown") if isinstance(sidecar, dict) else None
    if isinstance(markdown, str) and markdown.strip():
        images = [i for i in sidecar.get("images") or [] if isinstance(i, dict) and i.get("url")]
        return markdown, images
    return "\n\n".join(escape(p) for p in body.split("\n\n") if p.strip()), []


@dataclass
class Damaged:
    """Catalog rows an export got past: with unreadable categories or tags (exported without
    them) and unreadable posts (skipped, with the reason); one bad row must not stop an export."""

    repaired: int = 0
    skipped: list[str] = field(default_factory=list)


def selected_views(layout: Layout, catalog: Catalog, post_filter: PostFilter,
                   damaged: Damaged | None = None) -> list[PostView]:
    """The views of the selected posts, damaged rows repaired or skipped and counted."""
    damaged = damaged if damaged is not None else Damaged()
    views = []
    for row in selected(catalog, post_filter):
        damaged.repaired += bool(unreadable_terms(row))
        try:
            views.append(load_post(layout, catalog, row))
        except PostUnreadable as error:
            damaged.skipped.append(str(error))
    return views


def front_matter(view: PostView) -> str:
    """YAML front matter; values are JSON strings and lists, which YAML reads as they are.

    ``<``, ``>`` and ``&`` are written as ``\\u`` escapes (YAML and JSON read them back the same), so
    a renderer that shows the front matter as a table cannot meet a tag in it.
    """
    fields: dict[str, Any] = {
        "title": view.title, "author": view.author, "date": view.published,
        "modified": view.modified, "categories": view.categories, "tags": view.tags,
        "url": view.url, "site": view.site, "version": view.version,
        "captured": view.captured_at, "comments": len(view.comments),
        "deleted": view.deleted_at}
    lines = [f"{key}: {_inert_json(value)}" for key, value in fields.items()
             if value not in (None, "")]
    return "---\n" + "\n".join(lines) + "\n---\n"


def to_markdown(view: PostView, image_link: str | None = None) -> str:
    """Front matter, title, body paragraphs, then the comment thread as nested quotes."""
    parts = [front_matter(view), f"# {_md_line(view.title)}", ""]
    byline = " · ".join(x for x in (view.author, (view.published or "")[:10]) if x)
    if byline:
        parts += [f"*{_md_line(byline)}*", ""]
    if view.deleted_at:
        parts += [f"> {_md_line(deleted_sentence(view))}", ""]
    if image_link and _md_url(image_link):
        parts += [f"![]({_md_url(image_link)})", ""]
    parts += [view.markdown, ""]
    if view.comments:
        parts += [f"## Comments ({len(view.comments)})", ""]
        for comment in view.comments:
            quote = "> " * (comment.depth + 1)
            head = f"**{_md_line(comment.author or 'anonymous')}** {(comment.published or '')[:10]}"
            parts += [quote + head.strip(), quote.rstrip(),
                      *[(quote + line).rstrip() for line in comment_markdown(comment).splitlines()],
                      ""]
    return "\n".join(parts).rstrip() + "\n"


def comment_markdown(comment: Comment) -> str:
    """The comment's Markdown when it has one, else its text shown as it is (``text_markdown``)."""
    return comment.markdown.strip() if comment.markdown.strip() else text_markdown(comment.text)


def text_markdown(text: str) -> str:
    """Plain text as Markdown that shows exactly that text: every character that could start
    markup escaped (a ``<script>`` a commenter typed, ``*stars*``, a line ``1. like this``),
    paragraphs kept, lines kept as hard breaks."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [_ORDINAL.sub(r"\1\\\2", _BLOCK_START.sub(r"\\\1", escape(line.strip())))
                 for line in block.splitlines() if line.strip()]
        if lines:
            paragraphs.append("\\\n".join(lines))
    return "\n\n".join(paragraphs)


def to_text(view: PostView) -> str:
    """The terminal view: header lines, body, comment count."""
    lines = [view.title, "=" * min(len(view.title), 78)]
    for label, value in (("Published", view.published), ("Author", view.author),
                         ("Categories", ", ".join(view.categories)), ("Tags", ", ".join(view.tags)),
                         ("URL", view.url), ("Comments", str(len(view.comments))),
                         ("Deleted", f"seen gone on {(view.deleted_at or '')[:10]}"
                          if view.deleted_at else "")):
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines) + "\n\n" + view.body + "\n"


def deleted_sentence(view: PostView) -> str:
    """What every format says of a post the blog removed (empty for a live post)."""
    if not view.deleted_at:
        return ""
    return f"The blog removed this post: it was seen gone on {view.deleted_at[:10]}."


def body_html(view: PostView, relink: Relink = keep, xhtml: bool = False) -> str:
    """The body's Markdown as HTML (raw HTML off: a post is untrusted), URLs through ``relink``."""
    return markdown_to_html(view.markdown, relink, xhtml=xhtml)


def to_html(view: PostView, standalone: bool = True, relink: Relink = keep,
            xhtml: bool = False) -> str:
    """An article element (or a whole page): every archived string escaped, the body and the
    comments rendered from their Markdown with every URL passed through ``relink``."""
    esc = html.escape
    meta = " · ".join(esc(x) for x in (view.author or "", (view.published or "")[:10]) if x)
    labels = ", ".join(esc(x) for x in view.categories + view.tags)
    comments = "".join(
        f'<li style="margin-left:{c.depth * 2}em"><b>{esc(c.author or "anonymous")}</b> '
        f"<small>{esc((c.published or '')[:10])}</small>\n"
        f"{markdown_to_html(comment_markdown(c), relink, xhtml=xhtml)}</li>"
        for c in view.comments)
    gone = (f'<p class="deleted"><em>{esc(deleted_sentence(view))}</em></p>\n'
            if view.deleted_at else "")
    article = (f"<article>\n<h1>{esc(view.title)}</h1>\n<p><small>{meta}</small></p>\n" + gone
               + (f"<p><small>{labels}</small></p>\n" if labels else "")
               + body_html(view, relink, xhtml)
               + (f"\n<h2>Comments ({len(view.comments)})</h2>\n<ul>{comments}</ul>"
                  if comments else "")
               + f"\n<p><small>{_source_link(view.url)}</small></p>\n</article>")
    if not standalone:
        return article
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{esc(view.title)}</title></head>\n<body>\n{article}\n</body></html>\n")


def _source_link(url: str) -> str:
    """Where the post was archived from: a link only for an http(s) URL."""
    shown = html.escape(url)
    if not url.lower().startswith(("http://", "https://")):
        return shown
    return f'<a href="{html.escape(url, quote=True)}">{shown}</a>'


def md_text(text: str) -> str:
    """Archived text made inert in Markdown: what the page displayed stays text.

    A page may display ``<script>`` or ``<img onerror=...>`` as text; Markdown passes raw HTML
    through, so a renderer would run it. ``&``, ``<`` and ``>`` become entities (rendered back as
    the characters); backslashes and brackets are escaped so text cannot form a link either.
    Line structure (``- item`` lists, blank lines between blocks) is kept.
    """
    text = text.replace("\\", "\\\\").replace("[", r"\[").replace("]", r"\]")
    return html.escape(text, quote=False)


def _md_line(text: str) -> str:
    """One line of Markdown-safe text: no newlines, emphasis characters escaped."""
    return md_text(" ".join(text.split())).replace("*", r"\*").replace("_", r"\_")


def _md_url(url: str) -> str:
    """A link target that stays one link: http(s) or relative (else ""), its end characters encoded."""
    if ":" in url.split("/")[0] and not url.lower().startswith(("http://", "https://")):
        return ""
    return "".join(f"%{ord(c):02X}" if c in " ()<>\"\\" else c for c in url)


def _inert_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
