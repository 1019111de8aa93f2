"""Where every file of an archive lives, and safe file names made from URLs.

Names built from URLs must never leave the archive directory, stay short on every file system and
never collide, so each one is a cleaned slug plus a hash of the full canonical URL.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

_UNSAFE = re.compile(r"[^a-z0-9]+")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)})
MAX_SLUG = 60


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def warc_dir(self) -> Path:
        return self.root / "warcs"

    @property
    def posts_dir(self) -> Path:
        return self.root / "posts"

    @property
    def catalog_path(self) -> Path:
        return self.root / "catalog.sqlite"

    @property
    def sites_path(self) -> Path:
        """The blogs this archive keeps and their health (``archive/sites``): configuration, not
        derived data, so no maintenance command rebuilds or removes it."""
        return self.root / "sites.sqlite"

    @property
    def lock_path(self) -> Path:
        return self.root / ".lock"

    # -- scale-out (archive/catalog/shards.py): one catalog shard per crawler process -------------------
    @property
    def shard_dir(self) -> Path:
        return self.root / "catalogs"

    def shard_path(self, name: str) -> Path:
        """``catalogs/HOST-PID.sqlite``: the catalog one worker writes while others write theirs."""
        return self.shard_dir / f"{name}.sqlite"

    def text_path(self, url: str, year: int | None, version: int = 1) -> Path:
        """``posts/<site>/<year>/<slug>-<hash>[.vN].txt``; the JSON sidecar sits beside it."""
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]  # never user:password@ in a file name
        site = safe_component(netloc.replace(":", "_")) or "site"
        folder = str(year) if year else "undated"
        suffix = "" if version == 1 else f".v{version}"
        name = f"{slug_for(url)}-{url_hash(url)}{suffix}.txt"
        return self.posts_dir / site / folder / name

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def resolve(self, relative: str) -> Path:
        """Turn a stored relative path back into a path, refusing anything outside the archive."""
        candidate = (self.root / relative).resolve()
        if not candidate.is_relative_to(self.root.resolve()):
            raise ValueError(f"path {relative!r} points outside the archive")
        return candidate


def url_hash(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]


def slug_for(url: str) -> str:
    """Last meaningful path segment, reduced to ``[a-z0-9-]`` and at most 60 characters."""
    segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
    return safe_component(segments[-1] if segments else "index") or "post"


def safe_component(text: str) -> str:
    """One path component that cannot escape, hide, or hit a reserved name on any OS."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _UNSAFE.sub("-", ascii_text.lower()).strip("-")[:MAX_SLUG].strip("-")
    if slug in _WINDOWS_RESERVED:
        slug = f"{slug}-"
    return slug


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write to a temporary name and rename, so a reader never sees half a file.

    ``durable=False`` skips the fsync for derived files (clean text, sidecars) that can always be
    rebuilt from the WARCs: measured at half the cost per file, on the crawler's event loop.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # e.g. disk full: leave no half-written file behind
        raise
