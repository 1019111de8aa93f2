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
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from archive.layout import Layout
from archive.warc.files import warc_files
from archive.warc.reader import Damage, ReadOptions, iter_records


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


def url_key(url: str) -> str:
    """One form per URL: no fragment, lower-case scheme and host, no default port, sorted query."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    if port and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


def timestamp_of(warc_date: str) -> str:
    digits = "".join(ch for ch in warc_date if ch.isdigit())
    return digits[:14].ljust(14, "0")


def build_index(layout: Layout) -> WarcIndex:
    index = WarcIndex()
    originals: dict[str, Capture] = {}  # by record id and by payload digest
    pending: list[tuple[Capture, str, str]] = []
    for path in _files(layout):
        _index_file(path, index, originals, pending)
    for revisit, refers_to, digest in pending:
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


def _index_file(path: Path, index: WarcIndex, originals: dict[str, Capture],
                pending: list[tuple[Capture, str, str]]) -> None:
    name = path.name.removesuffix(".open")

    def damaged(damage: Damage) -> None:
        index.problems.append(f"{name}:{damage.offset}: skipped a malformed record: "
                              f"{damage.reason}")

    try:
        for stored in iter_records(path, ReadOptions(on_damage=damaged)):
            record = stored.record
            if record.rec_type not in ("response", "revisit"):
                continue
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
                _add(index, capture)
                originals[capture.record_id] = capture
                digest = headers.get_header("WARC-Payload-Digest")
                if digest:
                    originals.setdefault(digest, capture)
            else:
                pending.append((capture, headers.get_header("WARC-Refers-To") or "",
                                headers.get_header("WARC-Payload-Digest") or ""))
    except (OSError, ValueError) as error:  # renamed meanwhile (.open closed), a bad status line
        index.problems.append(f"{name}: stopped indexing: {error!r}")  # what came before stays


def _files(layout: Layout) -> list[Path]:
    """Every file named ``*.warc.gz*``, open or finished (and set-aside tails, as always)."""
    return warc_files(layout, include_set_aside=True)


def _add(index: WarcIndex, capture: Capture) -> None:
    index.captures.setdefault(url_key(capture.url), []).append(capture)


class IndexCache:
    """Keeps the index of the current WARC files; rebuilds it when a file is added or grows."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._lock = threading.Lock()
        self._state: tuple[tuple[str, int, int], ...] | None = None
        self._index = WarcIndex()

    def get(self) -> WarcIndex:
        state = self._files_state()
        with self._lock:
            if state != self._state:
                self._index = build_index(self.layout)
                self._state = state
            return self._index

    def _files_state(self) -> tuple[tuple[str, int, int], ...]:
        files = []
        for path in _files(self.layout):
            try:
                stat = path.stat()
            except OSError:
                continue
            files.append((path.name, stat.st_size, stat.st_mtime_ns))
        return tuple(files)
