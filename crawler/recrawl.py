"""Incremental crawls: what the archive already holds, turned into conditional requests.

Every archived post of the crawled sites is asked for again with ``If-None-Match`` /
``If-Modified-Since`` from its latest capture, so an unchanged post costs a 304 (or, when the server
ignores validators, an identical body that is stored as a revisit), an edit gives a new version and
a 404 or 410 marks the post deleted.

Page requisites are decided at the capture point (``ResourceRecrawl``): the archive's resources
(``archive/catalog/resources.py``) are copied into a scratch ledger at start-up. On a default repeat
a requisite the archive holds is not asked for at all (replay uses its capture: a theme's CSS does
not change between two nightly runs, and the home page alone names dozens of files); when the page's
site is revalidated (``crawler/revalidation.py``) it is asked for with its validators. A 304 or a
payload already archived under any URL (before or during this crawl) becomes a revisit instead of a
second copy of the bytes.

Pages that are not posts (listings, archives, the home page) are remembered as ``resources`` rows of
kind ``page`` (``page_row``, written by the spider once the page is judged not a post); a repeat
asks for them with their validators (``PAGE_PRIOR``), and a 304 or the same payload is a revisit.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from archive.catalog import Catalog, Prior
from archive.catalog.resources import PAGE, ResourceRow, ResourceWriter
from archive.catalog.shards import catalog_paths
from archive.layout import Layout
from archive.urls import canonical_url
from archive.warc.capture import Capture, WarcLocation
from archive.warc.records import RefersTo, warc_date
from archive.when import iso_date
from crawler.addons import worker_shard
from crawler.config import archive_config
from crawler.diskfull import is_disk_full
from crawler.ledger import Ledger, ResourceLedger, ResourcePrior
from crawler.meta import HANDLE_HTTPSTATUS_LIST, PAGE_PRIOR, PRIOR, REQUISITE, REVALIDATE
from crawler.protocols import options_of

logger = logging.getLogger(__name__)


def load_priors(crawler: Crawler, ledger: Ledger, sites: list[str]) -> int:
    """Copy the latest capture of each post of these sites into the crawl's ledger (0: new archive)."""
    layout = Layout(archive_config(crawler).archive_dir)
    return ledger.load_priors(catalog_paths(layout), sites)


def load_page_priors(crawler: Crawler, ledger: Ledger) -> int:
    """Copy the archive's pages that are not posts into the crawl's ledger (0: none yet)."""
    layout = Layout(archive_config(crawler).archive_dir)
    return ledger.load_page_priors([path for path in catalog_paths(layout) if path.exists()])


def conditional_headers(prior: Prior | ResourcePrior) -> dict[str, str]:
    headers = {}
    if prior.etag:
        headers["If-None-Match"] = prior.etag
    if prior.last_modified:
        headers["If-Modified-Since"] = prior.last_modified
    return headers


def refers_to(prior: Prior) -> RefersTo:
    """Where the original capture of a revisit lives."""
    assert prior.payload_digest
    return RefersTo(target_uri=prior.fetched_url,
                    date=warc_date(iso_date(prior.captured_at)),
                    record_id=prior.record_id, payload_digest=prior.payload_digest)


def prior_of(request: Request) -> Prior | None:
    prior = request.meta.get(PRIOR)
    return prior if isinstance(prior, Prior) and prior.payload_digest else None


def page_revisit(request: Request, capture: Capture) -> tuple[RefersTo, bool] | None:
    """A page that is not a post, asked for with its validators (``PAGE_PRIOR``): (the capture
    referred to, whether it is a 304) when it came back unchanged, else None."""
    prior = request.meta.get(PAGE_PRIOR)
    if not isinstance(prior, ResourcePrior) or not prior.payload_digest or capture.truncated \
            or canonical_url(capture.url) != prior.url:  # redirected: another page's answer
        return None
    if capture.status == 304:
        return resource_refers_to(prior), True
    if 200 <= capture.status < 300 and capture.body \
            and capture.payload_digest == prior.payload_digest:
        return resource_refers_to(prior), False
    return None


def page_row(url: str, captured: datetime, location: WarcLocation, etag: str | None,
             last_modified: str | None) -> ResourceRow:
    """The catalog row of a full capture of a page that is not a post (``reindex``'s rule)."""
    return ResourceRow(
        url=url, captured_at=captured.astimezone(UTC).isoformat(), record_id=location.record_id,
        payload_digest=location.payload_digest, etag=etag, last_modified=last_modified,
        status=200, kind=PAGE, warc_file=location.filename, warc_offset=location.offset,
        warc_length=location.length)


# -- requisites ---------------------------------------------------------------------------------
class KnownRequisite(IgnoreRequest):
    """An archived requisite not asked for again (counted in ``requisites/known_skipped``)."""


