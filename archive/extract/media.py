"""Images and embeds of the post body, made ready for trafilatura before it reads the tree.

- **Images**: each ``<img>`` gets the one source a reader should see in ``src``: the largest
  ``srcset`` candidate (lazy-load ``data-srcset`` included), else the lazy-load real source when
  ``src`` is a placeholder, else the copy a lazy-load plugin put in ``<noscript>``. These are URLs
  the crawl fetches as page requisites (``requisites.page_requisites``, resolved against the same
  ``<base>``), so the reading copy points at what was archived. Images that are not the author's
  are removed: avatars, share and like buttons, tracking pixels (1-2 px or a tracker host), theme
  and plugin images; an emoji or smiley image becomes the text it stands for (its ``alt``). An
  image that is the whole of a link keeps the link's target in a mark (``marks.IMAGE_LINK``, in
  ``title``: trafilatura moves an image out of its link).
- **Links**: made absolute here (trafilatura resolves them against the host only, and makes
  ``//host`` links ``http:``); ``javascript:`` and other script targets lose their ``href``.
- **Embeds**: trafilatura drops ``iframe``, ``video`` and ``audio``; a tweet is a ``blockquote`` of
  someone else's words. Each becomes a paragraph with one link (the video's page, the tweet) and
  its title, so the reading copy says what was there and where it lives.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import Element, HtmlElement

from archive.extract import marks
from archive.extract.dom import classes, css, select, text_of
from archive.extract.requisites import LAZY_SOURCES, LAZY_SRCSETS, srcset_candidates
from archive.extract.trackers import url_listed
from archive.urls import join_url

_NOT_AUTHOR_IMAGE = re.compile(r"(^|[-_])(avatar|emoji|smiley|gravatar|share|sharing|like|icon)s?"
                               r"($|[-_])")
_NOT_AUTHOR_HOSTS = ("gravatar.com", "s.w.org", "pixel.wp.com", "stats.wp.com")
_THEME_PATHS = ("/wp-content/themes/", "/wp-content/plugins/", "/wp-includes/", "/themes/")
_EMOJI_CLASSES = frozenset({"emoji", "wp-smiley", "wp-emoji"})
_EMOJI_PATHS = ("/images/core/emoji/", "/wp-includes/images/smilies/")
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
_PLACEHOLDER = re.compile(r"^(data:|about:)|(blank|spacer|pixel|lazy|placeholder|loading)\.(gif|png|svg)",
                          re.IGNORECASE)
_TWEETS = css("blockquote.twitter-tweet, blockquote.instagram-media, blockquote.tiktok-embed, "
              "blockquote.mastodon-embed")
_EMBED_WRAPPERS = css(".wp-block-embed__wrapper")
_VIDEO_PAGES = (
    (re.compile(r"^https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)"),
     "https://www.youtube.com/watch?v={}"),
    (re.compile(r"^https?://player\.vimeo\.com/video/(\d+)"), "https://vimeo.com/{}"),
)


def _descriptor_size(descriptor: str) -> float:
    """``640w`` -> 640, ``2x`` -> 2, none -> 1 (one ``srcset`` uses one kind of descriptor)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)[wx]", descriptor.strip().lower())
    return float(match.group(1)) if match else 1.0


def best_source(img: HtmlElement, base: str) -> str | None:
    """The absolute URL of the image a reader should see (largest candidate, real lazy source)."""
    for name in ("srcset", *LAZY_SRCSETS):
        candidates = srcset_candidates(img.get(name) or "")
        real = [(url, d) for url, d in candidates if not _PLACEHOLDER.search(url)]
        if real:
            url, _ = max(real, key=lambda c: _descriptor_size(c[1]))
            return join_url(base, url)
    src = (img.get("src") or "").strip()
    if not src or _PLACEHOLDER.search(src):
        src = next((img.get(n, "").strip() for n in LAZY_SOURCES if img.get(n)), "")
    return join_url(base, src) if src and not src.startswith("data:") else None


def _author_image(img: HtmlElement, url: str) -> bool:
    """False for avatars, emoji, buttons, pixels and theme images (see module docstring)."""
    names = classes(img) | classes(img.getparent())
    if any(_NOT_AUTHOR_IMAGE.search(name.lower()) for name in names):
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in _NOT_AUTHOR_HOSTS) or url_listed(url):
        return False
    if any(path in parts.path for path in _THEME_PATHS) or "/images/core/emoji/" in parts.path:
        return False
    sizes = [img.get("width", ""), img.get("height", "")]
    return not any(s.strip().isdigit() and int(s) <= 2 for s in sizes)


def _remove(el: HtmlElement, text: str = "") -> None:
    """Remove ``el``, keeping the text that follows it (``text`` goes in its place)."""
    parent = el.getparent()
    if parent is None:
        return
    if text:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
    el.drop_tree()


def page_base(root: HtmlElement, url: str) -> str:
    """The URL relative references resolve against: ``<base href>`` when the page has one."""
    for base in root.iter("base"):
        if base.get("href"):
            return join_url(url, base.get("href", ""))
    return url


