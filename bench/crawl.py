"""How fast does a whole blog get archived? ``scrapy crawl blog`` against wget and trafilatura.

Run from the project root: ``python -m bench.crawl`` (1,000 and 10,000 posts), ``--large`` adds
100,000, ``--sizes 2000,5000`` chooses, ``--json`` prints the figures as JSON, ``--strict`` exits 1
when a target fails. Needs Debian's ``nginx`` and ``wget`` (``apt-get install nginx-light wget``).

For each size a synthetic WordPress blog (``bench/sitegen.py``: Twenty Twenty-One pages, comments,
sharing, sidebars, pagination, RSS, ``wp-sitemap.xml`` with ``lastmod``, robots.txt) is written as
static files and served by nginx (gzip on) on 127.0.0.1, port 80 when it can be bound: courlan's URL
filters (trafilatura's) refuse ``127.0.0.1:PORT``, ``localhost`` and ``[::1]`` but accept
``http://127.0.0.1/``; names they accept with a port (``blog.localhost``) do not resolve here without an
/etc/hosts line. Otherwise a free port is used and trafilatura is skipped. The clients (``--tools``)
are described in ``bench/clients.py``: ours with page requisites (default) and without, wget with
and without ``--page-requisites``, trafilatura, and two reference floors.

Each is measured with all its processes (``bench/measure.py``): wall time, CPU seconds, peak RSS
summed over the process tree (and PSS). nginx's access log counts what each one fetched, the same way
for every client (trafilatura and the bare spider write no WARC to count records in): requests and
requests/s, the requisites among them (``REQUISITE_PATH``) and the body bytes sent. The table shows
``ours`` against each row, and a line ``ours / wget-requisites`` (posts/s, requests/s, peak RSS).

From the last two the run prints a ceiling: with every core busy and nothing but Scrapy's own
fetching and our extraction to do (no WARC, no files, no catalog, no hand-over between
processes), ``cores / (bare CPU per post + extraction CPU per post)`` posts per second, and its ratio
to wget: what any Scrapy crawler using this extractor could reach on this machine, however it
spreads the work over processes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import measure, sitegen
from bench.clients import ROOT, command_for
from bench.nginx import Nginx, free_port

POST_PATH = re.compile(r"^/\d{4}/\d{2}/\d{2}/[^/?#]+/$")
# What pages load, by the path nginx logged: static files and the local Gravatar stand-ins.
REQUISITE_PATH = re.compile(r"^[^?#]*\.(css|js|png|jpe?g|gif|webp|avif|svg|woff2?|ttf|otf|eot|ico)"
                            r"([?#]|$)|^/avatar/", re.IGNORECASE)
MB = 1_000_000
TARGETS = {"vs_trafilatura": 1.5, "vs_wget": 0.8, "linear": 1.2, "rss_mb": 400}
TOOLS = ("ours", "ours-no-requisites", "ours-no-extract", "scrapy-bare", "extract-only", "wget",
         "wget-requisites", "trafilatura")
# Like with like: the issue #7 targets compare a crawl of pages; the requisites pair is issue #16's.
PAIRS = (("ours", "wget-requisites"),)


@dataclass(frozen=True)
class Result:
    tool: str
    posts: int           # posts in the blog
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    peak_pss_mb: float
    processes: int
    requests: int        # answered by nginx during the run
    posts_fetched: int   # distinct post URLs answered 200
    output_posts: int    # posts archived / texts written, as the tool reports them
    warc_mb: float
    ok: bool
    note: str = ""
    requisites: int = 0  # of ``requests``: files pages load (REQUISITE_PATH)
    sent_mb: float = 0.0  # body bytes nginx sent (after gzip)

    @property
    def posts_per_s(self) -> float:
        return self.posts / self.wall_s if self.wall_s else 0.0

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.wall_s if self.wall_s else 0.0


OFFLINE_TOOLS = {"extract-only"}  # measured without fetching: nginx sees no requests


def measure_tool(tool: str, count: int, server: Nginx, work: Path, base: str,
                 jobdir: bool) -> Result:
    work.mkdir(parents=True)
    command, outputs = command_for(tool, base, work, server.root, jobdir)
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


def bench_size(count: int, tools: list[str], port: int, scratch: Path, site_dir: Path,
               jobdir: bool) -> tuple[float, list[Result]]:
    base = "http://127.0.0.1/" if port == 80 else f"http://127.0.0.1:{port}/"
    site = site_dir / f"site-{count}"
    started = time.perf_counter()
    files = sitegen.generate(site, count, base)
    generated = time.perf_counter() - started
    print(f"# {count:,} posts: {files:,} files generated in {generated:.1f} s, serving {base}",
          file=sys.stderr, flush=True)
    server = Nginx(site, port, scratch / f"nginx-{count}")
    server.start()
    results = []
    try:
        for tool in tools:
            work = scratch / f"{tool}-{count}"
            result = measure_tool(tool, count, server, work, base, jobdir)
            print(f"#   {tool}: {result.wall_s:.1f} s, {result.posts_per_s:.1f} posts/s, "
                  f"{result.requests_per_s:.1f} requests/s",
                  file=sys.stderr, flush=True)
            results.append(result)
            shutil.rmtree(work, ignore_errors=True)
    finally:
        server.stop()
        shutil.rmtree(site, ignore_errors=True)
    return generated, results


def evaluate(results: dict[int, list[Result]], trafilatura_ok: bool) -> list[tuple[str, str, bool]]:
    """(target, measured, passed) for every target that the sizes run can decide."""
    checks: list[tuple[str, str, bool]] = []
    by = {count: {r.tool: r for r in rows} for count, rows in results.items()}
    if 10_000 in by:
        at = by[10_000]
        name = "ours-no-requisites" if "ours-no-requisites" in at else "ours"  # pages, as they fetch
        ours = at.get(name)
        for tool, key in (("trafilatura", "vs_trafilatura"), ("wget", "vs_wget")):
            other = at.get(tool)
            if ours and other and other.posts_per_s and (tool != "trafilatura" or trafilatura_ok):
                ratio = ours.posts_per_s / other.posts_per_s
                checks.append((f"10,000 posts: {name} >= {TARGETS[key]}x {tool} posts/s",
                               f"{ratio:.2f}x", ratio >= TARGETS[key] and ours.ok))
    if 1_000 in by and 10_000 in by and "ours" in by[1_000] and "ours" in by[10_000]:
        small, large = by[1_000]["ours"], by[10_000]["ours"]
        growth = (large.wall_s / large.posts) / (small.wall_s / small.posts)
        checks.append((f"linear growth: s/post at 10,000 <= {TARGETS['linear']}x s/post at 1,000",
                       f"{growth:.2f}x", growth <= TARGETS["linear"]))
    for count, tools in by.items():
        if "ours" in tools:
            rss = tools["ours"].peak_rss_mb
            checks.append((f"{count:,} posts: peak RSS (all processes) < {TARGETS['rss_mb']} MB",
                           f"{rss:.0f} MB", rss < TARGETS["rss_mb"]))
    return checks


def ratios(results: dict[int, list[Result]]) -> list[dict[str, Any]]:
    """Per size and pair of ``PAIRS`` measured (ours with requisites, wget with requisites): the
    ratios of posts/s and requests/s, and both tools' peak RSS."""
    lines = []
    for count, rows in results.items():
        by = {r.tool: r for r in rows}
        for name, other_name in PAIRS:
            ours, other = by.get(name), by.get(other_name)
            if ours and other and other.posts_per_s and other.requests_per_s:
                lines.append({"posts": count, "ours": name, "other": other_name,
                              "posts_per_s": round(ours.posts_per_s / other.posts_per_s, 2),
                              "requests_per_s": round(ours.requests_per_s / other.requests_per_s, 2),
                              "peak_rss_mb": [ours.peak_rss_mb, other.peak_rss_mb],
                              "ok": ours.ok and other.ok})
    return lines


