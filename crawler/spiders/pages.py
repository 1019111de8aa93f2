"""How the ``blog`` spider reads a page it fetched: is it a post, what does it load, its items.

A page goes to the extraction workers (``archive.extract.analysis``, the pool ``ExtractPipeline``
opened: ``crawler/workers.py``), which answer with its kind, its requisites and, for a post, its
extraction: the event loop, the crawl's bottleneck, only turns the answer into requests and
items. The page is read here instead, as it always was, when there is no pool (extraction off),
for the home page (read by discovery, synchronously), when it is too large for a worker or its
worker failed: the kind and the requisites never depend on a worker, only a post's text does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from scrapy import Request
from scrapy.http import Response, TextResponse

from archive.extract.model import Extraction
from archive.extract.page_type import PageKind, classify_page
from archive.urls import canonical_url, post_key
from crawler.items import PageItem, PostItem
from crawler.ledger import Ledger
from crawler.meta import CAPTURED_AT, NOT_INVENTORIES, REVISIT, TRUNCATED, WARC_LOCATION
from crawler.recrawl import page_row
from crawler.spiders.requisites import RequisitesSpider
from crawler.workers import shared_pool


class PageReading(NamedTuple):
    kind: PageKind
    requisites: list[Request]
    extraction: Extraction | None = None  # a post's, when a worker read the page


class PagesSpider(RequisitesSpider):
    """Reading a fetched page into items and requests; ``BlogSpider`` decides which pages."""

    ledger: Ledger
    sites: set[str]

    def _read_here(self, response: TextResponse, via: str, parsed: bool) -> PageReading:
        """The page read on the event loop. ``parsed``: parsel's tree is there to reuse."""
        # From the body, not response.text: the decoded text would stay cached on the response.
        # A page an inventory listed needs less of the page to confirm it (page_type.decide).
        kind = classify_page(response.body, response.url, response.encoding,
                             listed=via not in NOT_INVENTORIES)
        self.crawler.stats.inc_value(f"crawl/page_kind/{kind.reason}")
        return PageReading(kind, self._requisites_of(response, kind.is_post, parsed))

    async def _read(self, response: TextResponse, via: str, parsed: bool) -> PageReading:
        """The page read by a worker; its requisites read here when parsel's tree is there."""
        pool = shared_pool(self.crawler)
        if pool is None:
            return self._read_here(response, via, parsed)
        config = self.requisites_config
        analysis = await pool.analyse(
            response.body, response.url, response.encoding, captured_at(response),
            listed=via not in NOT_INVENTORIES, requisites=config.enabled and not parsed,
            attachment_types=config.attachment_types)
        stats = self.crawler.stats
        if analysis.kind is None:  # too large for a worker, or its worker failed
            stats.inc_value("crawl/pages/read_here")
            return self._read_here(response, via, parsed)._replace(extraction=analysis.extraction)
        kind = analysis.kind
        stats.inc_value("crawl/pages/read_in_worker")
        stats.inc_value(f"crawl/page_kind/{kind.reason}")
        if analysis.requisites_error:
            self._bad_input(response, "requisites/unparsed", analysis.requisites_error)
        if parsed:
            requisites = self._requisites_of(response, kind.is_post, parsed)
        else:
            requisites = self._requisite_requests(response, analysis.requisites or ())
        return PageReading(kind, requisites, analysis.extraction)

    def _page_item(self, response: TextResponse) -> list[PageItem]:
        """The catalog row of a full capture of a page that is not a post: its validators for the
        next crawl (README "Scheduled crawls"). Not for a revisit (the row keeps pointing at the
        full capture), a cut body or an error page."""
        location = response.meta.get(WARC_LOCATION)
        if (response.status != 200 or response.meta.get(REVISIT) or location is None
                or response.meta.get(TRUNCATED) or "dataloss" in response.flags):
            return []
        return [PageItem(page_row(canonical_url(response.url), captured_at(response), location,
                                  header(response, b"ETag"), header(response, b"Last-Modified")))]

    def _post_item(self, response: TextResponse, reading: PageReading,
                   via: str) -> list[PostItem]:
        canonical = reading.kind.canonical
        declared = self._canonical(canonical, "canonical") if canonical else None
        url = post_key(response.url, declared, self.sites)  # a bad canonical: the fetched URL
        if not self.ledger.see(url):
            self.crawler.stats.inc_value("posts/duplicate")
            return []
        self.crawler.stats.inc_value("posts/found")
        return [PostItem(url=url, fetched_url=response.url, body=response.body,
                         encoding=response.encoding, captured_at=captured_at(response),
                         warc=response.meta[WARC_LOCATION], discovered_via=via,
                         is_new=not self.ledger.is_known(url),
                         etag=header(response, b"ETag"),
                         last_modified=header(response, b"Last-Modified"),
                         extraction=reading.extraction)]


def captured_at(response: Response) -> datetime:
    """When the capture middleware wrote the response (now, for a response it did not see)."""
    value = response.meta.get(CAPTURED_AT)
    return value if isinstance(value, datetime) else datetime.now(UTC)


def header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
