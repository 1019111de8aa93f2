"""The post container made ready for trafilatura: chrome pruned by markup, author text made visible.

Two kinds of change, both on the lxml tree and never on the text:

- **pruning**: the containers WordPress, Jetpack and common plugins render their chrome in (comment
  forms, sharing, likes, related posts, widgets, cookie banners, ads, navigation) are removed. A
  post that *quotes* "Leave a Reply" keeps the quote: no phrase is ever matched.
- **preparation**: markup that trafilatura's heuristics would drop although the author wrote it is
  rewritten into plain paragraphs. Captions (``figcaption``, ``.wp-caption-text``) and blockquote
  citations become ``<p>``; Blogger's ``<br><br>`` runs become paragraph boundaries; no-break
  spaces (which trafilatura normalises to plain spaces) are carried through as a private-use
  character that ``render`` turns back.
"""

from __future__ import annotations

import re

from lxml.html import Element, HtmlElement

from archive.extract.dom import Selector, append_text, css, select

# Each group is one compiled union selector: one pass over the tree instead of one per selector.
CHROME = css(", ".join((
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
    "#wpadminbar", ".skip-link", "a.skip", "a[class*='skip-']", ".skip-to-content",
    ".screen-reader-text", ".wp-block-post-navigation-link",
    "#actionbar", ".actnbr-container", ".postmetadata",
    # Plugins that append to the_content: related posts, sharing, author boxes, newsletters,
    # cookie banners.
    ".yarpp-related", ".yarpp", ".crp_related", ".addtoany_share_save_container", ".a2a_kit",
    ".shared-counts-wrap", ".social-warfare", ".swp_social_panel", "#mc_embed_signup",
    ".mailpoet_form", ".mailpoet_form_popup_overlay", ".saboxplugin-wrap", ".author-box",
    ".cky-consent-container", ".cmplz-cookiebanner", "#cookie-notice",
    ".elementor-widget-share-buttons", ".elementor-widget-author-box",
    ".elementor-widget-post-navigation", ".elementor-widget-post-info",
    # Text for screen readers only (Bootstrap, HTML5 Boilerplate, BBC, Drupal): labels such as
    # "Image caption" or "Image copyright" that no reader of the page sees.
    ".sr-only", ".visually-hidden", ".visuallyhidden", ".off-screen", ".element-invisible",
)))
# Title, dateline and footer: removed only when the whole page (not a content container) is used.
HEADER_CHROME = css(", ".join((
    "header", "footer", "nav", "h1", ".entry-header", ".entry-meta", ".entry-footer", ".posted-on",
    ".byline", ".dateline", ".post-meta", ".wp-block-post-title", ".wp-block-post-date",
    ".wp-block-post-terms", ".wp-block-post-author", ".wp-block-post-author-name", "form",
)))
_CAPTIONS = css("figcaption, .wp-caption-text, .gallery-caption, blockquote > cite")
_FIGURES = css("figure, .wp-caption, .gallery-item")
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "div", "dl", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hr", "ol", "p", "pre", "section", "table", "ul",
})
NBSP, NBSP_STANDIN = "\u00a0", "\ue000"
MOST = 0.5
_IMAGE_FILE = re.compile(r"\.(jpe?g|png|gif|webp|avif|svg|bmp|tiff?)([?#]|$)", re.I)
_PLAYERS = re.compile(r"youtube(-nocookie)?\.com/|vimeo\.com/|dailymotion\.com/|soundcloud\.com/|"
                      r"spotify\.com/|podcasts\.apple\.com/|brightcove|jwplayer|/video|/player", re.I)
_NO_TEXT = css("script, style, noscript, template")
# Characters XML 1.0 forbids: lxml's HTML parser keeps them, trafilatura's tree writes then fail
# ("All strings must be XML compatible") and the whole page comes out empty.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def prune(root: HtmlElement, *selectors: Selector) -> None:
    """Remove every element matching any selector, keeping the text that follows it, except one
    that holds more than ``MOST`` of the tree's text: that is the post, whatever its class says
    (a theme of another engine that calls its article area a ``widget``)."""
    for el in select(root, _NO_TEXT):
        if el.getparent() is not None:
            el.drop_tree()
    total = len(root.text_content())
    for selector in selectors:
        for el in select(root, selector):  # document order: an ancestor goes before its children
            if el.getparent() is not None and len(el.text_content()) <= MOST * total:
                el.drop_tree()


