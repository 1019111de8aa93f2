"""Scrapy add-ons (``ADDONS``): each reads the settings and switches its components on or not.

``ScaleOut`` turns one ``scrapy crawl blog`` into one worker of many when ``REDIS_URL`` is set: the
same command on any number of processes and machines then shares one frontier in Redis
(``crawler/scale.py``) and writes one archive (``archive/catalog/shards.py``). Without ``REDIS_URL`` it does
nothing, and neither Redis nor scrapy-redis is imported. ``DiskQueue`` keeps a single process's
frontier on disk.
"""

from __future__ import annotations

from typing import Any

from archive.lock import worker_name


class ScaleOut:
    def update_settings(self, settings: Any) -> None:
        if not settings.get("REDIS_URL"):
            return
        for name, value in (
                ("SCHEDULER", "crawler.scale.SharedScheduler"),
                ("SCHEDULER_QUEUE_CLASS", "crawler.scalequeue.ReliableQueue"),
                ("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter"),
                # The frontier outlives any one worker; the last one out does not clear it either:
                # a new crawl starts afresh when no worker is alive and nothing is left to fetch.
                ("SCHEDULER_PERSIST", True)):
            settings.set(name, value, priority="addon")


class DiskQueue:
    """Without ``REDIS_URL``: Scrapy's scheduler with its disk queue always on (``crawler/scheduler.py``).

    Set as an add-on, not in ``settings.py``: add-on priority sits below the project's, so a
    ``SCHEDULER`` there would override ``ScaleOut``'s; a user's own ``SCHEDULER`` still wins.
    """

    def update_settings(self, settings: Any) -> None:
        if not settings.get("REDIS_URL"):
            settings.set("SCHEDULER", "crawler.scheduler.DiskQueueScheduler", priority="addon")
            settings.set("SCHEDULER_DISK_QUEUE", "crawler.scheduler.NamedCallbackDiskQueue",
                         priority="addon")


def worker_shard(settings: Any) -> str | None:
    """This process's worker name (``HOST-PID``) when it shares a Redis frontier, else None."""
    return worker_name() if settings.get("REDIS_URL") else None
