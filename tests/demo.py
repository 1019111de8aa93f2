"""``make demo``: crawl the sample blogs twice with a change in between, then show what was kept.

Runs exactly what a user runs (``blogarchive crawl`` and the other ``blogarchive`` commands) against
the fixture server on 127.0.0.1, so the demo needs no network. Between the two crawls one blog gets a new
post, an edit, a deleted post and a new comment, so ``history``, ``diff``, ``runs`` and
``changes`` have something to show. The crawl's own log is cut to its progress and summary lines
(and any warning): Scrapy's start-up report teaches a new user nothing. The demo ends with
commands to paste, printed from the project root and run as printed by tests/test_demo.py.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from archive.catalog.resources import PAGE, resource_rows
from tests.fixtures.server import FixtureServer

ROOT = Path(__file__).resolve().parent.parent
DEMO_BLOGS = ("photos", "classic", "wpcom", "block")
MARKER = ".blogarchive-demo"
CHANGED_BLOG = "photos"
EDITED, DELETED, COMMENTED = 510, 504, 513   # photos post ids (tests/fixtures/blogs/photos.py)
SERVE_URL = "http://127.0.0.1:8000/"
# One log record a line: "LEVEL [logger] message"; a message's further lines do not match.
LOG_FORMAT = "%(levelname)s [%(name)s] %(message)s"
RECORD = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL) \[([\w.]+)\] (.*)$")
SHOWN_LOGGER = "blogarchive.report"   # progress lines and the summary (crawler/report.py)
PROGRESS_INTERVAL = 0.5               # seconds: the sample crawls take one or two


@dataclass(frozen=True)
class Paths:
    """Where the demo's programs and archive are, as a user at the project root types them."""

    bin_dir: Path
    archive: Path

    def shown(self, path: Path) -> str:
        """``path`` relative to the project root when it is inside it, else absolute."""
        return os.path.relpath(path, ROOT) if path.is_relative_to(ROOT) else str(path)

    def cli(self, *args: str) -> list[str]:
        """A ``blogarchive`` command line as printed: ``.venv/bin/blogarchive --archive ...``."""
        return [self.shown(self.bin_dir / "blogarchive"), "--archive", self.shown(self.archive),
                *args]


def prepare(archive: Path) -> None:
    """Start from an empty demo archive; never touch a directory the demo did not create."""
    if archive.exists() and any(archive.iterdir()):
        if not (archive / MARKER).exists():
            raise SystemExit(f"{archive} holds an archive that is not the demo's: "
                             "pass --archive to use another directory")
        shutil.rmtree(archive)
    archive.mkdir(parents=True, exist_ok=True)
    (archive / MARKER).write_text("made by `make demo`; removed by the next demo run\n")


def crawl_command(paths: Paths, urls: list[str]) -> list[str]:
    """The crawl a user runs: ``blogarchive crawl``, the same crawl as ``scrapy crawl blog``."""
    return [paths.shown(paths.bin_dir / "blogarchive"), "--archive", paths.shown(paths.archive),
            "crawl", *urls,
            # the sample blogs copy real markup that names Gravatar and wp.com: stay on loopback
            "-s", "ARCHIVE_REQUISITE_HOSTS=localhost"]


def crawl(paths: Paths, urls: list[str]) -> int:
    """Run the crawl, printing only its progress, its summary and anything that went wrong."""
    command = crawl_command(paths, urls)
    print("$", shlex.join(command), flush=True)
    # not printed: the demo's pace (no throttling on loopback, progress twice a second) and a log
    # format ``interesting`` can sort
    pace = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"PROGRESS_INTERVAL={PROGRESS_INTERVAL}",
            "-s", "LOG_LEVEL=INFO", "-s", f"LOG_FORMAT={LOG_FORMAT}"]
    last: deque[str] = deque(maxlen=10)
    with subprocess.Popen([*command, *pace], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as process:
        assert process.stdout is not None
        for line in interesting(keep_last(process.stdout, last)):
            print("   ", line, flush=True)
    if process.returncode:  # e.g. a usage error, printed before logging starts: show the end
        print(f"The crawl failed (exit status {process.returncode}); its last lines:",
              *last, sep="\n", flush=True)
    return process.returncode


def keep_last(lines: Iterable[str], last: deque[str]) -> Iterator[str]:
    """``lines``, each also appended to ``last``."""
    for line in lines:
        last.append(line.rstrip("\n"))
        yield line


def interesting(lines: Iterable[str]) -> Iterable[str]:
    """The report logger's records and every warning or error, each with its further lines."""
    keep = False
    for line in lines:
        record = RECORD.match(line.rstrip("\n"))
        if record:
            level, name, message = record.groups()
            keep = name == SHOWN_LOGGER or level in ("WARNING", "ERROR", "CRITICAL")
            line = message if name == SHOWN_LOGGER else f"{level}: {message}"
        if keep:
            yield line.rstrip("\n")


def run(paths: Paths, *args: str, head: int = 0) -> int:
    """Run ``blogarchive ARGS`` as printed (``| head -n N``: its first lines only); its status."""
    command = paths.cli(*args)
    print("\n$", shlex.join(command) + (f" | head -n {head}" if head else ""), flush=True)
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    lines = (result.stdout + result.stderr).splitlines()
    print("\n".join(lines[:head] if head else lines), flush=True)
    return result.returncode


def requisites(archive: Path) -> str:
    """``6 images, 1 stylesheet, 1 script``: the page requisites the archive's catalog lists."""
    db = sqlite3.connect(f"file:{archive / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        kinds = Counter(row.kind or "other file" for row in resource_rows(db)
                        if row.status == 200 and row.kind != PAGE)  # pages are not requisites
    finally:
        db.close()
    return ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in kinds.most_common()) or "none"


