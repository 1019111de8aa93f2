"""Running the real ``scrapy crawl blog`` for the re-crawl benchmark, as a user's cron line would.

Each crawl is its own process (start-up counts: a nightly run pays it too) with the project's
settings plus the few a bench sets; a failed crawl stops the bench with the crawl's last log lines.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# One blog on one host: AutoThrottle's politeness would measure its delays, not the crawler.
BENCH_SETTINGS = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS=16",
                  "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16")
QUIET = ("-s", "LOG_LEVEL=WARNING", "-s", "PROGRESS_INTERVAL=0")


class CrawlFailed(SystemExit):
    """A crawl exited non-zero: the bench's figures would mean nothing."""


def run_scrapy(urls: str | None, archive: Path, *settings: str, timeout: float = 3600) -> float:
    """One ``scrapy crawl blog -a url=URLS`` (None: ``-a sites=all``, the archive's blog list) into
    ``archive``; its wall time in seconds."""
    start = f"url={urls}" if urls is not None else "sites=all"
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", start,
               "-s", f"ARCHIVE_DIR={archive}", *QUIET, *settings]
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           # as the test suite: requisites only from the blog's own host, never the internet
           "SCRAPY_SETTINGS_MODULE": "tests.crawl_settings"}
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False,
                            env=env, timeout=timeout)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise CrawlFailed(f"crawl failed (exit {result.returncode}): {' '.join(command)}\n"
                          f"{result.stderr[-3000:]}")
    return seconds
