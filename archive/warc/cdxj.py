"""A CDXJ index of the whole archive (``blogarchive cdxj``), sorted as pywb reads it.

Why: replay tools find a capture by URL and time through a sorted CDXJ index. cdxj-indexer (the
webrecorder indexer pywb itself relies on) writes it; each line names its WARC by file name, so the
index works as is in a pywb collection whose ``archive/`` folder holds the same WARCs
(``collections/NAME/indexes/index.cdxj``). The index is written to a temporary file and moved into
place, so a reader never sees half an index.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TextIO

from archive.layout import Layout
from archive.warc.files import warc_files


def write_cdxj(layout: Layout, output: TextIO) -> int:
    """Write the sorted index of every finished WARC to ``output``; returns the WARC count."""
    with warnings.catch_warnings():  # pywb's pyamf warns about pkg_resources on import
        warnings.simplefilter("ignore")
        from cdxj_indexer.main import CDXJIndexer
    files = [str(path) for path in warc_files(layout, include_open=False)]
    if files:
        # post_append folds each request into its response line (method, requestBody), as pywb
        # needs for POST lookups; file names stay bare: they are relative to pywb's archive/ folder.
        CDXJIndexer(output=output, inputs=files, sort=True, post_append=True).process_all()
    return len(files)


def write_cdxj_file(layout: Layout, path: Path) -> int:
    """Write the index to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            count = write_cdxj(layout, handle)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return count
