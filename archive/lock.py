"""One writer per archive, or scale-out workers sharing it: locks a crashed holder cannot leave.

``flock`` locks belong to the open file, so the kernel drops them when their process dies, even by
SIGKILL: a lock file whose recorded holder is gone is stale by construction and is simply taken
over (and said so). The file records who holds it, so the second run can say who is writing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TextIO

from archive.layout import Layout, safe_component


class ArchiveLocked(RuntimeError):
    """Another live process is writing to this archive."""


class ArchiveLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: TextIO | None = None
        self.took_over: dict[str, Any] | None = None  # the stale holder, when there was one

    def acquire(self, wait: float = 0.0, poll: float = 0.5) -> None:
        """Take the lock, waiting up to ``wait`` seconds; raise ArchiveLocked if still held."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        if not flock_within(handle, fcntl.LOCK_EX, wait, poll):
            holder = _read(handle)
            handle.close()
            raise ArchiveLocked(_describe(holder))
        previous = _read(handle)
        if previous.get("pid"):
            self.took_over = previous
        try:
            handle.seek(0)
            handle.truncate()
            json.dump({"pid": os.getpid(), "host": socket.gethostname(),
                       "started": datetime.now(UTC).isoformat()}, handle)
            handle.flush()
        except OSError:  # e.g. the disk is full: not held, the caller says why in one line
            _close_quietly(handle)
            raise
        self.handle = handle

    def release(self) -> None:
        if self.handle is None:
            return
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.flush()
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
        self.handle = None


class WorkerLock:
    """A worker's hold on a shared archive: the archive lock shared, its own shard lock exclusive."""

    def __init__(self, layout: Layout, name: str) -> None:
        self.layout = layout
        self.shard = ArchiveLock(layout.shard_dir / f"{name}.lock")
        self.handle: TextIO | None = None
        self.took_over: dict[str, Any] | None = None  # as ArchiveLock: never, names are unique

    def acquire(self, wait: float = 0.0, poll: float = 0.5) -> None:
        """Raise ArchiveLocked while a single-process crawl, ``merge`` or ``reindex`` runs."""
        self.layout.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.layout.lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - until release
        if not flock_within(handle, fcntl.LOCK_SH, wait, poll):
            handle.close()
            raise ArchiveLocked("a single-process crawl, merge or reindex holds the archive "
                                "exclusively")
        self.handle = handle
        self.shard.acquire()

    def release(self) -> None:
        self.shard.release()
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def worker_alive(layout: Layout, name: str) -> bool:
    """True while the worker holds its shard lock (False when unknown: another machine's lock
    on a file system that does not share ``flock`` locks)."""
    path = layout.shard_dir / f"{name}.lock"
    try:
        with open(path, encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
    except FileNotFoundError:
        pass
    return False


def worker_name() -> str:
    """``HOST-PID``: unique among processes sharing an archive, and safe in file names."""
    host = safe_component(socket.gethostname().split(".")[0]) or "host"
    return f"{host}-{os.getpid()}"


def flock_within(handle: IO[Any], mode: int, wait: float, poll: float) -> bool:
    """Take a ``flock`` in ``mode``, retrying every ``poll`` seconds for up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)


def _close_quietly(handle: TextIO) -> None:
    """Close (and so unlock) a handle whose buffered writes cannot reach the disk."""
    with contextlib.suppress(OSError):  # the write is flushed again and fails; the file closes
        handle.close()


def _read(handle: TextIO) -> dict[str, Any]:
    handle.seek(0)
    try:
        data = json.loads(handle.read() or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _describe(holder: dict[str, Any]) -> str:
    if not holder:
        return "another process holds the archive lock"
    return (f"another crawl (pid {holder.get('pid')} on {holder.get('host')}, started "
            f"{holder.get('started')}) is writing to this archive")