def _is_emoji(img: HtmlElement) -> bool:
    src = img.get("src") or ""
    return bool(classes(img) & _EMOJI_CLASSES) or any(p in src for p in _EMOJI_PATHS)


def images(root: HtmlElement, base: str) -> None:
    """Give each author image its one real source; remove the others."""
    _noscript_copies(root, base)
    for img in list(root.iter("img")):
        if _is_emoji(img):
            _remove(img, (img.get("alt") or "").strip())
            continue
        url = best_source(img, base)
        if url is None or not _author_image(img, url):
            _remove(img)
            continue
        alt, title = img.get("alt"), img.get("title")
        img.attrib.clear()
        img.set("src", url.split("#", 1)[0])
        if alt:
            img.set("alt", alt)
        title = _link_mark(img, base) + (title or "")
        if title:
            img.set("title", title)


def _noscript_copies(root: HtmlElement, base: str) -> None:
    """A lazy-load plugin's ``<img>`` + ``<noscript><img></noscript>``: one image. The copy in
    ``<noscript>`` is used only when the image before it has no real source of its own."""
    for noscript in list(root.iter("noscript")):
        copies = list(noscript.iter("img"))
        previous = noscript.getprevious()
        if not copies or previous is None or previous.tag != "img":
            continue
        if best_source(previous, base) is None:
            copies[0].tail = previous.tail
            previous.getparent().replace(previous, copies[0])
        _remove(noscript)


def _link_mark(img: HtmlElement, base: str) -> str:
    """The target of a link that is this image and nothing else, as a mark; the link goes."""
    link = img.getparent()
    if link is None or link.tag != "a" or len(link) != 1 or (link.text or "").strip() or (
            (img.tail or "").strip()):
        return ""
    href = (link.get("href") or "").replace(marks.IMAGE_LINK, "").strip()
    link.drop_tag()
    if not href or href.lower().startswith(_SCRIPT_SCHEMES):
        return ""
    return f"{marks.IMAGE_LINK}{join_url(base, href)}{marks.IMAGE_LINK}"


def links(root: HtmlElement, base: str) -> None:
    """Every link absolute; a script link loses its target and stays as its text."""
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        if not href:
            continue
        if href.lower().startswith(_SCRIPT_SCHEMES) or href.startswith("#"):
            del link.attrib["href"]
        else:
            link.set("href", join_url(base, href))


def _link_paragraph(href: str, title: str) -> HtmlElement:
    """A paragraph ``markdown.py`` writes as a link (``marks.EMBED``), plain text as the title."""
    paragraph = Element("p")
    paragraph.text = f"{marks.EMBED}{href.replace(marks.EMBED, '')}{marks.EMBED}{title}"
    return paragraph


def _replace(el: HtmlElement, new: HtmlElement) -> None:
    parent = el.getparent()
    if parent is None:
        return
    new.tail = el.tail
    parent.replace(el, new)


def _embed_target(el: HtmlElement, base: str) -> str | None:
    src = el.get("src") or el.get("data-src") or el.get("data")
    if not src:
        source = next((s for s in el.iter("source") if s.get("src")), None)
        src = source.get("src") if source is not None else None
    if not src or src.startswith(("data:", "about:", "javascript:")):
        return None
    url = join_url(base, src.strip())
    for pattern, page in _VIDEO_PAGES:
        match = pattern.match(url)
        if match:
            return page.format(match.group(1))
    return url


def _embed_title(el: HtmlElement, url: str) -> str:
    kind = {"video": "Video", "audio": "Audio"}.get(el.tag, "Embedded content")
    if any(host in url for host in ("youtube.com", "vimeo.com")):
        kind = "Video"
    title = (el.get("title") or el.get("aria-label") or "").strip()
    host = urlsplit(url).hostname or url
    return f"{kind}: {title}" if title else f"{kind} ({host})"


def embeds(root: HtmlElement, base: str) -> None:
    """Each embedded frame, video, audio or tweet becomes a paragraph with a link and a title."""
    for el in list(root.iter("iframe", "video", "audio", "embed", "object")):
        url = _embed_target(el, base)
        if url is None or url_listed(url):
            _remove(el)
        else:
            _replace(el, _link_paragraph(url, _embed_title(el, url)))
    for quote in select(root, _TWEETS):
        links = [a.get("href", "") for a in quote.iter("a") if "/status" in a.get("href", "")
                 or "/p/" in a.get("href", "") or "/video/" in a.get("href", "")]
        words = text_of(next(iter(quote.iter("p")), quote)) or "post"
        kind = "Tweet" if "twitter" in (quote.get("class") or "") else "Post"
        if links:
            _replace(quote, _link_paragraph(join_url(base, links[-1]), f"{kind}: {words}"))
    for wrapper in select(root, _EMBED_WRAPPERS):  # trafilatura drops what its class names
        text = (wrapper.text or "").strip()
        if len(wrapper) == 0 and re.fullmatch(r"https?://\S+", text):
            wrapper.text = None
            wrapper.append(_link_paragraph(text, text))
        wrapper.drop_tag()
