"""Template filters: dates people read, clean text as paragraphs, URL-safe path parts.

Each filter escapes what it is given before adding markup, so archived text stays text.
"""

from __future__ import annotations

import calendar
import html
import json
import re
from typing import Any
from urllib.parse import quote

from jinja2 import Environment
from markupsafe import Markup, escape

from archive.history import GAP, Op, shortened
from archive.when import parse_iso

_MARK = re.compile(r"(</?mark>)", re.I)


def install(env: Environment) -> None:
    env.filters.update(nice_date=nice_date, paragraphs=paragraphs, urlq=urlq,
                       month_name=month_name, json_list=json_list, diff_html=diff_html,
                       safe_snippet=safe_snippet,
                       thousands=lambda n: f"{int(n or 0):,}")


def nice_date(value: str | None, with_time: bool = False) -> str:
    """``12 January 2022`` (and ``14:05 UTC`` when asked) from an ISO 8601 string."""
    if not value:
        return ""
    moment = parse_iso(value)
    if moment is None:
        return value
    text = f"{moment.day} {calendar.month_name[moment.month]} {moment.year}"
    if with_time:
        zone = moment.strftime("%Z") if moment.tzinfo else ""
        text += f", {moment:%H:%M} {zone}".rstrip()
    return text


def month_name(value: str) -> str:
    return calendar.month_name[int(value)] if value.isdigit() and 1 <= int(value) <= 12 else "undated"


def urlq(value: Any) -> str:
    """One path segment, percent-encoded (``/`` too), for links built in templates."""
    return quote(str(value), safe="")


def json_list(value: str | None) -> list[str]:
    try:
        data = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(item) for item in data] if isinstance(data, list) else []


def paragraphs(text: str) -> Markup:
    """Clean text (blocks separated by blank lines) as ``<p>``, ``<ul>`` and ``<blockquote>``."""
    out = []
    for block in (b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n")):
        if not block.strip():
            continue
        lines = block.split("\n")
        if all(line.lstrip().startswith(("- ", "* ", "• ")) for line in lines):
            items = "".join(f"<li>{escape(line.lstrip()[2:].strip())}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        elif all(line.startswith("> ") or line == ">" for line in lines):
            inner = Markup("<br>").join(escape(line[2:]) for line in lines)
            out.append(f"<blockquote><p>{inner}</p></blockquote>")
        else:
            out.append(f"<p>{Markup('<br>').join(escape(line) for line in lines)}</p>")
    return Markup("\n".join(out))


_DIFF_TAGS = {"-": "del", "+": "ins"}


def diff_html(ops: list[Op], context: int = 12) -> Markup:
    """Word diff as ``<del>``/``<ins>``, long unchanged runs shortened to their ends."""
    parts: list[str] = []
    for op, text in shortened(ops, context, trim_edges=True):
        if op == GAP:
            parts.append('<span class="gap">…</span>')
        elif op in _DIFF_TAGS:
            parts.append(f"<{_DIFF_TAGS[op]}>{escape(text)}</{_DIFF_TAGS[op]}>")
        elif text:
            parts.append(str(escape(text)))
    return Markup(" ".join(parts))


def safe_snippet(snippet_html: str | None) -> Markup:
    """A search snippet with its ``<mark>`` highlights and nothing else a page could act on.

    Text between the marks is unescaped and escaped again, so whatever it holds stays text.
    """
    parts = _MARK.split(snippet_html or "")
    out = []
    for part in parts:
        if part.lower() in ("<mark>", "</mark>"):
            out.append(part.lower())
        else:
            out.append(str(escape(html.unescape(part))))
    return Markup("".join(out))
