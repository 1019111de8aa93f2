"""The URLs a stylesheet loads: ``@import`` rules and every ``url()`` (fonts, background images).

A tokenizer-light reader, as wget and grab-site do it: comments removed, then ``@import "x"``,
``@import url(x)`` and ``url(x)`` with or without quotes, escapes undone. It never raises on broken
CSS; a stylesheet that a browser would partly ignore gives the URLs it still names.
"""

from __future__ import annotations

import re

_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(?:"([^"]*)"|'([^']*)'|([^\s;)'"]+))""", re.I)
_IMPORT_RULE = re.compile(r"@import\b[^;]*;?", re.I)
_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|((?:\\.|[^)'"\s\\])*))\s*\)""", re.I)
_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6}\s?|.)")
_HEX = re.compile(r"[0-9a-fA-F]{1,6}")
FONT_TYPES = ("woff2", "woff", "ttf", "otf", "eot")


def css_urls(text: str) -> list[tuple[str, bool]]:
    """``(url, is_import)`` for every URL the CSS names, in order, each once."""
    text = _COMMENT.sub("", text)
    found: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for rule in _IMPORT_RULE.finditer(text):
        match = _IMPORT.match(rule.group(0))
        if match:
            _add(found, seen, _unescape(next(g for g in match.groups() if g is not None)), True)
    for match in _URL.finditer(_IMPORT_RULE.sub("", text)):
        _add(found, seen, _unescape(next((g for g in match.groups() if g is not None), "")), False)
    return found


def is_font(url: str) -> bool:
    return url.split("?", 1)[0].split("#", 1)[0].lower().endswith(FONT_TYPES)


def _add(found: list[tuple[str, bool]], seen: set[str], url: str, is_import: bool) -> None:
    url = url.strip()
    if url and url not in seen and not url.startswith(("data:", "#")):
        seen.add(url)
        found.append((url, is_import))


def _unescape(value: str) -> str:
    """CSS escapes undone: ``\\28`` is ``(``, ``\\)`` is ``)``."""
    def character(match: re.Match[str]) -> str:
        escaped = match.group(1)
        digits = escaped.rstrip()
        if _HEX.fullmatch(digits):
            code = int(digits, 16)
            return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
        return escaped

    return _ESCAPE.sub(character, value)
