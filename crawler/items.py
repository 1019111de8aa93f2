"""Items: the data contract between the spider and the pipelines.

Only pages recognised as posts become post items (a page that is not a post only leaves the
catalog row of its capture, ``PageItem``, for the next crawl's conditional request); every
response (posts, listings, feeds, sitemaps, redirects, errors) has already been written to the
WARC by the capture middleware before this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from archive.catalog.resources import ResourceRow
from archive.extract.model import Extraction
from archive.warc.capture import WarcLocation


@dataclass
class PostItem:
    url: str                    # canonical URL: the post's key in the archive
    fetched_url: str            # the URL the response came from
    body: bytes                 # decoded from transfer and content coding, as Scrapy hands it over
    encoding: str | None        # charset from the HTTP header or the page, as Scrapy read it
    captured_at: datetime
    warc: WarcLocation
    discovered_via: str
    is_new: bool = True         # False when an earlier version of this post is archived
    etag: str | None = None     # validators for the next crawl's conditional request
    last_modified: str | None = None
    extraction: Extraction | None = None  # by the worker that read the page, else ExtractPipeline


@dataclass
class SeenItem:
    """An archived post answered unchanged (304 or identical payload): nothing to re-extract."""

    url: str
    captured_at: datetime


@dataclass
class GoneItem:
    """An archived post now answers 404 or 410: mark it deleted, keep its versions."""

    url: str
    seen_gone: datetime
    status: int


@dataclass
class PageItem:
    """A full capture of a page that is not a post: its ``resources`` row of kind ``page``."""

    row: ResourceRow
