"""Scrapy settings for blogarchive. Every project setting is declared here once, with its meaning.

The ``ARCHIVE_*`` (requisites included), ``EXTRACT_*``, ``SCALE_*`` (with ``REDIS_URL``) and
``DISCOVERY_*`` settings are read into one typed ``crawler.config.CrawlConfig`` (its archive part
is the library's ``archive.config.ArchiveConfig``) and checked before the crawl starts: a bad value
stops it with one line saying what to fix, and exit status 2.
"""

import os

from archive import __version__
from archive.config import DEFAULT_WARC_MAX_SIZE, DEFAULT_WARC_PREFIX, default_archive_dir
from archive.extract.requisites import ATTACHMENT_TYPES
from archive.extract.trackers import TRACKER_HOSTS

# Scrapy's cookie middleware uses tldextract, which downloads the Public Suffix List on first use.
# An archiver must not phone home: use the snapshot tldextract ships with.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

BOT_NAME = "blogarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# Our `crawl` checks spider arguments and every setting below (crawler/config.py) before starting.
COMMANDS_MODULE = "crawler.commands"

# --- archive ------------------------------------------------------------------------------
# Where WARCs, clean text and the catalog go (the `blogarchive` command reads the same place).
ARCHIVE_DIR = default_archive_dir()
# Rotate WARC files once they reach this many bytes (checked before each capture).
ARCHIVE_WARC_MAX_SIZE = DEFAULT_WARC_MAX_SIZE
# First part of WARC file names: PREFIX-YYYYmmddHHMMSSfff-NNNNN-HOST.warc.gz
ARCHIVE_WARC_PREFIX = DEFAULT_WARC_PREFIX
# Who runs the crawl: written to every warcinfo record and appended to the User-Agent.
ARCHIVE_OPERATOR = ""
# Keep Authorization and Cookie request headers in WARC request records (off: private by default).
ARCHIVE_STORE_CREDENTIALS = False
# Seconds to wait for another crawl writing to the same ARCHIVE_DIR before giving up (exit 75).
ARCHIVE_LOCK_WAIT = 0
# A contact URL or e-mail for site owners, shown in the User-Agent.
ARCHIVE_CONTACT = "https://github.com/blogarchive/blogarchive"

# --- page requisites (crawler/spiders/requisites.py) --------------------------------------
# What a captured page loads, fetched once per crawl and written to the WARC so the page replays as
# it looked: images (src, srcset, lazy-load attributes), stylesheets with their @imports, fonts and
# url()s, scripts, icons, media. "all", "images" (images and icons only; no stylesheets, scripts,
# fonts) or "none". Requisites may come from any host (CDNs) and are never followed as pages.
ARCHIVE_REQUISITES = "all"
# Bytes per requisite or attachment at most: a larger one is not archived, counted in
# requisites/skipped/too_large (0: only DOWNLOAD_MAXSIZE, which archives the start, truncated).
ARCHIVE_REQUISITE_MAX_SIZE = 50 * 1024 * 1024
# Stylesheets imported below a page's own (@import chains) that are still read for url()s.
ARCHIVE_REQUISITE_MAX_DEPTH = 3
# Files a post body links to that are archived with it (extensions, without the dot); [] for none.
ARCHIVE_ATTACHMENT_TYPES = sorted(ATTACHMENT_TYPES)
# Hosts never asked for a requisite, with their subdomains: trackers, analytics and ad networks
# (archive/extract/trackers.py lists them). A value here replaces the whole list.
ARCHIVE_REQUISITE_SKIP_HOSTS = list(TRACKER_HOSTS)
# When not empty, the only hosts (with their subdomains) requisites are asked from besides the
# blog's own: e.g. ["i0.wp.com", "s0.wp.com", "gravatar.com"]; [] asks any host (CDNs included).
ARCHIVE_REQUISITE_HOSTS: list[str] = []

# --- politeness ---------------------------------------------------------------------------
USER_AGENT = f"blogarchive/{__version__} (+{ARCHIVE_CONTACT})"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 2
# A response yields at most one item (a post, a page's row, a seen or gone post) and requests:
# two slots let the requests be scheduled while the item waits in the pipelines. More only
# cost: with asyncio Scrapy starts CONCURRENT_ITEMS + 1 tasks for every response, whatever it
# yields (plain Scrapy on a blog's posts and their requisites, CPU per post: 18.6 ms with the
# default 100, 12.7 with 16, 10.9 with 8, 10.2 with 1; bench/bare_spider.py).
CONCURRENT_ITEMS = 2
# Offer only codings that replay tools (warcio, pywb) can decode: no zstd.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate, br",
}

