"""The ``Request.meta`` keys the crawler uses, named once.

Requests wait in disk queues (``crawler/scheduler.py``) and, scaled out, in Redis
(``crawler/scalequeue.py``), so a queued request carries these strings across restarts and between
workers: a value here must never change, only its name may.
"""

# -- discovery (crawler/spiders/inventory.py) ----------------------------------------------------
STEP = "step"                        # which inventory a discovery request reads: robots, sitemap...
FEED_PAGE = "feed_page"              # page number of a WordPress feed (?paged=N)
REST_ROOT = "rest_root"              # the REST API root a posts page belongs to
REST_PAGE = "rest_page"              # page number of /wp/v2/posts
SITEMAP_DEPTH = "sitemap_depth"      # sitemap indexes above this sitemap (0: named by robots.txt)

# -- posts (crawler/spiders/blog.py) -------------------------------------------------------------
DISCOVERED_VIA = "discovered_via"    # the inventory that listed the post: sitemap, feed, rest...
# DISCOVERED_VIA values that name no inventory: a followed link, a meta refresh, the start URL.
# Every other value is one of the blog's inventories (or the archive's own list of its posts),
# whose listing makes the page a post candidate (archive.extract.page_type).
NOT_INVENTORIES = frozenset({"links", "refresh", "home"})
PRIOR = "prior"                      # the archive's latest capture of the post (archive.catalog.Prior)
PAGE_PRIOR = "page_prior"            # a page that is not a post: its latest capture (ResourcePrior)
FOLLOWING = "following"              # reached by following links: follow this page's links too

# -- page requisites (crawler/spiders/requisites.py) ---------------------------------------------
REQUISITE = "requisite"              # a page requisite or attachment: its kind (image, stylesheet...)
REQUISITE_DEPTH = "requisite_depth"  # stylesheets imported above it (0: named by the page)
REVALIDATE = "revalidate"            # an archived requisite is asked again (else: not asked at all)

# -- capture (crawler/middlewares.py) ------------------------------------------------------------
CAPTURE_STARTED = "capture_started"  # when the request left: the WARC-Date
CAPTURED_AT = "captured_at"          # the capture's time, read back by the spider
WARC_LOCATION = "warc_location"      # where the response record went (archive.warc.capture)
REVISIT = "revisit"                  # set when the capture was stored as a revisit record: why
ROBOTS = "robots"                    # never filtered by scope

# -- hostile servers (crawler/bodies.py, crawler/limits.py) --------------------------------------
TRUNCATED = "truncated"              # why the body is cut (length, time, disconnect, encoding)
PARTIAL_RESPONSE = "_partial_response"  # the response so far of a timed-out download: never queued

# -- scale-out (crawler/scale.py, crawler/scalequeue.py) -----------------------------------------
SCALE_TOKEN = "scale_token"          # the in-flight entry a request (and its retries) answers for
SCALE_PREFETCHED = "scale_prefetched"  # popped by the heartbeat: queue locally, not in Redis again

# -- Scrapy's own keys, read or set here ---------------------------------------------------------
HANDLE_HTTPSTATUS_LIST = "handle_httpstatus_list"
DONT_RETRY = "dont_retry"
REDIRECT_URLS = "redirect_urls"
