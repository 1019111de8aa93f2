"""A CDXJ index of the whole archive (``blogarchive cdxj``), sorted as pywb reads it.

Why: replay tools find a capture by URL and time through a sorted CDXJ index. cdxj-indexer (the
webrecorder indexer pywb itself relies on) writes it; each line names its WARC by file name, so the
index works as is in a pywb collection whose ``archive/`` folder holds the same WARCs
(``collections/NAME/indexes/index.cdxj``). The index is written to a temporary file and moved into
place, so a reader never sees half an index.

cdxj-indexer reads with warcio alone and stops with a traceback at the first damaged record, so
every file is first read through our reader (``archive/warc/reader.py``, one damage policy): a
damaged file is left out of the index and named (``CdxjResult.damaged``), the others are indexed.
That costs one more read of each file; ``blogarchive verify`` says what exactly is damaged.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from archive.layout import Layout
from archive.warc.files import warc_files
from archive.warc.reader import Damage, ReadOptions, iter_records


@dataclass
class CdxjResult:
    indexed: int = 0
    damaged: list[Damage] = field(default_factory=list)  # first damage of each file left out


def first_damage(path: Path) -> Damage | None:
    """The first damaged record of ``path``, if any (read with the archive's one reader)."""
    found: list[Damage] = []
    for _ in iter_records(path, ReadOptions(on_damage=found.append, resync=False)):
        pass
    return found[0] if found else None


def write_cdxj(layout: Layout, output: TextIO) -> CdxjResult:
    """Write the sorted index of every finished, undamaged WARC to ``output``."""
    with warnings.catch_warnings():  # pywb's pyamf warns about pkg_resources on import
        warnings.simplefilter("ignore")
        from cdxj_indexer.main import CDXJIndexer
    result, files = CdxjResult(), []
    for path in warc_files(layout, include_open=False):
        if (damage := first_damage(path)) is not None:
            result.damaged.append(damage)
        else:
            files.append(str(path))
    result.indexed = len(files)
    if files:
        # post_append folds each request into its response line (method, requestBody), as pywb
        # needs for POST lookups; file names stay bare: they are relative to pywb's archive/ folder.
        CDXJIndexer(output=output, inputs=files, sort=True, post_append=True).process_all()
    return result


def write_cdxj_file(layout: Layout, path: Path) -> CdxjResult:
    """Write the index to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            result = write_cdxj(layout, handle)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return result
