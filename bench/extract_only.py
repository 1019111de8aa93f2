"""Extraction alone, in one process: every post page of a generated site through ``extract_post``.

Run by ``bench/crawl.py`` (``python -m bench.extract_only SITE_DIR BASE_URL``): reads the files
nginx serves, so no network and no archive writes are measured, only our extractor (trafilatura,
the pruning, metadata, dates, comments). Prints the number of posts extracted.
"""

from __future__ import annotations

import sys
from pathlib import Path

from archive.extract import extract_post
from bench.clients import post_pages


def main(argv: list[str]) -> int:
    count = 0
    for url, page in post_pages(Path(argv[0]), argv[1]):
        if extract_post(page.read_bytes(), url).text:
            count += 1
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
