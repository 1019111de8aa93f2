"""The reading copy's Markdown made into HTML, or pointed somewhere else, for every reader.

The Markdown is ours (``archive/extract/markdown.py`` escapes everything the page said), but the
renderer still treats it as untrusted: markdown-it-py runs with raw HTML off (a ``<script>`` in
the text stays text) and its own link validation (no ``javascript:``). GFM tables, strikethrough
and footnotes are on, as in the writer.

Readers differ only in where URLs lead, so each passes one function (``Relink``): the web reader
sends images to the archive and links to other archived posts to their reading view; the EPUB
sends images into the book; the Markdown export sends both to files beside the post.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin


@dataclass(frozen=True)
class Target:
    """Where a URL of the Markdown leads in one reader, and how the link says so."""

    url: str
    leaves_archive: bool = False


Relink = Callable[[str, bool], Target]  # (url, is_image) -> where it leads


def keep(url: str, is_image: bool) -> Target:
    """The default: every URL as archived (``show --format html``)."""
    return Target(url)


def _parser() -> MarkdownIt:
    return (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
            .enable(["table", "strikethrough"]).use(footnote_plugin))


_MD = _parser()


def urls(markdown: str) -> list[tuple[str, bool]]:
    """Every link and image URL of the Markdown, in order: ``(url, is_image)``."""
    found: list[tuple[str, bool]] = []
    for token in _walk(_MD.parse(markdown)):
        if token.type == "link_open":
            found.append((str(token.attrGet("href") or ""), False))
        elif token.type == "image":
            found.append((str(token.attrGet("src") or ""), True))
    return found


def _walk(tokens: list[Token]) -> list[Token]:
    flat: list[Token] = []
    for token in tokens:
        flat.append(token)
        if token.children:
            flat.extend(_walk(token.children))
    return flat


def to_html(markdown: str, relink: Relink = keep, xhtml: bool = False) -> str:
    """Safe HTML of the Markdown, every URL passed through ``relink``.

    A link that leaves the archive gets ``class="external"`` and ``rel="noopener noreferrer"``,
    so a reader can mark it. ``xhtml``: void elements closed, for EPUB.
    """
    parser = _parser() if xhtml else _MD
    if xhtml:
        parser.options["xhtmlOut"] = True
    env: dict[str, object] = {}
    tokens = parser.parse(markdown, env)
    for token in _walk(tokens):
        if token.type == "link_open":
            href = str(token.attrGet("href") or "")
            if href.startswith("#"):
                continue  # footnote links stay inside the page
            target = relink(href, False)
            token.attrSet("href", target.url)
            if target.leaves_archive:
                token.attrSet("class", "external")
                token.attrSet("rel", "noopener noreferrer")
                token.attrSet("title", f"Leaves the archive: {href}")
        elif token.type == "image":
            token.attrSet("src", relink(str(token.attrGet("src") or ""), True).url)
            token.attrSet("loading", "lazy")
    return str(parser.renderer.render(tokens, parser.options, env))


_TARGET = re.compile(r"(?<!\\)\]\(([^()\s]+)\)")


def relink_markdown(markdown: str, mapping: dict[str, str]) -> str:
    """The Markdown with link and image targets replaced as ``mapping`` says (exports).

    Targets are written by ``archive/extract/markdown.py`` as ``](url)`` with spaces and brackets
    percent-encoded and every ``]`` of the text escaped, so this pattern finds exactly them.
    """
    if not mapping:
        return markdown
    return _TARGET.sub(lambda m: f"]({mapping.get(m.group(1), m.group(1))})", markdown)
