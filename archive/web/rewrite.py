"""Rewrite the links of a replayed page so that it never reaches the live web.

Every URL in ``href``, ``src``, ``srcset``, ``poster``, ``action``..., in ``<style>`` blocks, in
``style`` attributes and in CSS ``url()``/``@import`` becomes either ``/replay/<timestamp>/<url>``
(archived) or ``/not-archived?url=...`` (not archived). The HTML is re-emitted as parsed, tag by
tag, so the page keeps its markup; only URL-bearing attributes change.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import quote, urljoin

# Given an absolute URL, where the replayed page should point instead.
Mapper = Callable[[str], str]

URL_ATTRS = frozenset({"href", "src", "poster", "action", "formaction", "background", "data",
                       "cite", "longdesc", "manifest", "icon", "ping", "xlink:href"})
SRCSET_ATTRS = frozenset({"srcset", "imagesrcset"})
_CSS_URL = re.compile(r"""url\(\s*(?P<q>['"]?)(?P<url>[^'")]*)(?P=q)\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?P<q>['"])(?P<url>[^'"]*)(?P=q)""", re.I)
_REFRESH = re.compile(r"^(?P<delay>\s*\d*\s*[;,]\s*url\s*=\s*)(?P<q>['\"]?)(?P<url>.*?)(?P=q)\s*$",
                      re.I)


def replay_path(timestamp: str, url: str) -> str:
    return f"/replay/{timestamp}/{quote(url, safe=':/?&=%#;,+@!$~*()[]')}"


def not_archived_path(url: str) -> str:
    return "/not-archived?url=" + quote(url, safe="")


def absolute(base: str, link: str) -> str | None:
    """The absolute URL of a link, or None for links that lead nowhere to replay."""
    link = link.strip()
    if not link or link.startswith("#"):
        return None
    lowered = link.lower()
    if lowered.startswith(("data:", "about:", "mailto:", "tel:")):
        return None
    try:
        return urljoin(base, link)
    except ValueError:
        return link


def rewrite_css(css: str, base: str, mapper: Mapper) -> str:
    def swap(match: re.Match[str]) -> str:
        target = absolute(base, match.group("url"))
        if target is None:
            return match.group(0)
        quote_char = match.group("q") or '"'
        new = mapper(target).replace(quote_char, quote(quote_char))
        if match.re is _CSS_IMPORT:
            return f"@import {quote_char}{new}{quote_char}"
        return f"url({quote_char}{new}{quote_char})"

    return _CSS_IMPORT.sub(swap, _CSS_URL.sub(swap, css))


def rewrite_srcset(value: str, base: str, mapper: Mapper) -> str:
    out = []
    for candidate in value.split(","):
        bits = candidate.strip().split(None, 1)
        if not bits:
            continue
        target = absolute(base, bits[0])
        url = mapper(target) if target else bits[0]
        out.append(" ".join([url, *bits[1:]]))
    return ", ".join(out)


class _Rewriter(HTMLParser):
    def __init__(self, base: str, mapper: Mapper) -> None:
        super().__init__(convert_charrefs=False)
        self.base = base
        self.mapper = mapper
        self.out: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._emit_tag(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._emit_tag(tag, attrs, closed=True)

    def _emit_tag(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if tag == "base":
            for name, value in attrs:
                if name == "href" and value:
                    self.base = absolute(self.base, value) or self.base
            return  # dropped: every link is made absolute against it here
        self._in_style = tag == "style" and not closed
        is_refresh = tag == "meta" and any(
            n == "http-equiv" and (v or "").lower() == "refresh" for n, v in attrs)
        parts = [f"<{tag}"]
        for name, value in attrs:
            if value is None:
                parts.append(f" {name}")
                continue
            parts.append(f' {name}="{html.escape(self._attr(name, value, is_refresh), quote=True)}"')
        parts.append(" />" if closed else ">")
        self.out.append("".join(parts))

    def _attr(self, name: str, value: str, is_refresh: bool) -> str:
        if name in URL_ATTRS:
            target = absolute(self.base, value)
            return self.mapper(target) if target else value
        if name in SRCSET_ATTRS:
            return rewrite_srcset(value, self.base, self.mapper)
        if name == "style":
            return rewrite_css(value, self.base, self.mapper)
        if is_refresh and name == "content":
            match = _REFRESH.match(value)
            target = absolute(self.base, match.group("url")) if match else None
            if match and target:
                return match.group("delay") + self.mapper(target)
        return value

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(rewrite_css(data, self.base, self.mapper) if self._in_style else data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def rewrite_html(text: str, base: str, mapper: Mapper) -> str:
    parser = _Rewriter(base, mapper)
    parser.feed(text)
    parser.close()
    return "".join(parser.out)
