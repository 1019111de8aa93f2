"""An in-memory URL -> capture index built from the WARC files, for replay.

Like cdxj-indexer, it iterates response and revisit records and keeps where each one starts; a
revisit is resolved to the response it stands for (by ``WARC-Refers-To``, else by payload digest),
so replay always reads a body that exists. It is derived data: rebuilt whenever the set of WARC
files changes, never written into the archive. A malformed record is skipped and reported (the
one WARC reader goes on at the next record), never raised.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field
from pathlib import Path

from archive.layout import Layout
from archive.urls import url_key
from archive.warc.files import warc_files
from archive.warc.reader import Damage, ReadOptions, StoredRecord, iter_records


@dataclass(frozen=True)
class Capture:
    """One capture of a URL: where its response (or the revisit's original) can be read."""

    url: str
    timestamp: str  # 14 digits, UTC, as in replay URLs
    date: str  # WARC-Date
    status: int
    mime: str
    warc_file: str
    offset: int
    kind: str  # "response" or "revisit"
    record_id: str


@dataclass
class WarcIndex:
    captures: dict[str, list[Capture]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def lookup(self, url: str, timestamp: str = "") -> Capture | None:
        """The capture of ``url`` closest to ``timestamp`` (the latest when none is given)."""
        found = self.captures.get(url_key(url))
        if not found:
            return None
        if not timestamp:
            return found[-1]
        stamps = [c.timestamp for c in found]
        at = bisect.bisect_left(stamps, timestamp)
        nearby = found[max(at - 1, 0):at + 1]
        return min(nearby, key=lambda c: abs(int(c.timestamp) - int(timestamp.ljust(14, "0"))))

    def all_of(self, url: str) -> list[Capture]:
        return list(self.captures.get(url_key(url), []))


def timestamp_of(warc_date: str) -> str:
    digits = "".join(ch for ch in warc_date if ch.isdigit())
    return digits[:14].ljust(14, "0")


@dataclass
class FileIndex:
    """What one WARC file holds, and how far it was read: a file being written is read on from
    ``offset`` (the end of its last whole record) the next time it grew, never again from 0."""

    captures: list[Capture] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)  # each response's payload digest
    revisits: list[tuple[Capture, str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    tail_problems: list[str] = field(default_factory=list)  # after ``offset``: may be half-written
    offset: int = 0


def build_index(layout: Layout) -> WarcIndex:
    return merge([index_file(path) for path in _files(layout)])


def merge(files: list[FileIndex]) -> WarcIndex:
    """One index of many files' captures, each revisit resolved to the response it stands for."""
    index = WarcIndex()
    originals: dict[str, Capture] = {}  # by record id and by payload digest
    for part in files:
        index.problems += part.problems + part.tail_problems
        for capture, digest in zip(part.captures, part.digests, strict=True):
            _add(index, capture)
            originals[capture.record_id] = capture
            if digest:
                originals.setdefault(digest, capture)
    for part in files:
        for revisit, refers_to, digest in part.revisits:
            original = originals.get(refers_to) or originals.get(digest)
            if original is None:
                index.problems.append(f"{revisit.warc_file}:{revisit.offset}: revisit of "
                                      f"{revisit.url} refers to no archived response")
                continue
            _add(index, Capture(revisit.url, revisit.timestamp, revisit.date, original.status,
                                original.mime, original.warc_file, original.offset, "revisit",
                                revisit.record_id))
    for found in index.captures.values():
        found.sort(key=lambda c: c.timestamp)
    return index


def index_file(path: Path, part: FileIndex | None = None) -> FileIndex:
    """Index ``path`` from ``part.offset`` on (from its start without ``part``)."""
    part = part or FileIndex()
    name = path.name.removesuffix(".open")
    part.tail_problems = []

    def damaged(damage: Damage) -> None:
        part.tail_problems.append(f"{name}:{damage.offset}: skipped a malformed record: "
                                  f"{damage.reason}")

    try:
        for stored in iter_records(path, ReadOptions(on_damage=damaged, start=part.offset)):
            part.problems += part.tail_problems
            part.tail_problems = []
            part.offset = stored.offset + stored.length
            _index_record(stored, name, part)
    except (OSError, ValueError) as error:  # renamed meanwhile (.open closed), a bad status line
        part.tail_problems.append(f"{name}: stopped indexing: {error!r}")  # what came before stays
    return part


def _index_record(stored: StoredRecord, name: str, part: FileIndex) -> None:
    record = stored.record
    if record.rec_type not in ("response", "revisit"):
        return
    headers = record.rec_headers
    http = record.http_headers
    date = headers.get_header("WARC-Date") or ""
    capture = Capture(
        url=headers.get_header("WARC-Target-URI") or "",
        timestamp=timestamp_of(date), date=date,
        status=int(http.get_statuscode() or 0) if http else 0,
        mime=(http.get_header("Content-Type") or "") if http else "",
        warc_file=name, offset=stored.offset, kind=record.rec_type,
        record_id=headers.get_header("WARC-Record-ID") or "")
    if record.rec_type == "response":
        part.captures.append(capture)
        part.digests.append(headers.get_header("WARC-Payload-Digest") or "")
    else:
        part.revisits.append((capture, headers.get_header("WARC-Refers-To") or "",
                              headers.get_header("WARC-Payload-Digest") or ""))


def _files(layout: Layout) -> list[Path]:
    """Every file named ``*.warc.gz*``, open or finished (and set-aside tails, as always)."""
    return warc_files(layout, include_set_aside=True)


def _add(index: WarcIndex, capture: Capture) -> None:
    index.captures.setdefault(url_key(capture.url), []).append(capture)


class IndexCache:
    """Keeps the index of the current WARC files up to date at the cost of what changed.

    Each file is indexed once; a file that grew (the ``.open`` file a crawl is writing) is read on
    from where its last whole record ended, and a renamed one (``.open`` closed) keeps its index,
    being the same inode. Rebuilding everything on every change cost 12.4 s per page on 130 MB of
    WARCs while a crawl wrote.
    """

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._lock = threading.Lock()
        self._files: dict[tuple[int, int], tuple[int, int, FileIndex]] = {}  # (dev, ino) ->
        self._state: tuple[tuple[str, int, int, int, int], ...] | None = None
        self._index = WarcIndex()

    def get(self) -> WarcIndex:
        state = self._files_state()
        with self._lock:
            if state != self._state:
                self._index = self._update(state)
                self._state = state
            return self._index

    def _update(self, state: tuple[tuple[str, int, int, int, int], ...]) -> WarcIndex:
        files: dict[tuple[int, int], tuple[int, int, FileIndex]] = {}
        for name, dev, ino, size, mtime in state:
            known = self._files.get((dev, ino))
            if known and known[0] == size and known[1] == mtime:
                part = known[2]
            elif known and known[0] <= size:  # appended to: read only the new records
                part = index_file(self.layout.warc_dir / name, known[2])
            else:
                part = index_file(self.layout.warc_dir / name)
            files[(dev, ino)] = (size, mtime, part)
        self._files = files
        return merge([part for _, _, part in files.values()])

    def _files_state(self) -> tuple[tuple[str, int, int, int, int], ...]:
        files = []
        for path in _files(self.layout):
            try:
                stat = path.stat()
            except OSError:
                continue
            files.append((path.name, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns))
        return tuple(files)
