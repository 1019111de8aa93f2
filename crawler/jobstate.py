"""Scrapy's ``JOBDIR`` survives a pause, not a crash: reset it when the last run did not close.

Scrapy writes its disk request queue and ``requests.seen`` as it goes and its queue state on a clean
close. After SIGKILL (or power loss) the queue files can end mid-record: every later enqueue then
fails ("unpack requires a buffer of 4 bytes"), and the resumed crawl "finishes" at once with
nothing fetched and exit status 0 (seen in the kill trials, tests/test_kill_trials.py). Requests in
the broken queue are also in ``requests.seen``, so they would never be asked for again.

So each run leaves a marker in ``JOBDIR`` that only a closed spider removes. Finding it at start
means the job state cannot be trusted: it is removed (it is the scheduler's cache, not archive
data) and the crawl starts over from discovery. Posts already archived are then asked for
conditionally (304 / identical payload revisits), so nothing is fetched twice in full or stored twice.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
MARKER = "blogarchive-running"


class JobGuard:
    def __init__(self, jobdir: Path | None) -> None:
        self.jobdir = jobdir

    @classmethod
    def start(cls, jobdir: str | None) -> JobGuard:
        """Reset a crashed run's job state, then mark this run as running."""
        guard = cls(Path(jobdir) if jobdir else None)
        if guard.jobdir is None:
            return guard
        marker = guard.jobdir / MARKER
        if marker.exists():
            logger.warning("JOBDIR=%s was left by a crawl that did not close (killed or crashed): "
                           "its request queue cannot be trusted, starting the job over (archived "
                           "posts are only asked for again conditionally)", guard.jobdir)
            shutil.rmtree(guard.jobdir)
        guard.jobdir.mkdir(parents=True, exist_ok=True)
        marker.write_text("a crawl using this JOBDIR is running or did not close\n")
        return guard

    def watch(self, crawler: Crawler) -> None:
        if self.jobdir is not None:
            crawler.signals.connect(self.closed, signal=signals.spider_closed)

    def closed(self) -> None:
        if self.jobdir is not None:
            (self.jobdir / MARKER).unlink(missing_ok=True)
