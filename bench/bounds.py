"""The two-core bounds: what any Scrapy crawler using our extractor could reach on this machine.

With every core busy and nothing to do but Scrapy's own fetching (a plain spider that keeps
nothing) and our extraction (``extract-only``): ``cores / (bare CPU per post + extraction CPU per
post)`` posts per second. Two of them, each set against the wget it is compared with:

- pages only: ``scrapy-bare`` (the posts its sitemap reader finds) against plain ``wget``; issue
  21 asks ``ours-no-requisites`` for 0.8x of it;
- with page requisites: ``scrapy-bare-requisites`` (the posts and every file their pages load,
  given as a list: no page parsed) against ``wget-requisites``. Where it is below 1.0x, no Scrapy
  crawler that extracts can match wget with requisites on this machine.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from bench.result import Result

# (what is fetched, the plain Scrapy client that measures its cost, the wget it is set against)
BOUNDS = (("pages", "scrapy-bare", "wget"),
          ("requisites", "scrapy-bare-requisites", "wget-requisites"))


def ceilings(results: Mapping[int, Sequence[Result]]) -> list[dict[str, Any]]:
    """Per size and kind (``with``: pages, requisites): the floor of CPU per post and the posts/s it
    allows on every core, and that against wget's posts/s (``vs_wget``, None without a wget row)."""
    lines = []
    for count, rows in results.items():
        by = {r.tool: r for r in rows}
        extract = by.get("extract-only")
        for kind, bare_tool, wget_tool in BOUNDS:
            bare, wget = by.get(bare_tool), by.get(wget_tool)
            if not (bare and extract and bare.ok and extract.ok):
                continue
            floor_ms = 1000 * (bare.cpu_s / bare.posts + extract.cpu_s / extract.posts)
            posts_per_s = (os.cpu_count() or 1) * 1000 / floor_ms
            lines.append({"posts": count, "with": kind, "floor_cpu_ms": round(floor_ms, 2),
                          "ceiling_posts_per_s": round(posts_per_s, 1), "wget": wget_tool,
                          "vs_wget": round(posts_per_s / wget.posts_per_s, 2)
                          if wget and wget.ok and wget.posts_per_s else None})
    return lines


def describe(line: Mapping[str, Any]) -> str:
    """One printed line of the report."""
    what = "" if line["with"] == "pages" else " with requisites"
    fetched = "" if line["with"] == "pages" else " of the posts and every file they load"
    vs_wget = f", {line['vs_wget']:.2f}x {line['wget']}" if line["vs_wget"] else ""
    return (f"two-core bound{what} at {line['posts']:,} posts: Scrapy's fetching{fetched} + our "
            f"extraction = {line['floor_cpu_ms']:.1f} CPU ms/post -> at most "
            f"{line['ceiling_posts_per_s']:.0f} posts/s on {os.cpu_count()} cores{vs_wget}")
