"""The elements blog themes wrap a post's body in: where the extractor and the crawler look first.

Kept apart from ``body`` (which needs trafilatura) because the crawler reads a post's attachments
from the same container on its event loop: importing the extractor there cost every crawl 0.3 s
of start-up and ~10 MB, for one CSS selector list.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from archive.extract.dom import css, only_match

MAIN_CONTAINERS = tuple(css(c) for c in (
    "article.post .entry-content", "article .entry-content", ".wp-block-post-content",
    ".post-content", "[itemprop='articleBody']", ".entry-content", ".post .entry",
    ".post-body", ".storycontent",
    # Page builders: Elementor Pro's post-content widget, Divi's theme-builder post content.
    ".elementor-widget-theme-post-content > .elementor-widget-container", ".et_pb_post_content",
))


def main_container(root: HtmlElement) -> HtmlElement | None:
    """The single element holding the post body, or None (listing, or an unknown theme)."""
    return only_match(root, MAIN_CONTAINERS)
