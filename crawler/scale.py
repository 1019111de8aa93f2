"""One frontier for many crawler processes: the scheduler of a scaled-out crawl (``REDIS_URL`` set).

Loaded only by ``crawler.addons.ScaleOut`` when ``REDIS_URL`` is set. It extends scrapy-redis (shared
priority queue, shared fingerprint set) with what an archive needs:

- **every URL fetched by one worker, and nothing lost when one dies.** scrapy-redis pops a request
  from the queue before downloading it, so a killed worker loses what it had in flight. Here a pop
  moves the request atomically (Lua) into the worker's in-flight hash; it leaves that hash only when
  Scrapy has finished with its result (callback run, items through the pipelines, catalog row
  committed). Workers send heartbeats; the requests of a worker silent for
  ``SCALE_WORKER_TIMEOUT`` go back to the queue, and another worker fetches them.
- **discovery once per site.** Sitemaps, feeds and the REST API of a site are read by the one
  worker that claimed the site, and stay in its own memory queue, so the per-site bookkeeping of
  the spider (when to page feeds, when to fall back to links) sees the whole inventory. Post
  requests and followed links go to the shared queue. The claim of a dead worker is taken over.
- **a crawl ends when nothing is queued or in flight anywhere**; a worker that starts when no other
  is alive and nothing is left starts a new crawl (fingerprints cleared), so re-crawls work.

Requests are stored as JSON, never pickled: a shared Redis must not be able to run code here
(``crawler/scalequeue.py``, the queue with in-flight acknowledgements).
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task, threads

from archive.layout import Layout
from archive.lock import worker_alive, worker_name
from archive.maintain.workers import recover_dead_workers
from archive.urls import site_of
from crawler.config import crawl_config
from crawler.meta import SCALE_PREFETCHED, SCALE_TOKEN, STEP
from crawler.options import CrawlOptions
from crawler.protocols import BlogSpiderLike
from crawler.scalequeue import REQUEUE, ReliableQueue

logger = logging.getLogger(__name__)

# Register; when no other worker is alive and nothing is queued, the last crawl is over: start a
# new one. KEYS workers, queue, dupefilter, sites, discovery, discovered; ARGV now, timeout, me.
JOIN = """
local workers = redis.call('HGETALL', KEYS[1])
redis.call('HSET', KEYS[1], ARGV[3], ARGV[1])
for i = 1, #workers, 2 do
  if workers[i] ~= ARGV[3] and tonumber(ARGV[1]) - tonumber(workers[i + 1]) <= tonumber(ARGV[2])
  then return 0 end
