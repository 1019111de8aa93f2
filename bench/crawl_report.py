"""What ``bench/crawl.py`` prints: a table per size, the PASS/FAIL lines, ratios and bounds, or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict

from bench.bounds import ceilings, describe
from bench.result import Result
from bench.targets import ratios

COLUMNS = (("tool", "tool", "{}"), ("wall s", "wall_s", "{:.1f}"), ("posts/s", "posts_per_s", "{:.1f}"),
           ("requests", "requests", "{:,}"), ("req/s", "requests_per_s", "{:.1f}"),
           ("requisites", "requisites", "{:,}"), ("MB sent", "sent_mb", "{:.1f}"),
           ("posts 200", "posts_fetched", "{:,}"),
           ("archived", "output_posts", "{:,}"), ("CPU s", "cpu_s", "{:.1f}"),
           ("CPU ms/post", "cpu_ms", "{:.1f}"), ("peak RSS MB", "peak_rss_mb", "{:.0f}"),
           ("peak PSS MB", "peak_pss_mb", "{:.0f}"), ("procs", "processes", "{}"),
           ("WARC MB", "warc_mb", "{:.1f}"))


def print_table(count: int, generated: float, rows: list[Result]) -> None:
    print(f"\n{count:,} posts (site made in {generated:.1f} s)")
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


def as_json(results: dict[int, list[Result]], made: dict[int, float], port: int, site: str,
            checks: list[tuple[str, str, bool]]) -> str:
    return json.dumps({"site": site, "results": {
        c: [{**asdict(r), "posts_per_s": round(r.posts_per_s, 2),
             "requests_per_s": round(r.requests_per_s, 2)} for r in rows]
        for c, rows in results.items()},
        "generated_s": made, "port": port, "requests_counted_by": "nginx",
        "ceilings": ceilings(results), "ratios": ratios(results),
        "checks": [{"target": t, "measured": m, "pass": p} for t, m, p in checks]}, indent=2)


def print_report(results: dict[int, list[Result]], made: dict[int, float], site: str,
                 checks: list[tuple[str, str, bool]]) -> None:
    what = ("a static wget --mirror copy of the test suite's real WordPress" if site == "wpmirror"
            else "a synthetic WordPress blog")
    print(f"Archiving {what} served by nginx on 127.0.0.1 "
          "(AutoThrottle off, 16 concurrent requests, robots.txt obeyed)")
    for count, rows in results.items():
        print_table(count, made[count], rows)
    print()
    for target, measured, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {target}: {measured}")
    for pair in ratios(results):
        print(f"{pair['posts']:,} posts: {pair['ours']} / {pair['other']}: "
              f"{pair['posts_per_s']:.2f}x posts/s, {pair['requests_per_s']:.2f}x requests/s, "
              f"peak RSS {pair['peak_rss_mb'][0]:.0f} MB vs {pair['peak_rss_mb'][1]:.0f} MB"
              + ("" if pair["ok"] else " (a run failed)"))
    for line in ceilings(results):
        print(describe(line))
