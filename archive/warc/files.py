"""Which WARC files an archive holds, and where a file named by the catalog is now.

Why one helper: the writer names a file ``NAME.warc.gz.open`` while it writes and renames it to
``NAME.warc.gz`` when it closes; recovery sets a cut tail aside as ``NAME.warc.gz.invalid[.N]``.
Each reader wants a different subset (finished only for exports, open only for recovery, both for
verify and replay), so the subsets are named here once instead of globbed at every call site.
Every list is sorted by file name, which is the order the files were written in (names start with
their creation time).
"""

from __future__ import annotations

from pathlib import Path

from archive.layout import Layout
from archive.warc.writer import OPEN_SUFFIX

FINISHED = ".warc.gz"
OPEN = FINISHED + OPEN_SUFFIX


def warc_files(layout: Layout, *, include_open: bool = True,
               include_set_aside: bool = False) -> list[Path]:
    """Finished WARC files, plus those still being written (``.open``) unless told otherwise.

    ``include_set_aside`` adds everything else named ``*.warc.gz*`` (in practice the ``.invalid``
    tails recovery cut away): what the archive's WARC folder holds on disk, for size figures.
    """
    if not layout.warc_dir.is_dir():
        return []
    found = []
    for path in layout.warc_dir.glob(f"*{FINISHED}*"):
        name = path.name
        if (name.endswith(FINISHED) or (include_open and name.endswith(OPEN))
                or (include_set_aside and not name.endswith(OPEN))):
            found.append(path)
    return sorted(found)


def open_warc_files(layout: Layout) -> list[Path]:
    """WARC files a writer has not closed: being written now, or left by a crash."""
    return sorted(layout.warc_dir.glob(f"*{OPEN}")) if layout.warc_dir.is_dir() else []


def warc_path(layout: Layout, filename: str) -> Path:
    """The file the catalog calls ``filename`` (its final name), which may still be ``.open``.

    Raises ValueError when ``filename`` points outside the archive.
    """
    path = layout.resolve(f"warcs/{filename}")
    if path.exists():
        return path
    open_path = path.with_name(path.name + OPEN_SUFFIX)
    return open_path if open_path.exists() else path
