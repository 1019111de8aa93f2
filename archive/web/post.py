"""The reading view of one post, its "View original" frame, and the replay endpoint.

The reading view shows the reading copy (its Markdown as HTML, images from the archive:
``reading.py``) with its metadata, threaded comments, neighbours, every version and capture, and
the word diff between versions. The original is shown in an iframe with an empty ``sandbox``
attribute, loaded from ``/replay/`` whose responses are sandboxed by CSP too.
"""

from __future__ import annotations

import sqlite3
from itertools import pairwise
from typing import Any
from urllib.parse import unquote

from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import wrap_file

from archive.catalog import Catalog, browse
from archive.catalog.open import open_read
from archive.history import body_of, change_of, word_diff
from archive.warc.reader import RecordNotFound
from archive.web.context import Reader
from archive.web.reading import render_version
from archive.web.replay import REPLAY_HEADERS, ReplayError, replay
from archive.web.rewrite import replay_path
from archive.web.warcindex import Capture, WarcIndex, timestamp_of


def _post_and_versions(catalog: Catalog, post_id: int) -> tuple[dict[str, Any], list[sqlite3.Row]]:
    """The post's latest row and all its versions, or 404."""
    latest = browse.post_by_id(catalog, post_id)
    if latest is None:
        raise NotFound("No archived post has this number.")
    return latest, catalog.versions_of(latest["url"])


def reading_view(app: Reader, request: Request, post_id: int) -> Response:
    with open_read(app.layout) as catalog:
        latest, versions = _post_and_versions(catalog, post_id)
        row = _pick(versions, request.args.get("v", type=int))
        comments = [dict(c) for c in catalog.comments(row["id"])]
        body = render_version(app.layout, catalog, app.index.get(), row, _body(app, row), comments)
        comments = _thread(comments)
        older, newer = browse.neighbours(catalog, latest["site"], post_id)
        diff = _diff(app, versions, request)
        captures = _captures(app.index.get(), versions)
        return app.render("post.html", post=latest, row=row, body=body, comments=comments,
                          older=older, newer=newer, versions=versions, diff=diff,
                          captures=captures, site_name=browse.site_name(catalog, latest["site"]))


def original(app: Reader, request: Request, post_id: int) -> Response:
    """The captured page, replayed in a sandboxed frame under a bar that says what it is."""
    with open_read(app.layout) as catalog:
        latest, versions = _post_and_versions(catalog, post_id)
    row = _pick(versions, request.args.get("v", type=int))
    index = app.index.get()
    capture = _capture_of(index, row, request.args.get("ts", ""))
    if capture is None:
        return app.error(404, "Capture not found",
                         "The catalog names a capture that no WARC file of this archive holds.")
    return app.render("original.html", post=latest, capture=capture,
                      frame=replay_path(capture.timestamp, capture.url))


def replay_view(app: Reader, request: Request) -> Response:
    """``/replay/<timestamp>/<url>``: an archived response, links rewritten, sandboxed by CSP."""
    raw = str(request.environ.get("REQUEST_URI") or request.full_path)
    rest = raw.split("/replay/", 1)[1]
    timestamp, _, url = rest.partition("/")
    if not timestamp.isdigit() or len(timestamp) > 14 or "://" not in url:
        raise NotFound("A replay address is /replay/<timestamp>/<url>.")
    index = app.index.get()
    capture = index.lookup(url, timestamp) or index.lookup(unquote(url), timestamp)
    if capture is None:
        return app.render("not_archived.html", status=404, url=unquote(url))
    try:
        replayed = replay(app.layout, index, capture)
    except (ReplayError, RecordNotFound) as error:
        return app.error(502, "This capture cannot be replayed", str(error))
    headers = dict(REPLAY_HEADERS)
    if replayed.location:
        headers["Location"] = replayed.location
    if replayed.content_type.startswith(("font/", "application/font", "application/x-font")):
        headers["Access-Control-Allow-Origin"] = "*"  # fonts from the sandboxed (opaque) page
    if replayed.stream is not None:  # sent as stored, chunk by chunk: never whole in memory
        headers["Content-Length"] = str(replayed.length)
        return Response(wrap_file(request.environ, replayed.stream), status=replayed.status,
                        headers=headers, content_type=replayed.content_type,
                        direct_passthrough=True)
    return Response(replayed.body, status=replayed.status, headers=headers,
                    content_type=replayed.content_type)


def _pick(versions: list[sqlite3.Row], wanted: int | None) -> sqlite3.Row:
    if not versions:
        raise NotFound("This post has no archived version.")
    for row in versions:
        if row["version"] == wanted:
            return row
    if wanted is not None:
        raise NotFound(f"This post has no version {wanted}.")
    return versions[-1]


def _body(app: Reader, row: sqlite3.Row) -> str:
    """The clean text of a version; ``Layout.resolve`` refuses paths outside the archive."""
    return body_of(app.layout.resolve(str(row["text_path"])).read_text(encoding="utf-8"))


def _thread(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Comments as a tree (replies under their parent), in the order they were captured."""
    by_id = {c["comment_id"]: {**c, "replies": []} for c in comments}
    roots = []
    for comment in by_id.values():
        parent = by_id.get(comment["parent"]) if comment["parent"] else None
        if parent is not None and parent is not comment:
            parent["replies"].append(comment)
        else:
            roots.append(comment)
    return roots


def _diff(app: Reader, versions: list[sqlite3.Row], request: Request) -> dict[str, Any] | None:
    if len(versions) < 2:
        return None
    numbers = [row["version"] for row in versions]
    new = request.args.get("to", numbers[-1], type=int)
    old = request.args.get("from", numbers[numbers.index(new) - 1] if new in numbers[1:] else
                           numbers[-2], type=int)
    rows = {row["version"]: row for row in versions}
    if old not in rows or new not in rows:
        raise NotFound("No such versions to compare.")
    ops = word_diff(_body(app, rows[old]), _body(app, rows[new]))
    return {"old": rows[old], "new": rows[new], "ops": ops, "change": change_of(ops),
            "pairs": list(pairwise(numbers))}


def _captures(index: WarcIndex, versions: list[sqlite3.Row]) -> list[Capture]:
    """Every WARC capture (responses and revisits) of the URLs this post was fetched under."""
    seen: dict[str, Capture] = {}
    for url in {row["url"] for row in versions} | {row["fetched_url"] for row in versions}:
        for capture in index.all_of(url):
            seen.setdefault(capture.record_id, capture)
    return sorted(seen.values(), key=lambda c: c.timestamp)


def _capture_of(index: WarcIndex, row: sqlite3.Row, timestamp: str) -> Capture | None:
    url = str(row["fetched_url"])
    if timestamp.isdigit():
        return index.lookup(url, timestamp) or index.lookup(str(row["url"]), timestamp)
    for capture in index.all_of(url):
        if capture.record_id == row["record_id"]:
            return capture
    return index.lookup(url, timestamp_of(str(row["captured_at"])))

