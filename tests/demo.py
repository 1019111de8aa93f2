"""``make demo``: serve the sample blogs from the test fixtures, crawl them, show the archive.

Runs exactly what a user runs (``scrapy crawl blog`` and ``blogarchive``), against the fixture
server on 127.0.0.1, so the demo needs no network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.fixtures.server import FixtureServer

ROOT = Path(__file__).resolve().parent.parent
DEMO_BLOGS = ("classic", "wpcom", "block")
MARKER = ".blogarchive-demo"


def prepare(archive: Path) -> None:
    """Start from an empty demo archive; never touch a directory the demo did not create."""
    if archive.exists() and any(archive.iterdir()):
        if not (archive / MARKER).exists():
            raise SystemExit(f"{archive} holds an archive that is not the demo's: "
                             "pass --archive to use another directory")
        shutil.rmtree(archive)
    archive.mkdir(parents=True, exist_ok=True)
    (archive / MARKER).write_text("made by `make demo`; removed by the next demo run\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--archive", default="archive-data", help="archive directory to fill")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    prepare(Path(args.archive))
    with FixtureServer() as server:
        urls = ",".join(server.urls[name] for name in DEMO_BLOGS)
        print(f"Serving the sample blogs at {urls}", flush=True)
        crawl = [str(bin_dir / "scrapy"), "crawl", "blog", "-a", f"url={urls}",
                 "-s", f"ARCHIVE_DIR={args.archive}", "-s", "AUTOTHROTTLE_ENABLED=0",
                 "-s", "PROGRESS_INTERVAL=5", "-s", "LOG_LEVEL=INFO",
                 # the sample blogs copy real markup that names Gravatar and wp.com: stay on loopback
                 "-s", "ARCHIVE_REQUISITE_HOSTS=localhost"]
        print("$", " ".join(crawl), flush=True)
        result = subprocess.run(crawl, cwd=ROOT, env={**os.environ}, check=False)
        if result.returncode != 0:
            return result.returncode
    cli = str(bin_dir / "blogarchive")
    for command in (["list"], ["stats"]):
        print("$ blogarchive --archive", args.archive, *command, flush=True)
        subprocess.run([cli, "--archive", args.archive, *command], cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