# --- components ---------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Refuses trap and out-of-scope URLs before anything is fetched.
    "crawler.middlewares.ScopeMiddleware": 50,
    # A blog whose home page could not be connected to is asked for nothing more in this run.
    "crawler.unreachable.UnreachableSiteMiddleware": 60,
    # Scrapy's robots.txt middleware, whose one fetch per host also answers discovery's robots step.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.SharedRobotsTxtMiddleware": 100,
    # Adds ARCHIVE_OPERATOR/ARCHIVE_CONTACT to the User-Agent.
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "crawler.middlewares.ContactUserAgentMiddleware": 500,
    # Writes every response to the WARC as sent: above HttpCompression (590), Redirect (600),
    # Retry (550) and HttpCache (900), so it sees encoded bodies, redirect hops and retries.
    "crawler.middlewares.CaptureMiddleware": 950,
    # A home page's permanent redirect to another host: the blog moved, crawl it there. Sees
    # responses before the redirect middleware (600), which refuses hops out of scope.
    "crawler.moves.MoveMiddleware": 610,
}
SPIDER_MIDDLEWARES = {
    # Once the crawl is stopping (Ctrl-C, disk full), a callback's further requests are dropped,
    # so that a discovery page listing a great many does not keep the crawl alive.
    "crawler.stopping.StopOutputOnClose": 10,
    # Off: each is one more async generator around every callback's output (issue 21's profile).
    # Depth only counts (no DEPTH_LIMIT or DEPTH_PRIORITY here); the meta-copy check only warns.
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 300,
    "pipelines.text.TextPipeline": 400,
}
EXTENSIONS = {
    # Each blog's health in the archive's blog list and the run report (before the report, 500).
    "crawler.sitehealth.SiteHealth": 490,
    "crawler.report.ProgressReporter": 500,
    "crawler.memory.MemoryTrim": 510,
}
# Seconds between progress lines (posts found, new, changed, failed, rate); 0: only the summary.
PROGRESS_INTERVAL = 30.0
# A run whose share of failed posts is above this ends with a non-zero exit status.
ARCHIVE_MAX_FAILURE_SHARE = 0.5

# --- re-crawls (README "Scheduled crawls") ----------------------------------------------------
# A repeat asks only for what the inventories say changed: REST modified_gmt and the comments
# endpoint on WordPress, sitemap lastmod and Atom updated dates elsewhere; archived posts with no
# signal get conditional requests, archived requisites are not asked for. False: every run
# revalidates (every archived post and requisite asked for again, conditionally).
RECRAWL_TRUST_INVENTORY = True
# Revalidate a site on every N-th run (counted in the run reports since its last revalidation);
# 0: never. `-a revalidate=1` revalidates this run.
RECRAWL_REVALIDATE_EVERY = 0
# Revalidate a site once its last revalidation (or first crawl) is older than this age, e.g.
# "30 days", "12 hours", "2 weeks"; empty: never.
RECRAWL_REVALIDATE_AFTER = ""

# --- many blogs (blogarchive sites, crawler/sitehealth.py) ---------------------------------
# Consecutive runs whose home page did not answer (no answer, 404, 410, 5xx) after which a listed
# blog is marked gone in `blogarchive sites list` (it is still tried; one answer clears the mark).
SITES_GONE_AFTER = 5

# --- scale-out (crawler/addons.py, crawler/scale.py) ----------------------------------------
# Switches the scheduler to a shared Redis frontier when REDIS_URL is set; does nothing otherwise.
ADDONS = {"crawler.addons.ScaleOut": 0, "crawler.addons.DiskQueue": 0}
# Redis holding the shared frontier, e.g. redis://host:6379/0 (empty: one process, no Redis).
REDIS_URL = ""
# Seconds without a heartbeat after which a worker counts as dead: its in-flight requests go back
# to the queue and another worker takes over its sites' discovery.
SCALE_WORKER_TIMEOUT = 30.0
# Seconds a worker with nothing left to do keeps waiting for start URLs pushed to the Redis list
# `blog:start_urls` (e.g. `redis-cli lpush blog:start_urls https://example.org/`); 0: stop.
SCALE_IDLE_WAIT = 0.0

# --- extraction -----------------------------------------------------------------------------
# Extract clean text while crawling (off: only WARCs and catalog rows; `blogarchive reindex` later).
EXTRACT_ENABLED = True
# Worker processes for extraction (0: one per CPU core).
EXTRACT_WORKERS = 0
# Seconds one page may take before its worker is killed and the page recorded as failed.
EXTRACT_TIMEOUT = 60.0
# Pages waiting for a worker at most (0: 4 per worker); beyond it, downloads wait (back-pressure).
EXTRACT_MAX_PENDING = 0
# How much lower the workers' CPU priority is than the crawler's (0 to 19, as `nice`): the
# crawler's event loop sets the pace of the crawl (above all with page requisites on), so when
# both want a core it goes first, and the workers take the rest (issue 21).
EXTRACT_WORKER_NICE = 10
# The function workers run, as module:function (a seam for tests and custom extractors).
EXTRACT_FUNCTION = "archive.extract.worker:extract_dict"
# Pages larger than this many bytes are not extracted (a 50 MB page took 1.6 GB to parse): the
# page is archived whole and cataloged with the reason, counted extract/too_large (0: no limit).
EXTRACT_MAX_HTML_BYTES = 8 * 1024 * 1024
# Seconds between returns of freed heap memory to the system (glibc malloc_trim; 0: never).
MEMORY_TRIM_INTERVAL = 5.0

