"""The crawler's end of the WARC writer process (``archive/warc/service.py``).

Started with the reactor's ``spawnProcess``; its answers are read by the event loop like a
socket, and its requests written to a pipe of ours (``RequestPipe``), so nothing blocks: a
capture is pickled and written to the process's stdin, and the Deferred ``ask`` returned fires
when its answer comes back. Answers come in the order the requests went, so one queue of
Deferreds pairs them.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sys
from collections import deque
from collections.abc import Callable
from typing import Any, cast

from twisted.internet import defer, error, protocol
from twisted.python.failure import Failure

from archive.warc.service import WriterSettings, request_parts, split_frames

logger = logging.getLogger(__name__)
Answer = tuple[Any, ...]
F_SETPIPE_SZ = 1031  # <linux/fcntl.h>
PIPE_SIZE = 1 << 20


class WriterGone(RuntimeError):
    """The writer process ended before it answered."""


class WarcProcess(protocol.ProcessProtocol):
    def __init__(self, on_gone: Callable[[str], None] | None = None) -> None:
        self.pending: deque[defer.Deferred[Answer]] = deque()
        self.buffer = bytearray()
        self.on_gone = on_gone
        self.gone: str | None = None  # why the process ended, once it has
        self.closing = False
        self.pipe: RequestPipe | None = None

    @classmethod
    def start(cls, settings: WriterSettings,
              on_gone: Callable[[str], None] | None = None) -> WarcProcess:
        from twisted.internet import reactor
        process = cls(on_gone)
        command = [sys.executable, "-m", "archive.warc.service", str(settings.directory)]
        stdin, requests = os.pipe()
        try:
            cast(Any, reactor).spawnProcess(process, sys.executable, command, env=dict(os.environ),
                                            childFDs={0: stdin, 1: "r", 2: 2})
        finally:
            os.close(stdin)
        process.pipe = RequestPipe(requests, reactor)
        process.pipe.write(request_parts(("open", settings)))
        return process

    def ask(self, message: Answer) -> defer.Deferred[Answer]:
        if self.gone is not None:
            return defer.fail(WriterGone(self.gone))
        self.closing = self.closing or message[0] == "close"
        answer: defer.Deferred[Answer] = defer.Deferred()
        self.pending.append(answer)
        assert self.pipe is not None
        self.pipe.write(request_parts(message))
        return answer

    def outReceived(self, data: bytes) -> None:
        self.buffer += data
        for message in split_frames(self.buffer):
            self.pending.popleft().callback(message)

    def processEnded(self, reason: Failure) -> None:
        if isinstance(reason.value, error.ProcessDone) and self.closing and not self.pending:
            self.gone = "closed"
            if self.pipe is not None:
                self.pipe.close()
            return
        self.gone = f"the WARC writer process ended ({reason.getErrorMessage()})"
        if self.pipe is not None:
            self.pipe.close()
        while self.pending:
            self.pending.popleft().errback(WriterGone(self.gone))
        if self.on_gone is not None and not self.closing:
            self.on_gone(self.gone)


class RequestPipe:
    """The writer's stdin, written without copying: a capture's body goes from the response to
    the pipe through a ``memoryview`` (Twisted's own process pipe joins what it buffers, which for
    a 50 MB page is a second 50 MB). Non-blocking: what the pipe cannot take yet waits here and
    is written when the reactor says the pipe has room (``doWrite``), in order."""

    def __init__(self, fd: int, reactor: Any) -> None:
        self.fd = fd
        self.reactor = reactor
        self.queue: deque[memoryview] = deque()
        self.waiting = False  # registered with the reactor for writability
        os.set_blocking(fd, False)
        with contextlib.suppress(OSError):  # a bigger pipe: most captures in one write
            fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE)

    def write(self, parts: list[bytes]) -> None:
        self.queue.extend(memoryview(part) for part in parts if part)
        if not self.waiting:
            self.doWrite()

    def doWrite(self) -> None:
        try:
            while self.queue:
                written = os.write(self.fd, self.queue[0])
                if written < len(self.queue[0]):
                    self.queue[0] = self.queue[0][written:]
                    break
                self.queue.popleft()
        except BlockingIOError:
            pass
        except OSError:  # the writer is gone: processEnded says so to every waiting capture
            self.queue.clear()
        self._watch(bool(self.queue))

    def close(self) -> None:
        self.queue.clear()
        self._watch(False)
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def fileno(self) -> int:
        return self.fd

    def connectionLost(self, reason: Failure) -> None:
        self.close()

    def logPrefix(self) -> str:
        return "warc-writer"

    def _watch(self, wanted: bool) -> None:
        if wanted and not self.waiting:
            self.reactor.addWriter(self)
        elif self.waiting and not wanted:
            self.reactor.removeWriter(self)
        self.waiting = wanted
