"""Run a command and measure it with all its processes: wall time, CPU seconds, peak memory.

- **CPU**: user + system seconds of the command and every process it started, from
  ``getrusage(RUSAGE_CHILDREN)``. The benchmark makes itself a *child subreaper*
  (``prctl(PR_SET_CHILD_SUBREAPER)``, Linux), so helper processes that outlive their parent (the
  multiprocessing fork server of the extraction pool) are re-parented to it and reaped, and their
  CPU is counted too.
- **Memory**: every 0.2 s the process tree is followed from ``/proc/PID/task/*/children`` and the
  resident sizes of all its processes are added up; the peak of that sum is reported (``VmRSS``
  counts pages shared between forked workers once per process, so the sum is an upper bound),
  next to the peak sum of proportional set sizes (``Pss`` from ``smaps_rollup``, every second:
  shared pages split between processes).

Linux only (``/proc``), standard library only.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import resource
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
PAGE = os.sysconf("SC_PAGE_SIZE")
INTERVAL = 0.2
# PSS (smaps_rollup) on every 5th sample only: read every 0.2 s over a whole process tree, with
# the list of all of /proc's processes, the sampler took a fifth of a core of this 2-core machine
# away from the crawl it measured (issue 21).
PSS_EVERY = 5


@dataclass(frozen=True)
class Usage:
    wall: float
    cpu_user: float
    cpu_sys: float
    peak_rss: int      # bytes: peak over samples of the summed RSS of the whole tree
    peak_pss: int      # bytes: the same with proportional set sizes
    peak_processes: int
    returncode: int

    @property
    def cpu(self) -> float:
        return self.cpu_user + self.cpu_sys


def become_subreaper() -> bool:
    """Orphaned descendants are re-parented to this process (so their CPU time can be reaped)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def children(pid: int) -> list[int]:
    """The live children of ``pid``, from ``/proc/PID/task/*/children`` (no scan of ``/proc``)."""
    found: list[int] = []
    try:
        for task in os.scandir(f"/proc/{pid}/task"):
            found += [int(child) for child in Path(task.path, "children").read_text().split()]
    except OSError:
        pass
    return found


def tree(roots: set[int]) -> set[int]:
    """``roots`` and all their live descendants."""
    found, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found and Path(f"/proc/{pid}").exists():
            found.add(pid)
            todo.extend(children(pid))
    return found


def memory(pid: int, pss: bool = True) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes; (0, 0) once it is gone. ``pss=False``: RSS only
    (``smaps_rollup`` walks the page tables; ``statm`` is one read)."""
    try:
        rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        if not pss:
            return rss, 0
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return rss, int(line.split()[1]) * 1024
        return rss, 0
    except (OSError, ValueError, IndexError):
        return 0, 0


class Sampler(threading.Thread):
    """Sums the memory of the command's process tree every ``INTERVAL`` seconds; keeps the peaks."""

    def __init__(self, root: int, exclude: set[int]) -> None:
        super().__init__(daemon=True)
        self.root, self.exclude = root, exclude
        self.stop = threading.Event()
        self.peak_rss = self.peak_pss = self.peak_processes = 0

    def roots(self) -> set[int]:
        """The command, plus orphans re-parented to us (our other children, minus the server)."""
        return {self.root} | {pid for pid in children(os.getpid()) if pid not in self.exclude}

    def run(self) -> None:
        for sample in itertools.count():
            if self.stop.is_set():
                return
            pss = sample % PSS_EVERY == 0
            sizes = [memory(pid, pss) for pid in tree(self.roots())]
            self.peak_rss = max(self.peak_rss, sum(rss for rss, _ in sizes))
            if pss:
                self.peak_pss = max(self.peak_pss, sum(pss for _, pss in sizes))
            self.peak_processes = max(self.peak_processes, len([s for s in sizes if s[0]]))
            self.stop.wait(INTERVAL)


def reap_orphans(exclude: set[int], timeout: float = 60.0) -> None:
    """Wait for the descendants re-parented to us (not ``exclude``) so their CPU time is counted."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        orphans = [pid for pid in children(os.getpid()) if pid not in exclude]
        if not orphans:
            return
        for pid in orphans:
            try:
                if os.waitpid(pid, os.WNOHANG) == (0, 0):
                    continue
            except ChildProcessError:
                continue
        time.sleep(0.05)


def run(command: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        stdout: Path | None = None, stderr: Path | None = None,
        exclude: set[int] | None = None) -> Usage:
    """Run ``command`` to its end and measure it; ``exclude``: our children that are not part of it."""
    exclude = exclude or set()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    err = stderr.open("wb") if stderr else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL)
        sampler = Sampler(process.pid, exclude)
        sampler.start()
        returncode = process.wait()
        wall = time.perf_counter() - started
        reap_orphans(exclude)
        sampler.stop.set()
        sampler.join()
    finally:
        for handle in (out, err):
            if handle is not subprocess.DEVNULL:
                handle.close()  # type: ignore[union-attr]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Usage(wall=wall, cpu_user=after.ru_utime - before.ru_utime,
                 cpu_sys=after.ru_stime - before.ru_stime, peak_rss=sampler.peak_rss,
                 peak_pss=sampler.peak_pss, peak_processes=sampler.peak_processes,
                 returncode=returncode)
