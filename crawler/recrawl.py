"""Incremental crawls: what the archive already holds, turned into conditional requests.

Every archived post of the crawled sites is asked for again with ``If-None-Match`` /
``If-Modified-Since`` from its latest capture, so an unchanged post costs a 304 (or, when the server
ignores validators, an identical body that is stored as a revisit), an edit gives a new version and
a 404 or 410 marks the post deleted.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler

from archive.catalog import Prior
from archive.catalog.shards import catalog_paths
from archive.layout import Layout
from archive.warc.records import RefersTo, warc_date
from archive.when import iso_date
from crawler.config import archive_config
from crawler.ledger import Ledger
from crawler.meta import PRIOR


def load_priors(crawler: Crawler, ledger: Ledger, sites: list[str]) -> int:
    """Copy the latest capture of each post of these sites into the crawl's ledger (0: new archive)."""
    layout = Layout(archive_config(crawler).archive_dir)
    return ledger.load_priors(catalog_paths(layout), sites)


def conditional_headers(prior: Prior) -> dict[str, str]:
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
