"""The post body as clean text: WordPress chrome removed structurally, then trafilatura.

Chrome (comment forms, Jetpack sharing/likes/related posts, widgets, cookie banners, ads,
navigation) is removed from the lxml tree *before* trafilatura sees it, by the containers WordPress
and Jetpack render it in. Text is never filtered by phrase, so a post that quotes "Leave a Reply"
keeps the quote. When the page has one post container (``.entry-content`` and friends) only that
container is given to trafilatura, which keeps the title, dateline and footer out of the text by
construction.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml.html import HtmlElement, tostring

from archive.extract.dom import select
from archive.extract.render import render_container

CHROME = (
    "script", "style", "noscript", "template", "iframe",
    "#comments", ".comments-area", "#respond", ".comment-respond", "#commentform",
    ".comment-list", "ol.commentlist", ".commentlist", ".wp-block-comments",
    ".wp-block-post-comments-form", ".wp-block-comments-query-loop", ".comments-closed",
    "p.nocomments", ".nocomments",
    ".sharedaddy", "#jp-post-flair", ".sd-sharing-enabled", ".sd-like", ".wpl-likebox",
    "#jp-relatedposts", ".jp-relatedposts", ".jetpack-likes-widget-wrapper",
    ".post-navigation", ".navigation", ".nav-links", ".author-bio", ".author-info",
    "#secondary", ".widget-area", ".widget", ".jetpack_subscription_widget",
    ".wp-block-jetpack-subscriptions", "#cookie-law-info-bar", ".cookie-notice",
    "#eu-cookie-law", ".wpcnt", "[class*='wordads-']", ".wordads-ad-wrapper", ".adsbygoogle",
    "#wpadminbar", ".skip-link", ".screen-reader-text", ".wp-block-post-navigation-link",
    "#actionbar", ".actnbr-container", ".postmetadata",
    # Plugins that append to the_content: related posts, sharing, author boxes, newsletters,
    # cookie banners.
    ".yarpp-related", ".yarpp", ".crp_related", ".addtoany_share_save_container", ".a2a_kit",
    ".shared-counts-wrap", ".social-warfare", ".swp_social_panel", "#mc_embed_signup",
    ".mailpoet_form", ".mailpoet_form_popup_overlay", ".saboxplugin-wrap", ".author-box",
    ".cky-consent-container", ".cmplz-cookiebanner", "#cookie-notice",
    ".elementor-widget-share-buttons", ".elementor-widget-author-box",
    ".elementor-widget-post-navigation", ".elementor-widget-post-info",
)
# Title, dateline and footer: removed only when the whole page (not a content container) is used.
_HEADER_CHROME = (
    "header", "footer", "nav", "h1", ".entry-header", ".entry-meta", ".entry-footer", ".posted-on",
    ".byline", ".dateline", ".post-meta", ".wp-block-post-title", ".wp-block-post-date",
    ".wp-block-post-terms", ".wp-block-post-author", ".wp-block-post-author-name", "form",
)
MAIN_CONTAINERS = (
    "article.post .entry-content", "article .entry-content", ".wp-block-post-content",
    ".post-content", "[itemprop='articleBody']", ".entry-content", ".post .entry",
    ".post-body", ".storycontent",
    # Page builders: Elementor Pro's post-content widget, Divi's theme-builder post content.
    ".elementor-widget-theme-post-content > .elementor-widget-container", ".et_pb_post_content",
)
_SPACES = re.compile(r"[ \t\r\f\v]+")
# trafilatura turns no-break spaces into plain ones; they are the author's, so they are carried
# through it as a private-use character and restored afterwards.
_NBSP, _NBSP_STANDIN = "\u00a0", "\ue000"


@dataclass(frozen=True)
class BodyOptions:
    """How the body is found and rendered; defaults were chosen by measuring the fixtures.

    On tests/fixtures/pages (41 posts with a known body, exact text match): scoped container
    rendered by ``render.render_container`` 41/41; scoped + trafilatura ``favor_recall`` 31/41,
    default 31/41, ``favor_precision`` 30/41 (captions, blockquote citations, ordered-list
    numbers, code indentation and ``<br><br>`` paragraphs lost; short posts flattened); pruned
    whole page + trafilatura 29/41; plain ``trafilatura.extract`` 0/41. trafilatura still handles
    pages without a known container. ``deduplicate`` must stay off: trafilatura keeps its
    duplicate cache process-wide, so one page's paragraphs suppress the next page's.
    """

    favor_precision: bool = False
    favor_recall: bool = True
    include_tables: bool = True
    deduplicate: bool = False
    scope_to_container: bool = True
    render_container: bool = True


def main_container(root: HtmlElement) -> HtmlElement | None:
    """The single element holding the post body, or None (listing, or an unknown theme)."""
    for css in MAIN_CONTAINERS:
        found = select(root, css)
        if len(found) == 1:
            return found[0]
    return None


def prune(root: HtmlElement, selectors: tuple[str, ...]) -> None:
    """Remove every element matching any selector, keeping the text that follows it."""
    for css in selectors:
        for el in select(root, css):
            if el.getparent() is not None:
                el.drop_tree()


def _document(root: HtmlElement, options: BodyOptions) -> tuple[str, bool]:
    """HTML to hand to trafilatura: the container alone when there is one, else the pruned page."""
    container = main_container(root) if options.scope_to_container else None
    lang = root.get("lang") or ""
    if container is not None:
        scoped = copy.deepcopy(container)
        scoped.tail = None
        prune(scoped, CHROME)
        inner = tostring(scoped, encoding="unicode")
        html = f'<html lang="{lang}"><body><article>{inner}</article></body></html>'
        return html.replace(_NBSP, _NBSP_STANDIN), True
    page = copy.deepcopy(root)
    prune(page, CHROME + _HEADER_CHROME)
    return tostring(page, encoding="unicode").replace(_NBSP, _NBSP_STANDIN), False


def _inline(el: etree._Element) -> str:
    """Text of a paragraph-like element; ``<lb/>`` becomes a line break."""
    parts: list[str] = []
    for node in el.iter():
        if node is not el and node.tag == "lb":
            parts.append("\n")
        elif node.text and node.tag not in ("graphic",):
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _blocks(el: etree._Element) -> list[str]:
    """Paragraph texts of one element of trafilatura's output tree."""
    tag = el.tag
    if tag == "list":
        items = [_inline(item) for item in el.iter("item")]
        return ["\n".join(f"- {item}" for item in items if item)]
    if tag == "table":
        rows = [" | ".join(_inline(c) for c in row.iter("cell")) for row in el.iter("row")]
        return ["\n".join(r for r in rows if r.strip(" |"))]
    if tag in ("quote", "div") and any(c.tag in ("p", "list", "head", "quote") for c in el):
        return [b for child in el for b in _blocks(child)]
    if tag == "graphic":
        return []
    return [_inline(el)]


def render(body: etree._Element) -> str:
    """trafilatura's XML body as paragraphs separated by a blank line."""
    blocks = [b for child in body for b in _blocks(child)]
    return "\n\n".join(b for b in blocks if b.strip())


def extract_body(root: HtmlElement, url: str, options: BodyOptions | None = None) -> str:
    """Clean body text of the post in ``root`` ("" when nothing is found)."""
    options = options or BodyOptions()
    container = main_container(root) if options.scope_to_container else None
    if container is not None and options.render_container:
        scoped = copy.deepcopy(container)
        scoped.tail = None
        prune(scoped, CHROME)
        return render_container(scoped)
    document, _scoped = _document(root, options)
    result = trafilatura.bare_extraction(
        document,
        url=url,
        include_comments=False,
        include_tables=options.include_tables,
        favor_precision=options.favor_precision,
        favor_recall=options.favor_recall,
        deduplicate=options.deduplicate,
        with_metadata=False,
    )
    body = getattr(result, "body", None)
    text = render(body) if body is not None else ""
    return text.replace(_NBSP_STANDIN, _NBSP)