def change(server: FixtureServer) -> tuple[str, str]:
    """Change the photos blog as its author would; returns (edited URL, deleted URL)."""
    before = {post["id"]: post for post in server.posts(CHANGED_BLOG)}
    after = server.mutate(CHANGED_BLOG, add=1, edit=[EDITED], delete=[DELETED], comment=[COMMENTED])
    new = next(post for post in after if post["id"] not in before)
    print(f"\nMeanwhile the author of {server.urls[CHANGED_BLOG]} edits \"{before[EDITED]['title']}\","
          f" deletes \"{before[DELETED]['title']}\", publishes \"{new['title']}\", and a reader "
          f"comments on \"{before[COMMENTED]['title']}\". Crawling again:\n", flush=True)
    return before[EDITED]["url"], before[DELETED]["url"]


def show_archive(paths: Paths, edited: str, site: str) -> int:
    """What the two crawls kept: runs, changes, an edit's history and diff, a reading copy.
    1 when a command failed (``make test`` runs the demo: a broken reader must fail it)."""
    print("\nBesides the posts, the archive keeps what their pages need to look as they did: "
          f"{requisites(paths.archive)}.", flush=True)
    statuses = [run(paths, "runs"), run(paths, "changes", "--site", site),
                run(paths, "history", edited), run(paths, "diff", edited, "1", "2"),
                run(paths, "show", edited, "--format", "markdown", head=30)]
    return 1 if any(statuses) else 0


def suggest(paths: Paths, edited: str, deleted: str) -> None:
    """The commands to paste, from the project root; each works as printed (tests/test_demo.py)."""
    print("\nTry it yourself, from the project root:")
    commands = [(paths.cli("list"), "every post, oldest first"),
                (paths.cli("runs"), "the two crawls"),
                (paths.cli("changes"), "what each crawl found new, edited, deleted, commented"),
                (paths.cli("history", edited), "every version of the edited post"),
                (paths.cli("diff", edited, "1", "2"), "what the edit changed, word by word"),
                (paths.cli("show", edited, "--format", "markdown"), "its reading copy"),
                (paths.cli("show", deleted), "a deleted post stays in the archive"),
                (paths.cli("search", "harbour"), "full-text search"),
                (paths.cli("stats"), "posts, versions, comments, WARC bytes")]
    for command, why in commands:
        print("   ", shlex.join(command), " #", why)
    if paths.bin_dir.is_relative_to(ROOT):
        venv = paths.shown(paths.bin_dir / "activate")
        print(f"(or run `source {venv}` once and type them without "
              f"`{paths.shown(paths.bin_dir)}/`)")
    print(f"\nRead the archive in your browser (Ctrl-C stops it), then open {SERVE_URL}:")
    print("   ", shlex.join(paths.cli("serve")), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--archive", default="archive-data", help="archive directory to fill")
    args = parser.parse_args()
    paths = Paths(Path(sys.executable).parent, Path(args.archive).absolute())
    prepare(paths.archive)
    with FixtureServer(only=list(DEMO_BLOGS)) as server:
        urls = [server.urls[name] for name in DEMO_BLOGS]
        print(f"Serving {len(urls)} sample blogs on 127.0.0.1: {', '.join(urls)}\n", flush=True)
        status = crawl(paths, urls)
        if status:
            return status
        edited, deleted = change(server)
        site = server.urls[CHANGED_BLOG].split("//")[1].rstrip("/")
        status = crawl(paths, urls)
        if status:
            return status
    status = show_archive(paths, edited, site)
    suggest(paths, edited, deleted)
    return status


if __name__ == "__main__":
    sys.exit(main())
