"""Where a URL of the reading copy leads in the reader: the archive, never the live web.

- An image leads to its archived bytes (``/replay/<timestamp>/<url>``, the capture nearest the
  version's own), or, never captured, to ``/not-archived`` (``reading.py`` shows a placeholder
  there instead): the reader's CSP forbids other hosts' images anyway, but the page must not even
  name them as sources.
- A link to a post of the catalog opens its reading view (``/post/<id>``). Blogs link to their own
  posts under more than one form, so ``http``/``https``, ``www.`` or not and the trailing slash
  are tolerated: up to eight forms per link, looked up in one query on the unique ``posts.url``.
- Any other link leaves the archive, and says so (``markdown_html`` marks it ``external``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from archive.catalog import Catalog
from archive.markdown_html import Target
from archive.web.rewrite import not_archived_path, replay_path
from archive.web.warcindex import WarcIndex

NOT_ARCHIVED = not_archived_path("")  # the prefix every unarchived image's address starts with
_CHUNK = 400  # URLs per query, well under SQLite's limit on bound parameters


def url_forms(url: str) -> list[str]:
    """The forms under which a link may name a catalogued post, the link as written first."""
    bare = url.partition("#")[0]
    try:
        parts = urlsplit(bare)
    except ValueError:
        return [bare]
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return [bare]
    host = parts.netloc
    hosts = [host, host[4:] if host.lower().startswith("www.") else "www." + host]
    path = parts.path or "/"
    paths = [path, path.rstrip("/") if path.endswith("/") else path + "/"]
    schemes = ["http", "https"] if parts.scheme.lower() == "http" else ["https", "http"]
    forms = [bare] + [urlunsplit((scheme, name, each, parts.query, ""))
                      for scheme in schemes for name in hosts for each in paths]
    return list(dict.fromkeys(forms))


def archived_posts(catalog: Catalog, links: Iterable[str]) -> dict[str, int]:
    """Each link that names a post of the catalog, with the post's id."""
    forms = {link: url_forms(link) for link in dict.fromkeys(links)}
    wanted = list(dict.fromkeys(form for each in forms.values() for form in each))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for post_id, url in catalog.db.execute(
                f"SELECT id, url FROM posts WHERE url IN ({marks})", chunk):
            found[str(url)] = int(post_id)
    return {link: next(found[f] for f in each if f in found)
            for link, each in forms.items() if any(f in found for f in each)}


@dataclass
class ArchiveLinks:
    """The reader's ``Relink``: images from the WARCs near ``timestamp``, links to reading views."""

    index: WarcIndex
    timestamp: str
    posts: dict[str, int]
    images: dict[str, str] = field(default_factory=dict)  # address shown -> URL in the Markdown

    def __call__(self, url: str, is_image: bool) -> Target:
        if is_image:
            shown = self.image(url)
            self.images[shown] = url
            return Target(shown)
        post = self.posts.get(url)
        if post is not None:
            fragment = url.partition("#")[2]
            return Target(f"/post/{post}" + (f"#{fragment}" if fragment else ""))
        return Target(url, leaves_archive=True)

    def image(self, url: str) -> str:
        """The archived bytes of the capture nearest the version's, if one was a success."""
        capture = self.index.lookup(url, self.timestamp)
        if capture is None or not 200 <= capture.status < 300:
            return not_archived_path(url)
        return replay_path(capture.timestamp, capture.url)
