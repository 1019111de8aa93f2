"""Schema.org JSON-LD as WordPress plugins emit it (Yoast's ``@graph``, Jetpack, themes).

Only the few things extraction needs: the page's article entity, with ``@id`` references resolved,
and helpers to read names and lists from the shapes schema.org allows (string, object, list).
"""

from __future__ import annotations

import html
import json
from typing import Any

from lxml.html import HtmlElement

from archive.extract.dom import clean, css, select

ARTICLE_TYPES = frozenset(
    {"Article", "BlogPosting", "NewsArticle", "Report", "ScholarlyArticle", "SocialMediaPosting",
     "TechArticle", "LiveBlogPosting", "OpinionNewsArticle", "ReportageNewsArticle"}
)
Entity = dict[str, Any]
_SCRIPTS = css('script[type="application/ld+json"]')


def _flatten(node: Any, out: list[Entity]) -> None:
    if isinstance(node, list):
        for item in node:
            _flatten(item, out)
    elif isinstance(node, dict):
        out.append(node)
        _flatten(node.get("@graph"), out)


def entities(root: HtmlElement) -> list[Entity]:
    """Every JSON-LD object on the page, ``@graph`` members included; broken blocks are skipped.

    Parsing is the expensive part, so ``extract_post`` calls this once and passes the list on.
    """
    found: list[Entity] = []
    for script in select(root, _SCRIPTS):
        try:
            _flatten(json.loads(script.text_content() or "null"), found)
        except ValueError:
            continue  # plugins do emit invalid JSON; the other sources still apply
    return found


def types(entity: Entity) -> set[str]:
    value = entity.get("@type")
    if isinstance(value, str):
        return {value}
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def article(found: list[Entity]) -> Entity | None:
    """The article entity (BlogPosting, Article...), or None when the page declares none."""
    return next((e for e in found if types(e) & ARTICLE_TYPES), None)


def resolve(found: list[Entity], value: Any) -> Any:
    """Follow a ``{"@id": ...}`` reference to its full object when the graph holds it."""
    if isinstance(value, dict) and set(value) == {"@id"}:
        return next((e for e in found if e.get("@id") == value["@id"] and len(e) > 1), value)
    return value


def name_of(found: list[Entity], value: Any) -> str | None:
    """A person's or organisation's name from any schema.org shape (string, object, list, @id)."""
    if isinstance(value, list):
        return next((n for n in (name_of(found, v) for v in value) if n), None)
    value = resolve(found, value)
    if isinstance(value, dict):
        value = value.get("name")
    return text(value)


def text(value: Any) -> str | None:
    """A string value with HTML entities undone (WordPress escapes ``&#8217;`` inside JSON-LD)."""
    return clean(html.unescape(value)) if isinstance(value, str) else None


def strings(value: Any) -> list[str]:
    """A list of strings from a string (comma-separated, as ``keywords`` often is) or a list."""
    if isinstance(value, str):
        return [s for s in (text(part) for part in value.split(",")) if s]
    if isinstance(value, list):
        return [s for s in (text(v) for v in value) if s]
    return []
