"""Extraction alone, in one process: every post page of a generated site through ``extract_post``.

Run by ``bench/crawl.py`` (``python -m bench.extract_only SITE_DIR BASE_URL``): reads the files
nginx serves, so no network and no archive writes are measured, only our extractor (trafilatura,
the pruning, metadata, dates, comments). Prints the number of posts extracted.
"""

from __future__ import annotations

import sys
from pathlib import Path

from archive.extract import extract_post

POST_GLOB = "[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"


def main(argv: list[str]) -> int:
    site, base = Path(argv[0]), argv[1].rstrip("/")
    count = 0
    for page in site.glob(POST_GLOB):
        url = f"{base}/{page.parent.relative_to(site).as_posix()}/"
        if extract_post(page.read_bytes(), url).text:
            count += 1
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