def ceilings(results: dict[int, list[Result]]) -> list[dict[str, Any]]:
    """Per size: the posts/s that Scrapy's fetching plus our extraction alone allow on every core."""
    lines = []
    for count, rows in results.items():
        by = {r.tool: r for r in rows}
        bare, extract, wget = by.get("scrapy-bare"), by.get("extract-only"), by.get("wget")
        if not (bare and extract and bare.ok and extract.ok):
            continue
        floor_ms = 1000 * (bare.cpu_s / bare.posts + extract.cpu_s / extract.posts)
        posts_per_s = (os.cpu_count() or 1) * 1000 / floor_ms
        lines.append({"posts": count, "floor_cpu_ms": round(floor_ms, 2),
                      "ceiling_posts_per_s": round(posts_per_s, 1),
                      "vs_wget": round(posts_per_s / wget.posts_per_s, 2) if wget else None})
    return lines


COLUMNS = (("tool", "tool", "{}"), ("wall s", "wall_s", "{:.1f}"), ("posts/s", "posts_per_s", "{:.1f}"),
           ("requests", "requests", "{:,}"), ("req/s", "requests_per_s", "{:.1f}"),
           ("requisites", "requisites", "{:,}"), ("MB sent", "sent_mb", "{:.1f}"),
           ("posts 200", "posts_fetched", "{:,}"),
           ("archived", "output_posts", "{:,}"), ("CPU s", "cpu_s", "{:.1f}"),
           ("CPU ms/post", "cpu_ms", "{:.1f}"), ("peak RSS MB", "peak_rss_mb", "{:.0f}"),
           ("peak PSS MB", "peak_pss_mb", "{:.0f}"), ("procs", "processes", "{}"),
           ("WARC MB", "warc_mb", "{:.1f}"))


