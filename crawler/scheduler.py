"""Scrapy's scheduler with its disk queue always on: the frontier lives on disk, as in Heritrix.

Scrapy keeps pending requests in memory unless ``JOBDIR`` is set. A blog's sitemaps list every post
at once, so every post request waited in memory: measured at about 3 KB per post (the crawler
without extraction grew from 103 MB at 1,000 posts to 133 MB at 10,000), which makes memory follow
the size of the blog. This scheduler queues requests on disk in a scratch directory when no
``JOBDIR`` is given (removed when the crawl closes: without ``JOBDIR`` there is nothing to resume),
and exactly as Scrapy does in ``JOBDIR`` otherwise. Requests that cannot be serialised still fall
back to the memory queue, as in Scrapy.

A full disk under the queue (``TMPDIR`` or ``JOBDIR``) stops the crawl like a full archive does
(``crawler/diskfull.py``): one line naming the folder, reason ``disk_full``. Without this, the
queue's ``os.write`` left a truncated pickle, the next pop raised inside the engine's scheduling
callback and the crawl hung for ever, holding the archive lock. Scratch folders are held with a
``flock`` on ``owner.lock`` while their crawl runs, so a crawl that was killed (its folder never
removed) is recognised by the next one, which removes the folder.

Without ``JOBDIR`` a page requisite's request waits in memory: Scrapy serves the memory queue
first, so a page's images, stylesheets and scripts are asked for right after it, a page's worth at
a time (a few to a few dozen requests), and they skip the disk queue's pickling (4 % of the event
loop with requisites on, issue 21). With ``JOBDIR`` they go to disk like any request, so that a
resumed crawl still fetches them.

``NamedCallbackDiskQueue`` is Scrapy's pickle FIFO disk queue with a faster callback lookup:
``Request.to_dict`` names a callback by scanning every member of the spider with
``inspect.getmembers``, measured at a quarter of a millisecond per request on the crawler's event
loop (profile of a 1,000-post crawl), more than the rest of queueing. The names of the spider's
methods are read once per spider class instead.
"""

from __future__ import annotations

import fcntl
import logging
import pickle
import shutil
import struct
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from scrapy import Request, Spider
from scrapy.core.scheduler import Scheduler
from scrapy.dupefilters import BaseDupeFilter
from scrapy.squeues import PickleFifoDiskQueue
from twisted.internet.defer import Deferred

from crawler.diskfull import is_disk_full, stop_crawl
from crawler.meta import REQUISITE

logger = logging.getLogger(__name__)
SCRATCH_PREFIX = "blogarchive-queue-"
OWNER = "owner.lock"
UNOWNED_AGE = 3600.0  # seconds: a scratch folder without owner.lock (older versions) left alone
# What popping a record cut short by a full disk raises (queuelib, pickle).
DAMAGED = (OSError, EOFError, ValueError, struct.error, pickle.UnpicklingError)


class DiskQueueScheduler(Scheduler):
    def __init__(self, dupefilter: BaseDupeFilter, jobdir: str | None = None,
                 **kwargs: Any) -> None:
        self.scratch: str | None = None
        self.owner: IO[str] | None = None
        if not jobdir:
            remove_stale_scratch(Path(tempfile.gettempdir()))
            self.scratch, self.owner = make_scratch()
        super().__init__(dupefilter, jobdir=jobdir or self.scratch, **kwargs)

    def close(self, reason: str) -> Deferred[None] | None:
        try:
            return super().close(reason)
        except OSError as error:  # the queue's state cannot be saved: already said, or say it
            if not is_disk_full(error):
                raise
            self._queue_failed(error)
            return None
        finally:
            if self.scratch is not None:
                shutil.rmtree(self.scratch, ignore_errors=True)
            if self.owner is not None:
                self.owner.close()

    def _dqpush(self, request: Request) -> bool:
        if self.scratch is not None and request.meta.get(REQUISITE):
            return False  # held in memory (see the module docstring)
        try:
            return bool(super()._dqpush(request))
        except OSError as error:
            if not is_disk_full(error):
                raise
            self._queue_failed(error)
            return False  # Scrapy keeps it in memory while the crawl stops

    def _dqpop(self) -> Request | None:
        try:
            request: Request | None = super()._dqpop()
        except DAMAGED as error:  # a record cut short when the disk filled up
            self._queue_failed(error)
            return None
        return request

    def _queue_failed(self, error: BaseException) -> None:
        assert self.crawler is not None
        where = f"the request queue in {self.dqdir} ({'TMPDIR' if self.scratch else 'JOBDIR'})"
        stop_crawl(self.crawler, error, where)


def make_scratch() -> tuple[str, IO[str]]:
    """A new scratch queue folder, held (``flock`` on ``owner.lock``) until the crawl closes."""
    folder = tempfile.mkdtemp(prefix=SCRATCH_PREFIX)
    owner = open(Path(folder) / OWNER, "a", encoding="utf-8")  # noqa: SIM115 - held until close
    fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return folder, owner


def remove_stale_scratch(tmp: Path) -> list[Path]:
    """Remove scratch queue folders whose crawl is gone (killed: never closed); return them."""
    removed = []
    for folder in tmp.glob(f"{SCRATCH_PREFIX}*"):
        if folder.is_dir() and _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    if removed:
        logger.info("Removed %d request queue folder(s) left in %s by crawls that were killed",
                    len(removed), tmp)
    return removed


def _abandoned(folder: Path) -> bool:
    try:
        with open(folder / OWNER, encoding="utf-8") as owner:
            try:
                fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # its crawl is running
            return True
    except FileNotFoundError:  # made by a version without owner.lock, or just being made
        newest = max((p.stat().st_mtime for p in folder.rglob("*")), default=0.0)
        return time.time() - max(newest, folder.stat().st_mtime) > UNOWNED_AGE
    except OSError:
        return False


def method_names(spider_class: type[Spider]) -> dict[Callable[..., Any], str]:
    """Each function defined on the spider's class (or a base) by the attribute name it has there."""
    names: dict[Callable[..., Any], str] = {}
    for name in dir(spider_class):
        function = getattr(spider_class, name, None)
        if callable(function) and not isinstance(function, type):
            names.setdefault(function, name)
    return names


class NamedCallbackDiskQueue(PickleFifoDiskQueue):  # type: ignore[misc,valid-type]
    """``PickleFifoDiskQueue`` that names the spider's own callbacks from ``method_names``."""

    spider: Spider
    _names: dict[Callable[..., Any], str] | None = None

    def push(self, request: Request) -> None:
        if self._names is None:
            self._names = method_names(type(self.spider))
        names = self._names
        callback, errback = _name_of(names, request.callback), _name_of(names, request.errback)
        if (callback is None and request.callback is not None) or (
                errback is None and request.errback is not None):
            super().push(request)  # not a method of this spider: Scrapy's own lookup (or error)
            return
        data = request.replace(callback=None, errback=None).to_dict(spider=self.spider)
        data["callback"], data["errback"] = callback, errback
        super(PickleFifoDiskQueue, self).push(data)  # type: ignore[misc]  # pickles it


def _name_of(names: dict[Callable[..., Any], str], method: Any) -> str | None:
    """The spider attribute a bound method was found under; None for anything else."""
    function = getattr(method, "__func__", None)
    return None if function is None else names.get(function)
