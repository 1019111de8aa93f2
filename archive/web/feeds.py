"""Atom feeds of what changed: ``/changes.atom`` (the whole archive) and
``/site/<host:port>/changes.atom`` (one blog), the events ``blogarchive changes`` lists.

Built with ``feedgenerator`` (Pelican's standalone copy of Django's feed writer, kept up to date
by the Pelican project and free of dependencies) rather than a template: it writes through an XML
generator, so a hostile title is escaped once, correctly, wherever it lands. The entry summaries
are HTML (``type="html"``) built here with every archived string escaped first.

Each entry's id is derived from the post URL, version and kind (``Event.entry_id``), so a feed
reader sees the same entry on every fetch; links are absolute, built from the request's host.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from feedgenerator import Atom1Feed
from markupsafe import Markup
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from archive.catalog import Catalog, browse
from archive.catalog.open import has_catalog, open_read
from archive.changes import Event, Query, read_events
from archive.changes.events import ID_SPACE, recent_since
from archive.web.context import Reader
from archive.web.filters import urlq

ATOM = "application/atom+xml; charset=utf-8"
ENTRIES = 100  # the newest events a feed carries: enough for a reader polling daily or weekly


def archive_feed(app: Reader, request: Request) -> Response:
    if not has_catalog(app.layout):
        raise NotFound("This archive has no catalog yet: run a crawl first.")
    with open_read(app.layout) as catalog:
        events = _newest(app, catalog, Query())
    feed = _feed(request, f"archive:{app.layout.root.resolve()}", "Changes in the blog archive",
                 "New posts, edits, deletions and new comments found by each crawl.", "/",
                 "/changes.atom")
    return _answer(request, feed, events)


def site_feed(app: Reader, request: Request, site: str) -> Response:
    with open_read(app.layout) as catalog:
        if not browse.years(catalog, site):
            raise NotFound(f"No blog {site!r} in this archive.")
        name = browse.site_name(catalog, site) or site
        events = [e for e in _newest(app, catalog, Query(site=site)) if e.site == site]
    home = f"/site/{urlq(site)}/"  # as the reader's pages link it, however the request spelt it
    feed = _feed(request, f"site:{site}", f"Changes to {name}",
                 f"New posts, edits, deletions and new comments on {site}.", home,
                 home + "changes.atom")
    return _answer(request, feed, events)


def _newest(app: Reader, catalog: Catalog, query: Query) -> list[Event]:
    """The newest ``ENTRIES`` events, newest first; only their edits' files are read."""
    since = recent_since(catalog, query, ENTRIES)
    events = read_events(catalog, app.layout, Query(since=since, site=query.site))
    return events[::-1][:ENTRIES]


def _feed(request: Request, key: str, title: str, description: str, home: str,
          path: str) -> Atom1Feed:
    """A feed whose self link is ``path`` on the host the request came to."""
    base = request.host_url.rstrip("/")
    return Atom1Feed(title=title, link=base + home, description=description,
                     feed_url=base + path, feed_guid=uuid.uuid5(ID_SPACE, key).urn,
                     author_name="blogarchive", language="en")


def _answer(request: Request, feed: Atom1Feed, events: list[Event]) -> Response:
    base = request.host_url.rstrip("/")
    for event in events:
        moment = datetime.fromisoformat(event.at).astimezone(UTC)
        feed.add_item(title=entry_title(event), link=base + event.reader_path(),
                      description=str(summary(event)), unique_id=event.entry_id,
                      updateddate=moment, author_name=_author(event))
    response = Response(feed.writeString("utf-8"), content_type=ATOM,
                        headers={"X-Content-Type-Options": "nosniff"})
    response.add_etag()
    return response.make_conditional(request)


def entry_title(event: Event) -> str:
    title = event.title or "(untitled)"
    if event.kind == "comments":
        count = len(event.comments)
        return f"{count} new comment{'' if count == 1 else 's'} on {title}"
    return {"new": "New post", "edit": "Edited", "deleted": "Deleted"}[event.kind] + f": {title}"


def summary(event: Event) -> Markup:
    """The entry's HTML: words added and removed, or the new comments' first words."""
    parts = [Markup("<p>On <code>{}</code>: <a href=\"{}\">{}</a></p>").format(
        event.site, event.url, event.url)]
    if event.kind == "edit":
        words = event.problem or f"+{event.added} / -{event.removed} words"
        parts.append(Markup("<p>{} (version {} → {})</p>").format(
            words, event.version - 1, event.version))
        if event.old_title is not None:
            parts.append(Markup("<p>Title was: {}</p>").format(event.old_title))
    for comment in event.comments:
        parts.append(Markup("<p><strong>{}</strong> ({}): {}</p>").format(
            comment.author or "anonymous", (comment.published or "")[:16].replace("T", " "),
            comment.excerpt))
    if event.kind == "deleted":
        kept = "its archived version stays" if event.version == 1 else (
            f"its {event.version} archived versions stay")
        parts.append(Markup("<p>Seen gone on {} UTC; {}.</p>").format(
            event.at[:19].replace("T", " "), kept))
    return Markup("").join(parts)


def _author(event: Event) -> str | None:
    if event.kind == "comments":
        return ", ".join(dict.fromkeys(c.author or "anonymous" for c in event.comments))
    return event.author