def print_table(count: int, generated: float, rows: list[Result]) -> None:
    print(f"\n{count:,} posts (site generated in {generated:.1f} s)")
    print("| " + " | ".join(title for title, _, _ in COLUMNS) + " | ours is |")
    print("|" + "---|" * (len(COLUMNS) + 1))
    ours = next((r for r in rows if r.tool == "ours"), None)
    for row in rows:
        values = {**asdict(row), "posts_per_s": row.posts_per_s,
                  "requests_per_s": row.requests_per_s, "cpu_ms": 1000 * row.cpu_s / row.posts}
        cells = [fmt.format(values[key]) for _, key, fmt in COLUMNS]
        ratio = (f"{ours.posts_per_s / row.posts_per_s:.2f}x" if ours and row is not ours
                 and row.posts_per_s else "")
        print("| " + " | ".join(cells) + f" | {ratio} |" + ("" if row.ok else f"  <- {row.note}"))
    for row in rows:
        if row.note:
            print(f"  {row.tool}: {row.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated post counts")
    parser.add_argument("--large", action="store_true", help="add 100,000 posts (JOBDIR queues)")
    parser.add_argument("--tools", default=",".join(TOOLS),
                        help="which clients to run (comma-separated)")
    parser.add_argument("--port", type=int, default=80,
                        help="port to serve on (80: trafilatura accepts the URL; else a free one)")
    parser.add_argument("--site-dir", type=Path, default=Path("/dev/shm") if Path(
        "/dev/shm").is_dir() else None, help="where to write the sites (default: /dev/shm)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size] + ([100_000] if args.large else [])
    tools = [tool for tool in args.tools.split(",") if tool]
    measure.become_subreaper()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so nginx is stopped on a kill too
    port = free_port(args.port)
    trafilatura_ok = port == 80
    if not trafilatura_ok and "trafilatura" in tools:
        print(f"# port {args.port} is not free to bind: serving on {port}, where trafilatura's URL "
              "filters refuse the site; trafilatura skipped", file=sys.stderr)
        tools.remove("trafilatura")
    results: dict[int, list[Result]] = {}
    generated: dict[int, float] = {}
    print(f"# load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores",
          file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as scratch, \
            tempfile.TemporaryDirectory(prefix="bench-crawl-site-", dir=args.site_dir) as sites:
        Path(sites).chmod(0o755)  # nginx's worker runs as nobody when started as root
        for count in sizes:
            generated[count], results[count] = bench_size(
                count, tools, port, Path(scratch), Path(sites), jobdir=count >= 100_000)
    checks = evaluate(results, trafilatura_ok)
    if args.json:
        print(json.dumps({"results": {c: [{**asdict(r), "posts_per_s": round(r.posts_per_s, 2),
                                              "requests_per_s": round(r.requests_per_s, 2)}
                                         for r in rows] for c, rows in results.items()},
                          "generated_s": generated, "port": port, "requests_counted_by": "nginx",
                          "ceilings": ceilings(results), "ratios": ratios(results),
                          "checks": [{"target": t, "measured": m, "pass": p} for t, m, p in checks]},
                         indent=2))
    else:
        print("Archiving a synthetic WordPress blog served by nginx on 127.0.0.1 "
              "(AutoThrottle off, 16 concurrent requests, robots.txt obeyed)")
        for count, rows in results.items():
            print_table(count, generated[count], rows)
        print()
        for target, measured, passed in checks:
            print(f"{'PASS' if passed else 'FAIL'}  {target}: {measured}")
        for pair in ratios(results):
            print(f"{pair['posts']:,} posts: {pair['ours']} / {pair['other']}: "
                  f"{pair['posts_per_s']:.2f}x posts/s, {pair['requests_per_s']:.2f}x requests/s, "
                  f"peak RSS {pair['peak_rss_mb'][0]:.0f} MB vs {pair['peak_rss_mb'][1]:.0f} MB"
                  + ("" if pair["ok"] else " (a run failed)"))
        for line in ceilings(results):
            vs_wget = f", {line['vs_wget']:.2f}x wget" if line["vs_wget"] else ""
            print(f"ceiling at {line['posts']:,} posts: Scrapy's fetching + our extraction = "
                  f"{line['floor_cpu_ms']:.1f} CPU ms/post -> at most "
                  f"{line['ceiling_posts_per_s']:.0f} posts/s on {os.cpu_count()} cores{vs_wget}")
    print(f"# load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    return 1 if args.strict and not all(passed for _, _, passed in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
