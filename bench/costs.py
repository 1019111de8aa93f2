"""What each archiving duty costs per post, measured alone (issue 21's budget).

``bench/crawl.py`` compares whole crawls with a two-core bound: plain Scrapy's CPU per post plus
our extractor's. A crawl that keeps everything also captures the page in the WARC (two records,
digests), tests whether the page is a post, hands the page to an extraction worker and the result
back, and writes the text, the JSON sidecar and the catalog row. This module times each of those
on one post of the generated blog (``bench/sitegen.py``), in this process, for ``--repeat`` rounds,
so the note can say how much of the gap to the bound the duties themselves are: they cannot be
dropped without giving up what issue 21 says must stay (point 3).

Run: ``python -m bench.costs`` (``--repeat 500``, ``--json``, ``--dir /var/tmp`` for a disk).
CPU time, not wall time: figures hold on a loaded machine. The hand-over is measured on the whole
process tree (``bench/measure.py``) as the difference of two runs of ``--handover-run N`` pages, so
the pool's start-up cancels out.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.catalog import Catalog
from archive.extract import extract_post
from archive.extract.page_type import classify_page
from archive.extract.pool import ExtractionPool
from archive.extract.worker import extract_dict
from archive.layout import Layout
from archive.store import PostStore
from archive.warc.capture import Capture
from archive.warc.writer import RotatingWarcWriter
from bench import measure, sitegen
from bench.clients import post_pages

BASE = "http://127.0.0.1:8000/"
HEADERS = [("Server", "nginx"), ("Content-Type", "text/html; charset=utf-8"),
           ("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
EXTRACTION = "extraction (the bound's share)"
_RESULT: dict[str, Any] = {}
EXAMPLES = """examples:
  python -m bench.costs                       # the table, archive on /dev/shm
  python -m bench.costs --dir /var/tmp --json # on a disk, as JSON
"""


def echo(html: bytes, url: str, encoding: str | None, captured_at: datetime | None) -> dict[str, Any]:
    """A worker function that extracts once, then returns that result for every page: what is
    left is the pool's own cost, with a result of the real size to send back."""
    if not _RESULT:
        _RESULT.update(extract_dict(html, url, encoding, captured_at))
    return _RESULT


def sample_post(work: Path) -> tuple[str, bytes]:
    """One post page of a small generated blog, as nginx would serve it."""
    sitegen.generate(work / "site", 20, BASE)
    url, page = post_pages(work / "site", BASE)[3]
    return url, page.read_bytes()


def per_call(function: Callable[[int], object], repeat: int) -> float:
    """CPU milliseconds per call, after one call to warm caches (``i`` numbers the calls)."""
    function(-1)
    start = time.process_time()
    for i in range(repeat):
        function(i)
    return 1000 * (time.process_time() - start) / repeat


def duties(work: Path, url: str, html: bytes, repeat: int) -> dict[str, float]:
    """CPU ms per post of the extractor and of each duty that runs in the crawler."""
    body = gzip.compress(html)
    extraction = extract_post(html, url)
    layout = Layout(work / "archive")
    writer = RotatingWarcWriter(layout.warc_dir, "costs", {"software": "bench.costs"})
    store = PostStore(layout, Catalog(layout.catalog_path))

    def capture(i: int) -> Capture:
        return Capture(url=f"{url}?v={i}", started=datetime.now(UTC), method="GET",
                       request_headers=[("User-Agent", "bench"), ("Accept-Encoding", "gzip")],
                       status=200, response_headers=HEADERS, body=body, ip_address="127.0.0.1")

    location = writer.write_capture(capture(-2))
    figures = {
        EXTRACTION: per_call(lambda i: extract_dict(html, url, None, None),
                                                   max(repeat // 10, 20)),
        "post test": per_call(lambda i: classify_page(html, url, "utf-8", listed=True), repeat),
        "WARC request + response records": per_call(lambda i: writer.write_capture(capture(i)),
                                                    repeat),
        "text, sidecar and catalog row": per_call(
            lambda i: store.save(f"{url}{i}/", url, datetime.now(UTC), extraction, location),
            repeat),
    }
    writer.close()
    store.catalog.close()
    return figures


async def _hand_over(url: str, html: bytes, pages: int) -> None:
    pool = ExtractionPool(2, timeout=60, max_pending=8, function="bench.costs:echo")
    try:
        await asyncio.gather(*(pool.extract(html, url, "utf-8", None) for _ in range(pages)))
    finally:
        pool.close()


def hand_over(work: Path, url: str, html: bytes, pages: int) -> float:
    """CPU ms per page of the pool's round trip, crawler and workers together."""
    page = work / "page.html"
    page.write_bytes(html)

    def cpu(count: int) -> float:
        usage = measure.run([sys.executable, "-m", "bench.costs", "--handover-run", str(count),
                             "--page", str(page), "--url", url])
        if usage.returncode != 0:
            raise RuntimeError(f"the hand-over run of {count} pages failed")
        return usage.cpu

    return 1000 * (cpu(pages) - cpu(pages // 10)) / (pages - pages // 10)


def report(figures: dict[str, float]) -> str:
    lines = [f"| {name} | {ms:.3f} |" for name, ms in figures.items()]
    rest = sum(ms for name, ms in figures.items() if name != EXTRACTION)
    return "\n".join(["| per post | CPU ms |", "|---|---|", *lines,
                      f"| **duties beyond fetching and extraction** | **{rest:.3f}** |",
                      f"\nThe duties cost {rest / figures[EXTRACTION]:.0%} of the extraction itself."])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0], epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=300, help="calls per duty (default 300)")
    parser.add_argument("--pages", type=int, default=3000, help="pages for the hand-over")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--dir", type=Path, default=Path("/dev/shm"),
                        help="where the archive is written (default /dev/shm, as bench/crawl.py's "
                             "crawls; a disk costs more per file)")
    parser.add_argument("--handover-run", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--page", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.handover_run is not None:
        asyncio.run(_hand_over(args.url, args.page.read_bytes(), args.handover_run))
        return 0
    with tempfile.TemporaryDirectory(prefix="costs-", dir=args.dir) as tmp:
        work = Path(tmp)
        url, html = sample_post(work)
        figures = duties(work, url, html, args.repeat)
        figures["hand-over to a worker and back"] = hand_over(work, url, html, args.pages)
    print(json.dumps(figures, indent=2) if args.json else report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