class ResourceRecrawl:
    """The capture point's memory of requisites, on disk: the archive's resources (loaded when
    the spider opens), this crawl's full captures as they are written, and their catalog rows
    (``writer``, this process's catalog: the main one, or a scale-out worker's shard)."""

    def __init__(self, ledger: ResourceLedger, catalogs: list[Path], catalog: Path,
                 stats: Any) -> None:
        self.ledger = ledger
        self.catalogs = catalogs
        self.catalog = catalog
        self.stats = stats
        self.writer: ResourceWriter | None = None  # opened with the first row
        self.full = False  # -a full=1: every capture in full, no revisit

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> ResourceRecrawl:
        layout = Layout(archive_config(crawler).archive_dir)
        shard = worker_shard(crawler.settings)
        own = layout.shard_path(shard) if shard else layout.catalog_path
        recrawl = cls(ResourceLedger(), catalog_paths(layout), own, crawler.stats)
        crawler.signals.connect(recrawl.open, signal=signals.spider_opened)
        crawler.signals.connect(recrawl.close, signal=signals.spider_closed)
        return recrawl

    def open(self, spider: object) -> None:
        options = options_of(spider)
        if options is not None and options.full:
            self.full = True  # the archive is ignored, everything is fetched and stored again
            return
        loaded = self.ledger.load_resource_priors([p for p in self.catalogs if p.exists()])
        self.stats.set_value("requisites/priors", loaded)

    def close(self) -> None:
        try:
            if self.writer is not None:
                self.writer.close()
        except (OSError, sqlite3.Error) as error:
            if not is_disk_full(error):
                raise
            # Derived rows only: the captures are in the WARC and `reindex` lists them again.
            logger.warning("The catalog's list of requisites was not completed (%s): the disk is "
                           "full; `blogarchive reindex` restores it", error)
        finally:
            self.ledger.close()

    def prepare(self, request: Request) -> None:
        """A known requisite is not asked for (``KnownRequisite``), or when revalidated, asked
        for with its validators (and may answer 304)."""
        if not request.meta.get(REQUISITE) or request.headers.get("If-None-Match") \
                or request.headers.get("If-Modified-Since"):
            return
        prior = self.ledger.resource_prior(request.url.split("#", 1)[0])
        if prior is not None and not request.meta.get(REVALIDATE):
            self.stats.inc_value("requisites/known_skipped")
            raise KnownRequisite(f"archived already: {request.url}")
        if prior is None or not (prior.etag or prior.last_modified):
            return
        if prior.etag:
            request.headers["If-None-Match"] = prior.etag
        if prior.last_modified:
            request.headers["If-Modified-Since"] = prior.last_modified
        allowed = list(request.meta.get(HANDLE_HTTPSTATUS_LIST) or [])
        request.meta[HANDLE_HTTPSTATUS_LIST] = [*allowed, 304]
        self.stats.inc_value("requisites/conditional")

    def revisit_of(self, capture: Capture) -> tuple[RefersTo, bool] | None:
        """(the capture referred to, whether it is a 304), or None: write the capture in full."""
        if self.full:
            return None
        if capture.status == 304:
            prior = self.ledger.resource_prior(capture.url)
            if prior is None or not prior.payload_digest:
                return None
            return resource_refers_to(prior), True
        if not (200 <= capture.status < 300 and capture.body) or capture.truncated:
            return None
        same = self.ledger.same_payload(capture.payload_digest, capture.url)
        return (resource_refers_to(same), False) if same is not None else None

    def captured(self, capture: Capture, location: WarcLocation) -> None:
        """A full capture was written: remember its digest, and catalogue it (same rule as
        ``reindex``: status 200, not truncated)."""
        if capture.status != 200 or capture.truncated:
            return
        row = resource_row(capture, location)
        self.ledger.add_resource(ResourcePrior(row.url, row.captured_at, row.record_id,
                                               row.payload_digest, row.etag, row.last_modified))
        if self.writer is None:
            self.writer = ResourceWriter(Catalog(self.catalog).db)
        self.writer.add(row)


def resource_row(capture: Capture, location: WarcLocation) -> ResourceRow:
    return ResourceRow(
        url=capture.url, captured_at=capture.started.astimezone(UTC).isoformat(),
        record_id=location.record_id, payload_digest=location.payload_digest,
        etag=capture.header("ETag"), last_modified=capture.header("Last-Modified"),
        status=capture.status, kind=capture.resource_type, warc_file=location.filename,
        warc_offset=location.offset, warc_length=location.length)


def resource_refers_to(prior: ResourcePrior) -> RefersTo:
    assert prior.payload_digest
    return RefersTo(target_uri=prior.url, date=warc_date(iso_date(prior.captured_at)),
                    record_id=prior.record_id, payload_digest=prior.payload_digest)
