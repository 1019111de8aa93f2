"""A rich progress bar for long commands, shown only when stderr is a terminal.

Library functions report progress through a plain callback (``done, total``) so they stay free of
any display code; scripts and tests (no TTY) get no bar and no escape codes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

Report = Callable[[int, int], None]


@contextmanager
def progress_bar(label: str, quiet: bool = False) -> Iterator[Report]:
    """Yield a ``report(done, total)`` callback that drives a bar on a terminal, else nothing."""
    if quiet or not sys.stderr.isatty():
        yield lambda done, total: None
        return
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    with bar:
        task = bar.add_task(label, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield report
