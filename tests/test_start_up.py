"""What a crawl costs before its first page: the crawler does not load the extractor, the
workers do not load it each (issue 21: 0.3 s of CPU per process, every run)."""

from __future__ import annotations

import subprocess
import sys

from archive.extract.pool import DEFAULT_FUNCTION, resolve

CRAWLER_MODULES = """
import sys
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from crawler.config import CrawlConfig
settings = get_project_settings()
SpiderLoader.from_settings(settings).list()  # imports every spider module, as scrapy crawl does
import pipelines.extract, pipelines.text
CrawlConfig.from_settings(settings)  # checks EXTRACT_FUNCTION, as every crawl does
print(sorted(m for m in ("trafilatura", "dateparser", "archive.extract.core") if m in sys.modules))
"""


def test_the_crawler_process_does_not_import_the_extractor() -> None:
    out = subprocess.run([sys.executable, "-c", CRAWLER_MODULES], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr[-2000:]


def test_the_default_function_is_importable() -> None:
    """The crawler no longer imports it to check it: this test is the check."""
    assert callable(resolve(DEFAULT_FUNCTION))


POOL = """
import asyncio
from archive.extract.pool import ExtractionPool

async def main():
    pool = ExtractionPool(2, timeout=30, max_pending=4, function="tests.preload_probe:extract")
    try:
        done = await asyncio.gather(*(pool.extract(b"<p>x</p>", f"http://x/{i}", None, None)
                                      for i in range(8)))
    finally:
        pool.close()
    for extraction in done:
        print(extraction.title, extraction.author)

asyncio.run(main())
"""


def test_workers_are_forked_from_a_server_that_imported_the_function() -> None:
    """In a process of its own: the forkserver is one per process, started by the first pool."""
    out = subprocess.run([sys.executable, "-c", POOL], capture_output=True, text=True, check=True)
    seen = {tuple(line.split()) for line in out.stdout.splitlines()}
    importers = {imported for imported, _ in seen}
    workers = {worker for _, worker in seen}
    assert len(seen) >= 1 and len(importers) == 1 and not importers & workers, seen
