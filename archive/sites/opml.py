"""OPML subscription lists in and out, as feed readers export and import them.

``listparser`` (PyPI) was tried first: it keeps each outline's ``xmlUrl`` and title but drops
``htmlUrl``, the blog's own address, which is what we crawl, and it reports a file that is no
OPML at all as an empty, valid list. So the format is read here with lxml, which the project
already uses, with entities and network access off (an OPML file is input from anywhere).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from lxml import etree


class OpmlError(ValueError):
    """The file is no readable OPML; the message says what is wrong."""


@dataclass(frozen=True)
class Subscription:
    url: str                      # the blog's home page: htmlUrl, else the site of xmlUrl
    title: str | None = None
    feed_url: str | None = None   # xmlUrl


def read_opml(data: bytes) -> list[Subscription]:
    """Every outline with an ``htmlUrl`` or ``xmlUrl``, nested ones included, in file order."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise OpmlError(f"not well-formed XML ({error})") from None
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise OpmlError("not an OPML file (its root element is not <opml>)")
    found = []
    for outline in root.iter("{*}outline"):
        attrs = {str(key).lower(): str(value).strip() for key, value in outline.attrib.items()}
        feed = attrs.get("xmlurl") or None
        home = attrs.get("htmlurl") or (_site_root(feed) if feed else None)
        title = attrs.get("title") or attrs.get("text") or None
        if home:  # a text that only repeats the address is no title (``write_opml`` writes it)
            found.append(Subscription(home, None if title in (home, feed) else title, feed))
    return found


def _site_root(feed: str) -> str | None:
    parts = urlsplit(feed)
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else None


def write_opml(subscriptions: Iterable[Subscription], title: str = "blogarchive sites",
               now: datetime | None = None) -> bytes:
    """OPML 2.0: one outline per blog with text, title, htmlUrl, and type rss with xmlUrl when
    the feed is known (readers import those as subscriptions; ``read_opml`` reads either)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC), True)
    body = etree.SubElement(root, "body")
    for sub in subscriptions:
        attrs = {"text": sub.title or sub.url, **({"title": sub.title} if sub.title else {}),
                 "htmlUrl": sub.url}
        if sub.feed_url:
            attrs.update({"type": "rss", "xmlUrl": sub.feed_url})
        etree.SubElement(body, "outline", attrs)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data

