"""Extraction in a pool of worker processes, off the crawler's event loop.

trafilatura and dateparser are CPU-bound: run inside a Scrapy pipeline they stall every download
while they work, and Scrapy's reactor uses one core. The pool (pebble, which can kill one worker
without losing the others) runs extraction on every core, with a timeout per page; a page that
hangs or crashes its worker costs that page's text, recorded with the reason, never the crawl.
A semaphore bounds the pages waiting for a worker, so memory stays flat however fast pages come.
"""

from __future__ import annotations

import asyncio
import importlib.machinery
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime
from typing import Any

from pebble import ProcessExpired, ProcessPool

from archive.extract.analysis import PageAnalysis, Result, analyse_page, read_extraction, resolve
from archive.extract.model import DEFAULT_MAX_HTML_BYTES, Extraction

DEFAULT_FUNCTION = "archive.extract.worker:extract_dict"


def check(path: str) -> None:
    """Fail at start-up on an ``EXTRACT_FUNCTION`` that cannot be imported, without importing
    ours in the crawler: the extractor (trafilatura, dateparser) took 0.3 s of every crawl's
    start-up and ~10 MB to import, and only the workers run it (the suite imports ours)."""
    if path != DEFAULT_FUNCTION:
        resolve(path)


def _call(path: str, html: bytes, url: str, encoding: str | None,
          captured_at: datetime | None) -> Result:
    return resolve(path)(html, url, encoding, captured_at)


class ExtractionPool:
    def __init__(self, workers: int, timeout: float, max_pending: int,
                 function: str = DEFAULT_FUNCTION, max_tasks: int = 0,
                 max_html_bytes: int = DEFAULT_MAX_HTML_BYTES, nice: int = 0) -> None:
        check(function)  # fail at start-up, not on the first page
        # forkserver: workers start from a server process, not from the crawler (whose memory
        # they would otherwise copy). The server imports the extractor once, while the crawl
        # starts, and each worker is a fork of it: no worker pays the import (0.3 s of CPU each,
        # again whenever a timed-out worker is replaced) and their pages are shared.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([function.partition(":")[0], "archive.extract.analysis"])
        _light_main()
        self.pool = ProcessPool(max_workers=workers, max_tasks=max_tasks, context=context,
                                initializer=_lower_priority, initargs=(nice,))
        self.function = function
        self.timeout = timeout
        self.max_html_bytes = max_html_bytes  # checked here: any EXTRACT_FUNCTION is spared
        self.slots = asyncio.Semaphore(max_pending)

    async def extract(self, html: bytes, url: str, encoding: str | None,
                      captured_at: datetime | None) -> Extraction:
        """The extraction, or ``Extraction.failed`` with the reason when there is none.

        A page over ``max_html_bytes`` is refused here, before it is copied to a worker."""
        if self.max_html_bytes and len(html) > self.max_html_bytes:
            return Extraction.too_large(url, len(html), self.max_html_bytes)
        result = await self._run(_call, (self.function, html, url, encoding, captured_at), url)
        return result if isinstance(result, Extraction) else read_extraction(result, url)

    async def analyse(self, html: bytes, url: str, encoding: str | None,
                      captured_at: datetime | None, *, listed: bool, requisites: bool,
                      attachment_types: frozenset[str]) -> PageAnalysis:
        """A page's kind, requisites and (a post's) extraction, read in a worker
        (``archive.extract.analysis``); unanalysed, with the reason, when it cannot be."""
        if self.max_html_bytes and len(html) > self.max_html_bytes:
            return PageAnalysis(extraction=Extraction.too_large(url, len(html),
                                                                self.max_html_bytes))
        result = await self._run(analyse_page, (self.function, html, url, encoding, captured_at,
                                                listed, requisites, attachment_types), url)
        if isinstance(result, Extraction):
            return PageAnalysis(extraction=result)
        return PageAnalysis.from_dict(result, url)

    async def _run(self, target: Callable[..., Result], args: tuple[Any, ...],
                   url: str) -> Result | Extraction:
        """The worker's answer, or the failed extraction that says why there is none."""
        async with self.slots:
            future = self.pool.schedule(target, args=args, timeout=self.timeout)
            try:
                result: Result = await asyncio.wrap_future(future)
            except FutureTimeout:
                return Extraction.failed(
                    url, f"extraction timed out after {self.timeout:g} s (worker killed)")
            except ProcessExpired as error:
                return Extraction.failed(
                    url, f"extraction worker crashed (exit code {error.exitcode})")
            except Exception as error:  # the extractor's own bug: this page only
                return Extraction.failed(url, f"extractor error: {error!r}")
        return result

    def close(self) -> None:
        self.pool.close()  # type: ignore[no-untyped-call]
        self.pool.join(timeout=30)


def _lower_priority(nice: int) -> None:
    """A worker's CPU priority ``nice`` steps below its parent's (``os.nice``).

    The process that feeds the workers (the crawler's event loop) sets the pace: when a worker
    takes a core it wants, every download, capture and page waits, and the workers then wait for
    pages. Measured in a crawl with page requisites (issue 21), niceness 10 raised the event
    loop's share of a core from 0.82 to 0.91 and the crawl by 5 to 23 %.
    """
    if nice:
        os.nice(nice)


def _light_main() -> None:
    """Make new workers import this small module as their ``__main__``, not the crawler's.

    multiprocessing re-runs the parent's main script in every worker it starts; for
    ``scrapy crawl`` that is the ``scrapy`` script, which imports all of Scrapy into each worker
    (measured: ~11% of a worker's CPU and tens of MB of RSS each). A main module named by spec is
    imported by name instead.
    """
    main = sys.modules["__main__"]
    if getattr(main, "__spec__", None) is None and getattr(main, "__file__", None):
        main.__spec__ = importlib.machinery.ModuleSpec("archive.extract.pool", None)

