"""One writer per archive: an advisory lock that a crashed holder cannot leave behind.

``flock`` locks belong to the open file, so the kernel drops them when their process dies, even by
SIGKILL: a lock file whose recorded holder is gone is stale by construction and is simply taken
over (and said so). The file records who holds it, so the second run can say who is writing.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO


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
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read(handle)
                    handle.close()
                    raise ArchiveLocked(_describe(holder)) from None
                time.sleep(poll)
        previous = _read(handle)
        if previous.get("pid"):
            self.took_over = previous
        handle.seek(0)
        handle.truncate()
        json.dump({"pid": os.getpid(), "host": socket.gethostname(),
                   "started": datetime.now(UTC).isoformat()}, handle)
        handle.flush()
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
