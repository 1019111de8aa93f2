"""A blog that moved: its home page answers a permanent redirect (301, 308) to another host.

``GuardedRedirectMiddleware`` (600) refuses redirects that leave the crawl's scope, and following
one would hand the new host's home page to the old site's discovery. So this middleware, which
sees responses just before it, marks such a home page response ``MOVED_TO`` and passes it to the
spider (``crawler/spiders/moves.py``), which crawls the blog at its new address in the same run;
``crawler/sitehealth.py`` then points the blog list's entry at it. Any other redirect is left to
the redirect middleware as before, but for an archived post's permanent redirect to another
host, which is not followed (see ``process_response``).
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from w3lib.url import safe_url_string

from archive.urls import join_url, site_of, web_url
from crawler.meta import HANDLE_HTTPSTATUS_LIST, PRIOR, STEP

logger = logging.getLogger(__name__)
MOVED_TO = "moved_to"  # Request.meta: the new home page of a blog whose home redirected for good
PERMANENT = (301, 308)


class MoveMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MoveMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        home, archived = request.meta.get(STEP) == "home", request.meta.get(PRIOR) is not None
        if response.status not in PERMANENT or not (home or archived):
            return response
        target = moved_target(request.url, response)
        if target is None:
            return response
        if archived:
            # An archived post of a blog that moved: asked for at its new address when the new
            # host's inventories list it. Followed here, its answer would be taken for the old
            # address's (unchanged, as the bytes are the same) and the new address, filtered as
            # a duplicate request, never archived.
            self.crawler.stats.inc_value("sites/moved/old_posts")
            logger.info("%s: moved permanently to %s: not followed (the new host's own "
                        "inventories list it)", request.url, target)
            raise IgnoreRequest(f"archived post moved to another host: {target}")
        request.meta[MOVED_TO] = target
        # The redirect middleware and HttpErrorMiddleware let a listed status through.
        request.meta[HANDLE_HTTPSTATUS_LIST] = [*request.meta.get(HANDLE_HTTPSTATUS_LIST, ()),
                                                response.status]
        self.crawler.stats.inc_value("sites/moved")
        return response


def moved_target(url: str, response: Response) -> str | None:
    """The redirect's target when it is on another site than ``url``, canonical; else None."""
    location = response.headers.get(b"Location")
    if not location:
        return None
    try:
        target = web_url(join_url(url, safe_url_string(location)))
    except ValueError:  # BadURL, or w3lib's own for a broken IPv6 host
        return None
    return target if site_of(target) != site_of(url) else None
