"""Do two crawler processes sharing a Redis frontier archive a blog faster than one?

Run from the project root: ``python -m bench.scale`` (600 posts), ``python -m bench.scale --posts 300
--json``. Needs ``redis-server`` and scrapy-redis. The synthetic WordPress blog of
``bench.recrawl_synthetic`` is served on 127.0.0.1; a private ``redis-server`` is started on a free
port. Each configuration crawls into a fresh archive with a fresh Redis database (AutoThrottle off,
16 concurrent requests): one worker and two workers, each worker with ``EXTRACT_WORKERS=1`` (one
extraction process per crawler: the fair comparison of crawler processes), then with the default
(one per CPU core).
Posts per second = posts archived by all workers / wall time from the first start to the last exit.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.recrawl_runs import BIN, ROOT
from bench.recrawl_synthetic import serve, synthetic_blog

CONFIGS = (("1 worker", 1, "1"), ("2 workers", 2, "1"), ("1 worker", 1, "0"), ("2 workers", 2, "0"))


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", str(directory)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def crawl(url: str, archive: Path, redis: str, workers: int, extract_workers: str) -> dict[str, Any]:
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={url}", "-s", f"ARCHIVE_DIR={archive}",
               "-s", f"REDIS_URL={redis}", "-s", f"EXTRACT_WORKERS={extract_workers}",
               "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS=16",
               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=WARNING",
               "-s", "PROGRESS_INTERVAL=0"]
    started = time.perf_counter()
    processes = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
                 for _ in range(workers)]
    errors = [process.communicate()[1] for process in processes]
    wall = time.perf_counter() - started
    for process, error in zip(processes, errors, strict=True):
        if process.returncode != 0:
            raise SystemExit(f"crawl failed ({process.returncode}):\n{error[-3000:]}")
    reports = [json.loads(p.read_text()) for p in (archive / "runs").glob("*.json")]
    posts = sum(int(report["new"]) for report in reports)
    return {"workers": workers, "extract_workers": extract_workers, "wall_s": round(wall, 2),
            "posts": posts, "posts_per_s": round(posts / wall, 2),
            "per_worker": sorted(int(report["new"]) for report in reports)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=600, help="posts in the synthetic blog")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    server, url = serve(synthetic_blog(args.posts))
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        redis, port = start_redis(Path(scratch))
        try:
            for number, (_, workers, extract) in enumerate(CONFIGS):
                results.append(crawl(url, Path(scratch) / f"archive-{number}",
                                     f"redis://127.0.0.1:{port}/{number}", workers, extract))
        finally:
            os.kill(redis.pid, signal.SIGTERM)
            redis.wait()
            server.shutdown()
            server.server_close()
    ratios = {f"EXTRACT_WORKERS={results[i]['extract_workers']}":
              round(results[i + 1]["posts_per_s"] / results[i]["posts_per_s"], 2) for i in (0, 2)}
    if args.json:
        print(json.dumps({"posts": args.posts, "cpus": os.cpu_count(), "runs": results,
                          "two_over_one": ratios}, indent=2))
        return 0
    print(f"{args.posts}-post blog, {os.cpu_count()} CPUs, AutoThrottle off, 16 concurrent requests")
    print(f"{'':12}{'EXTRACT_WORKERS':>16}{'wall s':>9}{'posts':>7}{'posts/s':>9}  per worker")
    for (label, _, _), result in zip(CONFIGS, results, strict=True):
        extract = result["extract_workers"] if result["extract_workers"] != "0" else "0 (=CPUs)"
        print(f"{label:12}{extract:>16}{result['wall_s']:>9}{result['posts']:>7}"
              f"{result['posts_per_s']:>9}  {result['per_worker']}")
    for key, ratio in ratios.items():
        print(f"two workers / one worker, {key}: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
