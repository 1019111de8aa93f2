"""Page requisites and attachments for the ``blog`` spider: what a captured page needs to replay.

For every HTML page the spider parses (posts, listings, the home page) the files it loads
(``archive.extract.requisites.page_requisites``: images with their ``srcset`` and lazy-load
attributes, stylesheets, scripts, icons, media) and, for a post, the files its body links to
(``attachments``: PDF, office documents, full-size images, audio, video) are asked for once per
crawl (``Ledger.claim_requisite``, on disk). A captured stylesheet is read for its ``@import``,
fonts and images, down to ``ARCHIVE_REQUISITE_MAX_DEPTH`` nested stylesheets.

A requisite is a capture like any other (``CaptureMiddleware`` writes it to the WARC) but never a
page: its callback never follows links, never yields an item, so it never reaches extraction or the
catalog. It may come from any host (the CDNs blogs use: i0.wp.com, Gravatar, Google Fonts...):
``allow_offsite`` for Scrapy, ``REQUISITE`` for ``ScopeMiddleware``; trackers and ad hosts
(``ARCHIVE_REQUISITE_SKIP_HOSTS``) are never asked. Each file is bounded by
``ARCHIVE_REQUISITE_MAX_SIZE`` (Scrapy's ``download_maxsize``: the download is cancelled, nothing
archived). Every skip and failure is counted under ``requisites/``; a failed requisite never fails
the crawl.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator
from functools import cached_property

from lxml import etree
from lxml.html import HtmlElement
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.extract.analysis import page_files
from archive.extract.dom import parse
from archive.extract.encoding import decode_html
from archive.extract.requisites import (
    ATTACHMENT,
    ICON,
    IMAGE,
    STYLESHEET,
    Requisite,
    stylesheet_requisites,
)
from archive.extract.trackers import host_listed
from archive.urls import BadURL, site_of, split_url
from crawler.config import RequisitesConfig, crawl_config
from crawler.ledger import Ledger
from crawler.limits import parsed_part
from crawler.meta import REQUISITE, REQUISITE_DEPTH, REVALIDATE, REVISIT, TRUNCATED
from crawler.recrawl import KnownRequisite
from crawler.spiders.guarded import GuardedSpider, request_of

logger = logging.getLogger(__name__)
# Above posts (0) and listings (below 0), so that a page's files follow it soon, before the next
# posts; below robots.txt and home pages (100), which start everything.
REQUISITE_PRIORITY = 50
IMAGE_KINDS = frozenset({IMAGE, ICON})
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "webp", "avif", "svg", "tif", "tiff",
                              "bmp", "ico"})
# A stylesheet is read for url()s up to this many bytes (a theme's CSS is 10-300 KB; fonts inlined
# as data: URLs make a few MB; the capture keeps every byte).
CSS_PARSE_MAX = 4 * 1024 * 1024


class RequisitesSpider(GuardedSpider):
    """The requisites half of ``BlogSpider``: requests for a page's files, and their answers."""

    ledger: Ledger

    def _revalidates(self, url: str) -> bool:
        """Whether the archived requisites of the page at ``url`` are asked for again (with
        validators); else they are not asked for at all. ``BlogSpider``: per revalidated site."""
        return True

    @cached_property
    def requisites_config(self) -> RequisitesConfig:
        return crawl_config(self.crawler).requisites

    def _requisites_of(self, response: TextResponse, post: bool, parsed: bool) -> list[Request]:
        """The requests for a page's requisites (and a post's attachments) not yet asked for,
        read here (a page no worker read: ``crawler/spiders/pages.py``).

        ``parsed``: parsel has parsed the page already (the home page, a page whose links are
        followed): its tree is reused. Otherwise the page is parsed here, once, up to
        ``PARSE_MAX_BYTES``, and the tree is dropped before the requests go out (a list, not a
        generator): it never waits with the post item for an extraction worker.
        """
        config = self.requisites_config
        if not config.enabled:
            return []
        try:
            found = page_files(page_tree(response, parsed), response.url, post,
                               config.attachment_types)
        except (etree.LxmlError, ValueError) as error:
            self._bad_input(response, "requisites/unparsed", f"requisites not read ({error})")
            return []
        return self._requisite_requests(response, found)

    def _requisite_requests(self, response: Response,
                            found: Iterable[Requisite]) -> list[Request]:
        """Requests for the requisites a page loads, those not asked for yet."""
        revalidate = self._revalidates(response.url)
        requests = (self._requisite_request(requisite, 0, revalidate) for requisite in found)
        return [request for request in requests if request is not None]

    def _requisite_request(self, requisite: Requisite, depth: int,
                           revalidate: bool = False) -> Request | None:
        config = self.requisites_config
        reason = _skip_reason(config, requisite, depth, self.sites)
        request = None
        if reason is None:
            meta = {REQUISITE: requisite.kind, REQUISITE_DEPTH: depth, "allow_offsite": True,
                    REVALIDATE: revalidate}
            if config.max_size:
                meta["download_maxsize"] = config.max_size
            try:  # dont_filter: the ledger, on disk, is the duplicate filter of requisites
                request = Request(requisite.url, callback=self.parse_requisite, meta=meta,
                                  errback=self.requisite_failed, priority=REQUISITE_PRIORITY,
                                  dont_filter=True)
            except ValueError:
                reason = "bad_url"
        if request is not None and not self.ledger.claim_requisite(requisite.url):
            reason = "duplicate"
        if reason is not None:
            self.crawler.stats.inc_value(f"requisites/skipped/{reason}")
            return None
        self.crawler.stats.inc_value("requisites/requested")
        return request

    def parse_requisite(self, response: Response) -> Iterator[Request]:
        """Count a captured requisite; a stylesheet's own requisites are asked for too."""
        stats = self.crawler.stats
        stats.inc_value("requisites/fetched")
        stats.inc_value("requisites/bytes", len(response.body))
        if response.meta.get(REQUISITE) == ATTACHMENT:
            stats.inc_value("attachments/fetched")
        if response.meta.get(REVISIT):
            stats.inc_value("requisites/revisited")
        if not is_stylesheet(response):
            return
        depth = int(response.meta.get(REQUISITE_DEPTH, 0)) + 1
        for requisite in stylesheet_requisites(css_text(response), response.url):
            request = self._requisite_request(requisite, depth,
                                              bool(response.meta.get(REVALIDATE)))
            if request is not None:
                yield request

    def requisite_failed(self, failure: Failure) -> None:
        """Logged and counted; a missing requisite leaves the page archived and the crawl going."""
        request = request_of(failure)
        error = failure.value
        stats = self.crawler.stats
        truncated = request.meta.get(TRUNCATED)
        too_large = truncated == "length" or (isinstance(error, DownloadCancelledError)
                                              and "max size" in str(error))
        if too_large:
            stats.inc_value("requisites/skipped/too_large")
            logger.warning("%s: larger than ARCHIVE_REQUISITE_MAX_SIZE=%d bytes (or DOWNLOAD_MAXSIZE): "
                           "not archived", request.url, self.requisites_config.max_size)
        elif isinstance(error, KnownRequisite):
            return  # archived already: counted by the capture point
        elif truncated:  # cut by the server: archived as cut (WARC-Truncated), logged by bodies.py
            stats.inc_value("requisites/failed")
        elif isinstance(error, IgnoreRequest) and not isinstance(error, HttpError):
            why = "robots" if "robots.txt" in str(error) else "ignored"
            stats.inc_value(f"requisites/skipped/{why}")
            logger.debug("%s: requisite skipped (%s)", request.url, error)
        else:
            self._log_failure(failure, "requisites/failed")