# --- discovery ----------------------------------------------------------------------------
# Off: Scrapy would replace a page carrying <meta http-equiv="refresh"> by its target, so a post
# refreshing to itself, off-site or to javascript: was never parsed. The spider treats the target
# as an ordinary link instead (crawler/spiders/blog.py, BlogSpider._refresh).
METAREFRESH_ENABLED = False
# Page size asked of the WordPress REST API (its maximum is 100).
DISCOVERY_REST_PER_PAGE = 100
# Follow links inside the blog when no complete inventory (sitemap, REST API, a platform's paged
# API, a feed paged to its end) lists the posts (crawler/coverage.py).
DISCOVERY_FOLLOW_LINKS = True

# Scrapy parses each callback's source (ast) for every response to warn about a generator
# returning a value: its cache is keyed by the bound method, new for every request read back from
# the disk queue (issue 21's profile: 3.7 % of the event loop). tests/test_event_loop_costs.py
# runs the same check once over every generator method of the spider.
WARN_ON_GENERATOR_RETURN_VALUE = False
# The same counters as Scrapy's default, without its per-attribute hook (crawler/stats.py).
STATS_CLASS = "crawler.stats.PlainStatsCollector"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# No telnet console and no remote control server (Scrapy 2.19 starts one by default): crawls run
# unattended from cron; nothing should listen on a port.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- hostile servers (crawler/limits.py, crawler/linkgate.py) -------------------------------
# Bodies above this many bytes are cut: the first DOWNLOAD_MAXSIZE bytes are archived with
# WARC-Truncated: length and not parsed. Also the most a gzip body may expand to (gzip bombs).
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
# Keep a body the server cut short (Content-Length larger than sent): archived with
# WARC-Truncated: disconnect and not parsed, instead of being lost.
DOWNLOAD_FAIL_ON_DATALOSS = False
DOWNLOAD_HANDLERS = {
    "http": "crawler.bodies.TruncatingDownloadHandler",
    "https": "crawler.bodies.TruncatingDownloadHandler",
}
# Longest wait asked by a 429/503 Retry-After header that is honoured (seconds).
RETRY_AFTER_MAX = 30.0
# Links followed per page at most (a page with 100,000 links), and the highest ?page=N or
# /page/N/ followed (endless pagination). Date archives outside 1990..next year are not followed.
DISCOVERY_MAX_LINKS_PER_PAGE = 2000
DISCOVERY_MAX_PAGE = 1000
# Discovery budgets per site, so that no inventory and no link trap makes a crawl endless: what
# they stop is counted in discovery/capped/<step> and logged once per site. A WordPress REST API
# is read for at most this many pages (X-WP-TotalPages is not trusted: 100 posts a page)...
DISCOVERY_MAX_REST_PAGES = 1000
# ...sitemaps (indexes included) at most, nested at most this many indexes below the first...
DISCOVERY_MAX_SITEMAPS = 1000
DISCOVERY_MAX_SITEMAP_DEPTH = 3
# ...feed documents at most (all feeds and their ?paged=N pages)...
DISCOVERY_MAX_FEED_PAGES = 1000
# ...and pages asked for by following links (posts and listings alike).
DISCOVERY_MAX_LINK_PAGES = 10000
DOWNLOADER_MIDDLEWARES.update({
    # Redirect loops, too long chains and hops out of scope: refused with a log line.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.limits.GuardedRedirectMiddleware": 600,
    # A truncated body (too large, cut by the server, a cut gzip stream): counted, not parsed.
    "crawler.bodies.CutResponseMiddleware": 595,
    # Scrapy's decompression, bounded by DOWNLOAD_MAXSIZE, counting gzip bombs.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.limits.BoundedCompressionMiddleware": 590,
    # Binary bodies served as text/html are not parsed; lying charsets are logged.
    "crawler.limits.ContentGuardMiddleware": 580,
    # 429/503 with Retry-After: wait (at most RETRY_AFTER_MAX), then retry. Before Retry (550).
    "crawler.limits.RetryAfterMiddleware": 555,
})
# --- end hostile servers ----------------------------------------------------------------------
