"""``blogarchive merge``: fold the catalog shards of scaled-out workers into catalog.sqlite for good.

Readers see the shards before that too (``archive/catalog/combined.py``); merging makes reading
cheap again and lets the shards go (they are derived data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.catalog import Catalog
from archive.catalog.combined import FoldCounts, fold
from archive.catalog.shards import shard_paths
from archive.layout import Layout
from archive.maintain.workers import recover_dead_workers


@dataclass
class MergeReport(FoldCounts):
    shards: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"shards": self.shards, "versions": self.versions, "duplicates": self.duplicates,
                "posts": self.posts}


def merge_shards(layout: Layout) -> MergeReport:
    """Fold every shard into ``catalog.sqlite``, then remove each one after its commit.

    Idempotent: a version whose WARC record is already catalogued is skipped, so a merge
    interrupted between the commit and the removal is simply run again. The caller holds the
    archive lock exclusively (no worker is writing).
    """
    report = MergeReport()
    if not shard_paths(layout):
        return report
    recover_dead_workers(layout)
    with Catalog(layout.catalog_path) as target:
        for shard in shard_paths(layout):
            fold(target, shard, report)
            report.shards.append(shard.name)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{shard}{suffix}").unlink(missing_ok=True)
    return report