def _plain(el: HtmlElement, tag: str) -> None:
    """Retag ``el`` without its classes, so trafilatura judges the text, not the theme's names."""
    el.tag = tag
    el.attrib.clear()


def _double_breaks(el: HtmlElement) -> bool:
    """Whether ``el`` has two ``<br>`` children in a row (only whitespace between them)."""
    return any(
        child.tag == "br" and not (child.tail or "").strip()
        and (nxt := child.getnext()) is not None and nxt.tag == "br"
        for child in el
    )


def _break_paragraphs(el: HtmlElement) -> None:
    """``a<br><br>b`` -> ``<p>a</p><p>b</p>`` (Blogger posts have no ``<p>``); one ``<br>`` stays."""
    parts: list[HtmlElement] = []
    current, breaks = Element("p"), 0
    append_text(current, el.text)
    el.text = None
    for child in list(el):
        el.remove(child)
        tail, child.tail = child.tail, None
        if child.tag == "br":
            breaks += 1
        elif child.tag in _BLOCK or not isinstance(child.tag, str):
            parts.extend((current, child))
            current, breaks = Element("p"), 0
        else:
            current, breaks = _flush(parts, current, breaks)
            current.append(child)
        if tail and tail.strip():
            current, breaks = _flush(parts, current, breaks)
        if breaks == 0:
            append_text(current, tail)
    parts.append(current)
    el.extend(p for p in parts if p.tag != "p" or len(p) or (p.text or "").strip())


def _flush(parts: list[HtmlElement], current: HtmlElement, breaks: int) -> tuple[HtmlElement, int]:
    """Apply pending breaks before new content: two or more close the paragraph, one is a ``<br>``."""
    if breaks >= 2:
        parts.append(current)
        return Element("p"), 0
    if breaks == 1:
        current.append(Element("br"))
    return current, 0


def page_chrome(root: HtmlElement) -> None:
    """Remove what, on a whole page of an unknown layout, is chrome far more often than the
    author's: a teaser's thumbnail (``_teaser``: with it, trafilatura keeps every "most read" list,
    as it never drops a block holding an image), and a frame with no title that is not a video or
    audio player (ads, like buttons, trackers). An image linked to its own file, to a photo page
    outside a list or to nothing, a titled frame and a player stay."""
    for link in list(root.iter("a")):
        images = list(link.iter("img", "picture"))
        if images and _teaser(link):
            for image in images:
                if image.getparent() is not None:
                    image.drop_tree()
    for frame in list(root.iter("iframe")):
        source = frame.get("src") or frame.get("data-src") or ""
        if not (frame.get("title") or "").strip() and not _PLAYERS.search(source):
            frame.drop_tree()


def _teaser(link: HtmlElement) -> bool:
    """A link with a title besides its image, or an image link in a list item that leads to a page
    (not to an image file, an anchor or a script): a list of them is a list of other articles."""
    if "".join(link.itertext()).strip():
        return True
    href = (link.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:")) or _IMAGE_FILE.search(href):
        return False
    return any(el.tag == "li" for el in link.iterancestors())


def prepare(root: HtmlElement) -> None:
    """Rewrite author text that trafilatura would drop into paragraphs it keeps (see module doc)."""
    for el in select(root, _CAPTIONS):
        _plain(el, "p")
    for el in select(root, _FIGURES):
        _plain(el, "div")
    for el in [e for e in root.iter() if e.tag not in ("p", "pre") and _double_breaks(e)]:
        _break_paragraphs(el)
    for el in root.iter():
        if el.text:
            el.text = _text(el.text)
        if el.tail:
            el.tail = _text(el.tail)
        for name, value in el.attrib.items():
            if _NOT_XML.search(value):
                el.set(name, _NOT_XML.sub("", value))


def _text(text: str) -> str:
    """No-break spaces carried through as ``NBSP_STANDIN``; characters XML forbids removed."""
    if NBSP in text:
        text = text.replace(NBSP, NBSP_STANDIN)
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text