end
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[6])
return 1
"""


class SharedScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler plus worker liveness, per-site discovery and the crawl's end."""

    crawler: Crawler
    queue: ReliableQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        scheduler: SharedScheduler = super().from_crawler(crawler)
        scheduler.setup(crawler)
        return scheduler

    def setup(self, crawler: Crawler) -> None:
        config = crawl_config(crawler)  # SCALE_* checked at start-up (crawler/config.py)
        self.crawler = crawler
        self.config = config.scale
        self.layout = Layout(config.archive.archive_dir)
        self.worker = worker_name()
        self.local: list[tuple[int, int, Request]] = []   # discovery, and retries of held requests
        self.order = itertools.count()
        self.discovering: set[str] = set()
        self.idle_since: float | None = None
        self.tick = task.LoopingCall(self.beat)
        self.stopping = threading.Event()
        self.heart = threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    # -- Redis keys ------------------------------------------------------------------------
    def key(self, name: str) -> str:
        return f"{self.spider.name}:{name}"

    def open(self, spider: Spider) -> None:
        super().open(spider)
        self._requeue = self.server.register_script(REQUEUE)
        self._reap()
        fresh = self.server.register_script(JOIN)(
            keys=[self.key("workers"), self.queue.key, self.df.key, self.key("sites"),
                  self.key("discovery"), self.key("discovered")],
            args=[self._now(), self.config.worker_timeout, self.worker])
        logger.info("Worker %s joined %s the shared frontier at %s (%d requests queued)",
                    self.worker, "a new crawl on" if fresh else "the running crawl on",
                    self.config.redis_url, len(self.queue))
        self.blog = spider if isinstance(spider, BlogSpiderLike) else None  # once: 0.1 ms a check
        if self.blog is not None:
            self.blog.frontier = self
        self.tick.start(min(1.0, self.config.worker_timeout / 4), now=False)
        self.heart.start()

    def _heartbeat(self) -> None:
        """In a thread, so a worker busy in a long callback is not taken for dead."""
        while not self.stopping.wait(self.config.worker_timeout / 4):
            self.server.hset(self.key("workers"), self.worker, self._now())

    def close(self, reason: str) -> None:
        if self.tick.running:
            self.tick.stop()
        self.stopping.set()
        if self.heart.is_alive():
            self.heart.join()
        if reason == "finished":
            for site in self.discovering:
                self.server.sadd(self.key("discovered"), site)
            left = self.server.hlen(self.queue.inflight)
            if left:
                logger.warning("%d requests still marked in flight at the end: dropped", left)
            self.server.delete(self.queue.inflight)
        requeued = self._give_back(self.worker)
        if requeued:
            logger.info("Gave %d unfinished requests back to the shared queue", requeued)
        recover_dead_workers(self.layout, self.worker)

    # -- queueing --------------------------------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        if request.meta.pop(SCALE_PREFETCHED, False) or STEP in request.meta:
            return self._push_local(request)
        if SCALE_TOKEN in request.meta:  # a retry or redirect of a request this worker holds
            if not request.dont_filter and self.df.request_seen(request):
                self.queue.ack(request.meta[SCALE_TOKEN])
                return False
            return self._push_local(request)
        return bool(super().enqueue_request(request))

    def _push_local(self, request: Request) -> bool:
        heapq.heappush(self.local, (-request.priority, next(self.order), request))
        self.crawler.stats.inc_value("scale/enqueued/local")
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return heapq.heappop(self.local)[2]
        request: Request | None = super().next_request()
        if request is not None:
            self._join_site_of(request)
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.local) or len(self.queue) > 0

    def __len__(self) -> int:
        return len(self.local) + len(self.queue)

    def _join_site_of(self, request: Request) -> None:
        site = site_of(request.url)
        if self.blog is not None and site not in self.blog.sites:
            home = self.server.hget(self.key("sites"), site)
            self.blog.join_site(home.decode() if home else f"{request.url.split('://')[0]}://{site}/")

    # -- sites and discovery ---------------------------------------------------------------
    def claim_discovery(self, home: str) -> bool:
        """True when this worker is to read the site's inventories (the first one to ask)."""
        site = site_of(home)
        self.server.hsetnx(self.key("sites"), site, home)
        if self.server.sismember(self.key("discovered"), site):
            return False
        owner = self.server.hget(self.key("discovery"), site)
        if owner is None and self.server.hsetnx(self.key("discovery"), site, self.worker):
            owner = self.worker.encode()
        if owner != self.worker.encode():
            return False
        self.discovering.add(site)
        return True

    def _start_site(self, home: str) -> None:
        assert self.blog is not None and self.crawler.engine is not None
        for request in self.blog.start_site(home, self.claim_discovery(home)):
            self.crawler.engine.crawl(request)

    # -- liveness --------------------------------------------------------------------------
    def beat(self) -> None:
        """Reap silent workers, take over orphaned discovery, wake up when work waits."""
        self._reap()
        states = self.blog.site_states if self.blog is not None else {}
        for site in list(self.discovering):
            state = states.get(site)
            if state is not None and state.pending == 0:
                self.server.sadd(self.key("discovered"), site)
        done = {s.decode() for s in self.server.smembers(self.key("discovered"))}
        claimed = {s.decode() for s in self.server.hkeys(self.key("discovery"))}
        for site, home in self.server.hgetall(self.key("sites")).items():
            if site.decode() not in done | claimed:
                logger.info("Taking over the discovery of %s from a worker that stopped",
                            site.decode())
                self._start_site(home.decode())
        engine = self.crawler.engine
        assert engine is not None
        if not self.local and (request := self.queue.pop()) is not None:
            self._join_site_of(request)
            request.meta[SCALE_PREFETCHED] = True
            engine.crawl(request)
        elif engine.spider_is_idle():  # Scrapy itself looks again only every 5 seconds
            try:
                self.spider_idle(self.spider)
            except DontCloseSpider:
                return
            deferred_from_coro(engine.close_spider_async(reason="finished"))

    def _reap(self) -> None:
        now = self._now()
        for name, beat in self.server.hgetall(self.key("workers")).items():
            worker = name.decode()
            if worker == self.worker or now - float(beat) <= self.config.worker_timeout:
                continue
            if worker_alive(self.layout, worker):  # silent but holding its lock: busy, not dead
                continue
            count = self._give_back(worker)
            self.crawler.stats.inc_value("scale/workers_reaped")
            self.crawler.stats.inc_value("scale/requeued", count)
            logger.warning("Worker %s stopped answering: %d requests back in the queue",
                           worker, count)
            threads.deferToThread(recover_dead_workers, self.layout, self.worker)

    def _give_back(self, worker: str) -> int:
        """Requeue a worker's in-flight requests, unregister it and release its discovery claims."""
        keys = [self.queue.key, self.queue.inflight_key(self.spider.name, worker),
                self.key("workers"), self.key("discovery")]
        return int(self._requeue(keys=keys, args=[worker]))

    def _now(self) -> float:
        seconds, micro = self.server.time()
        return float(seconds) + float(micro) / 1e6

    def busy(self) -> bool:
        """Anything queued, in flight on a live worker, or still being discovered?"""
        if len(self.queue) or self.server.llen(self.key("start_urls")):
            return True
        live = [w.decode() for w in self.server.hkeys(self.key("workers"))]
        if any(self.server.hlen(self.queue.inflight_key(self.spider.name, w)) for w in live):
            return True
        done = self.server.smembers(self.key("discovered"))
        return any(site not in done and owner.decode() != self.worker
                   for site, owner in self.server.hgetall(self.key("discovery")).items())

    # -- signals ---------------------------------------------------------------------------
    def spider_opened(self, spider: Spider) -> None:
        """Acknowledge a request once Scrapy has completely handled its result (items included)."""
        slot = getattr(getattr(self.crawler.engine, "scraper", None), "slot", None)
        if slot is None or not hasattr(slot, "finish_response"):
            raise RuntimeError("this Scrapy version hides when a response is fully processed: "
                               "crawler/scale.py cannot acknowledge requests")
        finish = slot.finish_response

        def finished(result: Any, request: Request) -> None:
            finish(result, request)
            if SCALE_TOKEN in request.meta:
                self.queue.ack(request.meta[SCALE_TOKEN])
        slot.finish_response = finished

    def spider_idle(self, spider: Spider) -> None:
        """Read start URLs pushed to Redis; stay while other workers may still add requests."""
        pushed = 0
        while (data := self.server.rpop(self.key("start_urls"))) is not None:
            for home in _start_urls(data):
                self._start_site(home)
                pushed += 1
        self.crawler.stats.inc_value("scale/start_urls", pushed)
        if pushed or self.local or self.busy():
            self.idle_since = None
            raise DontCloseSpider
        now = self._now()
        self.idle_since = self.idle_since or now
        if now - self.idle_since < self.config.idle_wait:
            raise DontCloseSpider


def _start_urls(data: bytes) -> list[str]:
    """A pushed start URL: plain text or scrapy-redis's JSON ``{"url": ...}``."""
    text = data.decode("utf-8").strip()
    if text.startswith("{"):
        text = str(json.loads(text).get("url") or "")
    try:
        return list(CrawlOptions.parse(text).start_urls)
    except ValueError as error:
        logger.warning("ignored start URL %r pushed to Redis: %s", text, error)
        return []