def _skip_reason(config: RequisitesConfig, requisite: Requisite, depth: int,
                 sites: Collection[str] = ()) -> str | None:
    """Why a requisite is not asked for (a ``requisites/skipped/`` counter), or None."""
    try:
        host = split_url(requisite.url).hostname
    except BadURL:
        host = None
    if not host:
        return "bad_url"
    if not wanted(config.mode, requisite):
        return "setting"
    if host_listed(host, config.skip_hosts):
        return "tracker"
    if config.only_hosts and not host_listed(host, config.only_hosts) \
            and site_of(requisite.url) not in sites:
        return "host"
    if depth > config.max_depth:
        return "depth"
    return None


def wanted(mode: str, requisite: Requisite) -> bool:
    """``ARCHIVE_REQUISITES``: all, or images only (image and icon kinds, image attachments)."""
    if mode == "all":
        return True
    if mode != "images":
        return False
    if requisite.kind == ATTACHMENT:
        path = split_url(requisite.url).path
        return path.rsplit("/", 1)[-1].rpartition(".")[2].lower() in IMAGE_EXTENSIONS
    return requisite.kind in IMAGE_KINDS


def page_tree(response: TextResponse, parsed: bool) -> HtmlElement:
    """The page's tree: parsel's when the page is parsed already, else a parse of its start."""
    part = parsed_part(response)
    if parsed:
        root = part.selector.root
        if isinstance(root, HtmlElement):
            return root
    return parse(decode_html(part.body, response.encoding).text)


def is_stylesheet(response: Response) -> bool:
    """``text/css``, or asked for as a stylesheet and not served as a page (a soft 404)."""
    content_type = (response.headers.get(b"Content-Type") or b"").lower()
    if b"text/css" in content_type:
        return True
    return response.meta.get(REQUISITE) == STYLESHEET and b"html" not in content_type


def css_text(response: Response) -> str:
    """A stylesheet's text (its charset, else UTF-8), at most ``CSS_PARSE_MAX`` bytes of it."""
    body = response.body[:CSS_PARSE_MAX]
    encoding = response.encoding if isinstance(response, TextResponse) else "utf-8"
    return body.decode(encoding, "replace")
