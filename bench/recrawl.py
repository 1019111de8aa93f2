"""How much do repeat crawls cost against the first one? Requests, bytes and time (issue 19).

Four sites, each crawled with the real ``scrapy crawl blog`` into its own archive, first crawl then
repeats; every repeat is shown with its ratio to the first:

- ``wordpress``: a real WordPress (``bench/recrawl_wordpress.py``): unchanged repeat, then a
  repeat after an edit, a new comment, a new post and a trashed post, with what it caught;
- ``static``: a Pelican blog without any API (``bench/recrawl_static.py``), served by nginx with
  ETag and Last-Modified: unchanged repeat, then a repeat after one post was edited and rebuilt;
- ``many``: many small blogs on distinct loopback addresses crawled in one run with the default
  per-host politeness (``bench/recrawl_many.py``): posts/s, requests/s, the most simultaneous
  requests one host saw;
- ``synthetic``: the generated 2,000-post WordPress of the fixture server (``bench/recrawl_synthetic.py``).

Examples, from the project root::

    python -m bench.recrawl                              # every site, default sizes
    python -m bench.recrawl --only static --posts 500 --json
    python -m bench.recrawl --only many --blogs 200
    python -m bench.recrawl --only wordpress,synthetic --synthetic-posts 500
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.recrawl_figures import Series, table

SITES = ("wordpress", "static", "many", "synthetic")


def commit() -> str:
    """The commit measured (``+dirty`` with uncommitted changes), for the figures' record."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=False).stdout.strip()
    dirty = "+dirty" if git("status", "--porcelain") else ""
    return (git("rev-parse", "--short", "HEAD") or "unknown") + dirty


def runners(args: argparse.Namespace) -> dict[str, Callable[[Path], Series]]:
    """Each site's bench, imported only when chosen (WordPress's harness needs its packages)."""
    def wordpress(scratch: Path) -> Series:
        from bench import recrawl_wordpress
        return recrawl_wordpress.bench(scratch)

    def static(scratch: Path) -> Series:
        from bench import recrawl_static
        return recrawl_static.bench(args.posts, scratch)

    def many(scratch: Path) -> Series:
        from bench import recrawl_many
        return recrawl_many.bench(args.blogs, args.blog_posts, scratch)

    def synthetic(scratch: Path) -> Series:
        from bench import recrawl_synthetic
        return recrawl_synthetic.bench(args.synthetic_posts, scratch)

    return {"wordpress": wordpress, "static": static, "many": many, "synthetic": synthetic}


def chosen(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in SITES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown site {', '.join(unknown) or value!r}: "
                                         f"choose among {', '.join(SITES)}")
    return names


def positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return int(value)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.recrawl", description=__doc__.split("\n")[0],
        epilog="example: python -m bench.recrawl --only static,many --posts 300 --blogs 100 --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", type=chosen, default=list(SITES),
                        help=f"comma-separated sites to run (default: all): {', '.join(SITES)}")
    parser.add_argument("--posts", type=positive, default=300, help="posts of the static blog (300)")
    parser.add_argument("--blogs", type=positive, default=100, help="blogs crawled at once (100)")
    parser.add_argument("--blog-posts", type=positive, default=3, help="posts of each of them (3)")
    parser.add_argument("--synthetic-posts", type=positive, default=2000,
                        help="posts of the synthetic blog (2000)")
    parser.add_argument("--scratch", type=Path, help="keep archives and sites here (default: temporary)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.scratch and args.scratch.exists() and not args.scratch.is_dir():
        parser.error(f"--scratch {args.scratch}: not a directory")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    found: list[Series] = []
    with tempfile.TemporaryDirectory(prefix="bench-recrawl-") as temporary:
        scratch = args.scratch or Path(temporary)
        scratch.mkdir(parents=True, exist_ok=True)
        for name, run in runners(args).items():
            if name in args.only:
                (scratch / name).mkdir(exist_ok=True)
                found.append(run(scratch / name))
                if not args.json:
                    print(table(found[-1]), flush=True)
    if args.json:
        print(json.dumps({"commit": commit(), "sites": [s.as_json() for s in found]}, indent=2))
    else:
        print(f"\ncommit measured: {commit()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
