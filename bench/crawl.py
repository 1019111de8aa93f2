"""How fast does a whole blog get archived? ``scrapy crawl blog`` against wget and trafilatura.

Run from the project root: ``python -m bench.crawl`` (1,000 and 10,000 posts), ``--large`` adds
100,000, ``--sizes 2000,5000`` chooses, ``--json`` prints the figures as JSON, ``--strict`` exits 1
when a target fails; ``--site wpmirror`` measures the same clients on a static ``wget --mirror``
copy of the test suite's real WordPress instead (``bench/wpmirror.py``). Needs Debian's ``nginx``
and ``wget`` (``apt-get install nginx-light wget``).

For each size a synthetic WordPress blog (``bench/sitegen.py``: Twenty Twenty-One pages, comments,
sharing, sidebars, pagination, RSS, ``wp-sitemap.xml`` with ``lastmod``, robots.txt) is written as
static files and served by nginx (gzip on) on 127.0.0.1, port 80 when it can be bound: courlan's URL
filters (trafilatura's) refuse ``127.0.0.1:PORT``, ``localhost`` and ``[::1]`` but accept
``http://127.0.0.1/``. Otherwise a free port is used and trafilatura is skipped. The clients
(``--tools``) are described in ``bench/clients.py``: ours with page requisites (default) and without,
wget with and without ``--page-requisites``, trafilatura once per ``--trafilatura-parallel`` value on
the post URLs (listed once before any timed run), and three reference floors (plain Scrapy on the
posts, plain Scrapy on the posts and their requisites, our extractor alone).

Each is measured with all its processes (``bench/measure.py``): wall time, CPU seconds, peak RSS
summed over the process tree (and PSS). nginx's access log counts what each one fetched, the same way
for every client: requests and requests/s, the requisites among them (``REQUISITE_PATH``) and the body
bytes sent.

The two-core bounds (``bench/bounds.py``): with every core busy and nothing but Scrapy's own
fetching and our extraction to do, ``cores / (bare CPU per post + extraction CPU per post)`` posts
per second, pages only and with requisites. Issue 21's targets, decided from the rows:
``bench/targets.py``; the tables and PASS/FAIL lines printed: ``bench/crawl_report.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from bench import measure, sitegen
from bench.clients import POST_PATH, REQUISITE_PATH, ROOT, Site, command_for, site_urls, trafilatura_urls
from bench.crawl_report import as_json, print_report
from bench.nginx import Nginx, free_port
from bench.result import Result
from bench.targets import TARGET_SIZE, evaluate

MB = 1_000_000
TOOLS = ("ours", "ours-no-requisites", "ours-no-extract", "scrapy-bare", "scrapy-bare-requisites",
         "extract-only", "wget", "wget-requisites", "trafilatura")
TRAFILATURA_PARALLEL = "1,2,4,8,16"
OFFLINE_TOOLS = {"extract-only"}  # measured without fetching: nginx sees no requests


def measure_tool(tool: str, count: int, server: Nginx, work: Path, site: Site) -> Result:
    work.mkdir(parents=True)
    command, outputs = command_for(tool, site, work)
    server.log.mark()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    usage = measure.run(command, cwd=ROOT, env=env, stdout=work / "stdout.log",
                        stderr=work / "stderr.log", exclude={server.pid})
    time.sleep(0.3)  # let nginx flush its access log
    rows = server.log.since_mark()
    fetched = len({uri for status, _, uri in rows if status == 200 and POST_PATH.match(uri)})
    archived, warc_mb, note = outputs()
    archived = fetched if archived < 0 else archived
    ok = usage.returncode in (0, 1) and archived >= count and (
        fetched >= count or tool in OFFLINE_TOOLS)
    if usage.returncode not in (0, 1):
        note += f"; exit status {usage.returncode}"
    return Result(tool, count, round(usage.wall, 2), round(usage.cpu, 2),
                  round(usage.peak_rss / MB, 1), round(usage.peak_pss / MB, 1),
                  usage.peak_processes, len(rows), fetched, archived, round(warc_mb, 1), ok, note,
                  sum(1 for _, _, uri in rows if REQUISITE_PATH.match(uri)),
                  round(sum(sent for _, sent, _ in rows) / MB, 1))


def is_post(url: str) -> bool:
    return bool(POST_PATH.match(urlsplit(url).path))


def run_tools(count: int, tools: list[str], server: Nginx, site: Site,
              scratch: Path) -> list[Result]:
    """Every client in turn against one served site; trafilatura's URL list made first, untimed."""
    if "scrapy-bare-requisites" in tools:
        bare_list, posts, files = site_urls(site.root, site.base, scratch / f"bare-list-{count}")
        print(f"#   scrapy-bare-requisites' URL list (untimed): {posts:,} posts and {files:,} files "
              "they load, from the files served", file=sys.stderr, flush=True)
        site = replace(site, listed=bare_list)
    if any(tool.startswith("trafilatura-p") for tool in tools):
        started = time.perf_counter()
        urls, listed = trafilatura_urls(site.base, scratch / f"trafilatura-list-{count}", is_post)
        print(f"#   trafilatura's URL list (untimed): {listed:,} post URLs from its own --sitemap "
              f"--list in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        site = replace(site, urls=urls)
    results = []
    for tool in tools:
        work = scratch / f"{tool}-{count}"
        result = measure_tool(tool, count, server, work, site)
        print(f"#   {tool}: {result.wall_s:.1f} s, {result.posts_per_s:.1f} posts/s, "
              f"{result.requests_per_s:.1f} requests/s", file=sys.stderr, flush=True)
        results.append(result)
        shutil.rmtree(work, ignore_errors=True)
    return results


def bench_size(count: int, tools: list[str], port: int, scratch: Path,
               site_dir: Path) -> tuple[float, list[Result]]:
    """The generated blog of ``count`` posts, served by nginx on ``port``; (seconds to write it,
    the rows)."""
    base = "http://127.0.0.1/" if port == 80 else f"http://127.0.0.1:{port}/"
    root = site_dir / f"site-{count}"
    started = time.perf_counter()
    files = sitegen.generate(root, count, base)
    generated = time.perf_counter() - started
    print(f"# {count:,} posts: {files:,} files generated in {generated:.1f} s, serving {base}",
          file=sys.stderr, flush=True)
    server = Nginx(root, port, scratch / f"nginx-{count}")
    server.start()
    try:
        return generated, run_tools(count, tools, server, Site(base, root, count >= 100_000),
                                    scratch)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def bench_mirror(tools: list[str], port: int, scratch: Path,
                 site_dir: Path) -> tuple[int, float, list[Result]]:
    """The ``wget --mirror`` copy of the real WordPress (``bench/wpmirror.py``), served on the port
    WordPress had; (published posts, seconds to make the copy, the rows)."""
    from bench import wpmirror  # needs the test suite's WordPress harness (tests/wordpress/)

    mirror = wpmirror.build(site_dir / "wpmirror", port)
    count = len(mirror.posts)
    print(f"# real WordPress copied in {mirror.seconds:.1f} s: {count} published posts, serving "
          f"{mirror.base}", file=sys.stderr, flush=True)
    server = Nginx(mirror.root, port, scratch / "nginx-wpmirror")
    server.start()
    try:  # WordPress's pages name Gravatar: requisites only from the blog itself, as wget's
        site = Site(mirror.base, mirror.root, settings=("ARCHIVE_REQUISITE_HOSTS=localhost",))
        return count, mirror.seconds, run_tools(count, tools, server, site, scratch)
    finally:
        server.stop()


EXAMPLES = """examples:
  python -m bench.crawl                                  # 1,000 and 10,000 posts, every client
  python -m bench.crawl --large --tools ours             # adds 100,000 posts
  python -m bench.crawl --sizes 200 --trafilatura-parallel 4,8 --json
  python -m bench.crawl --site wpmirror                  # a wget --mirror copy of a real WordPress
"""


def counts(text: str) -> list[int]:
    """``--sizes`` and ``--trafilatura-parallel``: comma-separated positive whole numbers."""
    values = [part.strip() for part in text.split(",") if part.strip()]
    if not values or not all(value.isdigit() and int(value) > 0 for value in values):
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of positive numbers like 1,2,4")
    return [int(value) for value in values]


def port_number(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 for any free one)")
    return int(text)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", choices=("generated", "wpmirror"), default="generated",
                        help="generated: sitegen.py's blog at --sizes; wpmirror: a static copy of "
                             "the test suite's real WordPress (317 posts; --sizes ignored)")
    parser.add_argument("--sizes", type=counts, default=[1_000, 10_000],
                        help="comma-separated post counts")
    parser.add_argument("--large", action="store_true", help="add 100,000 posts (JOBDIR queues)")
    parser.add_argument("--tools", default=",".join(TOOLS),
                        help=f"which clients to run, comma-separated, of: {', '.join(TOOLS)}")
    parser.add_argument("--trafilatura-parallel", type=counts, default=counts(TRAFILATURA_PARALLEL),
                        help="trafilatura is run once with each --parallel P of this list "
                             f"(default {TRAFILATURA_PARALLEL}); its fastest is compared")
    parser.add_argument("--port", type=port_number, default=80,
                        help="port to serve on (80: trafilatura accepts the URL; else a free one)")
    parser.add_argument("--site-dir", type=Path, default=Path("/dev/shm") if Path(
        "/dev/shm").is_dir() else None, help="where to write the sites (default: /dev/shm)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    unknown = [tool for tool in args.tools.split(",") if tool and tool not in TOOLS]
    if unknown:
        parser.error(f"unknown tool {unknown[0]!r}: choose among {', '.join(TOOLS)}")
    return args


def client_list(tools: str, parallel: list[int], port: int) -> list[str]:
    """``--tools`` with ``trafilatura`` expanded to one ``trafilatura-pN`` per ``--parallel N``;
    dropped when the site is not on port 80, where trafilatura's URL filters refuse it."""
    chosen = [tool for tool in tools.split(",") if tool]
    if "trafilatura" in chosen and port != 80:
        print(f"# serving on port {port}, where trafilatura's URL filters refuse the site "
              "(127.0.0.1:PORT): trafilatura skipped", file=sys.stderr)
    expanded = [f"trafilatura-p{p}" for p in parallel] if port == 80 else []
    return [name for tool in chosen for name in (expanded if tool == "trafilatura" else [tool])]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    sizes = args.sizes + ([100_000] if args.large else [])
    measure.become_subreaper()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so nginx is stopped on a kill too
    port = free_port(args.port)
    tools = client_list(args.tools, args.trafilatura_parallel, port)
    results: dict[int, list[Result]] = {}
    made: dict[int, float] = {}
    print(f"# load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores",
          file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as scratch, \
            tempfile.TemporaryDirectory(prefix="bench-crawl-site-", dir=args.site_dir) as sites:
        Path(sites).chmod(0o755)  # nginx's worker runs as nobody when started as root
        if args.site == "wpmirror":
            count, seconds, rows = bench_mirror(tools, port, Path(scratch), Path(sites))
            made[count], results[count] = seconds, rows
        for count in sizes if args.site == "generated" else []:
            made[count], results[count] = bench_size(count, tools, port, Path(scratch),
                                                     Path(sites))
    checks = evaluate(results, at=next(iter(results)) if args.site == "wpmirror" else TARGET_SIZE)
    if args.json:
        print(as_json(results, made, port, args.site, checks))
    else:
        print_report(results, made, args.site, checks)
    print(f"# load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    return 1 if args.strict and not all(passed for _, _, passed in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
