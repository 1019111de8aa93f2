"""Where the spider, the frontier and the other components meet: small protocols, not ``getattr``.

Middlewares, the run report and the pipelines also run under spiders that are not ``BlogSpider``
(tests and benchmarks use plain Scrapy spiders). They ask ``scope_of`` and ``options_of``, which
answer "no scope" and "no options" for such a spider; the shared scheduler checks
``isinstance(spider, BlogSpiderLike)`` before it hands a site over.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from scrapy import Request

from crawler.options import CrawlOptions
from crawler.sites import SiteState


@runtime_checkable
class ScopedSpider(Protocol):
    """A spider that keeps the crawl inside a set of sites (``archive.urls.site_of`` values)."""

    sites: set[str]


class Frontier(Protocol):
    """The shared scheduler as the spider sees it (``crawler.scale.SharedScheduler``)."""

    def claim_discovery(self, home: str) -> bool: ...


@runtime_checkable
class BlogSpiderLike(Protocol):
    """What the shared scheduler and the pipelines need of ``crawler.spiders.blog.BlogSpider``."""

    sites: set[str]
    options: CrawlOptions
    site_states: dict[str, SiteState]
    frontier: Frontier | None

    def join_site(self, home: str) -> None: ...

    def start_site(self, home: str, discover: bool) -> Iterator[Request]: ...


def scope_of(spider: object) -> set[str]:
    """The sites a spider keeps to; empty (no scope) for a spider that has none."""
    return spider.sites if isinstance(spider, ScopedSpider) else set()


def options_of(spider: object) -> CrawlOptions | None:
    """The blog spider's checked ``-a`` arguments; None under any other spider."""
    return spider.options if isinstance(spider, BlogSpiderLike) else None
