"""Every path made from a URL or a title stays inside ARCHIVE_DIR, and files appear whole or not at all.

Hostile inputs: dot segments (plain and percent-encoded), encoded slashes, absolute paths, NUL bytes,
credentials in the URL, 1,000-character titles and slugs, Windows-reserved names, non-ASCII.
"""

from __future__ import annotations

import errno
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import Catalog
from archive.extract.model import Extraction
from archive.layout import Layout, safe_component, slug_for, write_atomic
from archive.maintain.recovery import recover
from archive.store import PostStore
from archive.warc.capture import WarcLocation

HOSTILE_URLS = [
    "http://evil.org/../../../etc/passwd",
    "http://evil.org/%2e%2e/%2E%2E/%2e%2e/etc/passwd",
    "http://evil.org/..%2F..%2F..%2Fetc%2Fpasswd",
    "http://evil.org//etc/passwd",
    "http://evil.org/a%00b/%00/",
    "http://evil.org/\x00/",
    "http://evil.org/" + "x" * 3000 + "/",
    "http://evil.org/" + "é" * 1000 + "/",
    "http://evil.org/CON/", "http://evil.org/nul.txt/", "http://evil.org/LPT9/",
    "http://evil.org/aux/", "http://evil.org/com1.", "http://evil.org/ .. /",
    "http://user:s3cret@evil.org/post/",
    "http://[::1]:8080/post/", "http://..:80/post/", "http://evil.org:99999/x/",
    "http://xn--bcher-kva.example/ein-buch/", "http://bücher.example/日本語/",
    "http://evil.org/C:\\Windows\\system32/", "http://evil.org/~/.ssh/authorized_keys",
]
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                    *(f"lpt{i}" for i in range(10))}


def assert_safe(root: Path, path: Path) -> None:
    assert path.resolve().is_relative_to(root.resolve()), path
    relative = path.relative_to(root)
    for part in relative.parts:
        assert part not in ("", ".", "..") and "\x00" not in part, relative
        assert len(part.encode("utf-8")) <= 100, relative
        assert part.split(".")[0].lower() not in WINDOWS_RESERVED, relative
        assert not part.endswith((" ", ".")), relative
        assert all(ch.isascii() and (ch.isalnum() or ch in "-_.") for ch in part), relative


@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize("version", [1, 3])
def test_text_path_from_any_url_stays_inside(tmp_path: Path, url: str, version: int) -> None:
    layout = Layout(tmp_path)
    path = layout.text_path(url, 2022, version)
    assert_safe(tmp_path, path)
    assert path.is_relative_to(layout.posts_dir)


def test_credentials_in_a_url_never_reach_a_file_name(tmp_path: Path) -> None:
    path = Layout(tmp_path).text_path("http://user:s3cret@evil.org/post/", 2022)
    assert "s3cret" not in str(path) and "user" not in str(path.relative_to(tmp_path))


@pytest.mark.parametrize("text", ["CON", "con.txt", "Nul", "com¹", "LPT1 ", "..", "/", "\x00",
                                  "a" * 1000, "日本語", "-.-", " "])
def test_safe_component(text: str) -> None:
    part = safe_component(text)
    assert part == "" or (len(part) <= 61 and part.split(".")[0] not in WINDOWS_RESERVED)
    assert "/" not in part and "\x00" not in part and ".." not in part


def test_slug_is_short_for_a_long_url() -> None:
    assert len(slug_for("http://b.org/" + "word-" * 500)) <= 60


@pytest.mark.parametrize("relative", ["../outside.txt", "/etc/passwd", "posts/../../x",
                                      "posts/\x00/x", "posts/" + "../" * 20 + "etc"])
def test_resolve_refuses_every_escape(tmp_path: Path, relative: str) -> None:
    with pytest.raises(ValueError):
        Layout(tmp_path).resolve(relative)


def test_resolve_refuses_a_symlink_out(tmp_path: Path) -> None:
    root, outside = tmp_path / "archive", tmp_path / "outside"
    (root / "posts").mkdir(parents=True)
    outside.mkdir()
    (root / "posts" / "link").symlink_to(outside)
    with pytest.raises(ValueError):
        Layout(root).resolve("posts/link/secret.txt")


def meta(title: str) -> dict[str, Any]:
    return {"title": title, "author": "a/../../b", "published": "2022-01-12T09:00:00+00:00",
            "text": "Body.", "categories": ["../../etc"], "tags": ["\x00"], "comments": []}


@pytest.mark.parametrize("title", ["T" * 1000, "../../../etc/passwd", "CON", "a\x00b",
                                   "C:\\Windows\\win.ini", "日本語 " * 300])
def test_titles_never_become_paths(tmp_path: Path, title: str) -> None:
    layout = Layout(tmp_path)
    catalog = Catalog(layout.catalog_path)
    location = WarcLocation("x.warc.gz", 0, 10, "<urn:uuid:1>")
    saved = PostStore(layout, catalog).save(
        "http://evil.org/../a-post/", "http://evil.org/a-post/", datetime.now(UTC),
        Extraction.from_dict(meta(title)),
        location)
    assert saved is not None
    for path in (saved.text_path, saved.meta_path):
        assert_safe(tmp_path, path)
        assert path.is_file()
    assert title.replace("\x00", "")[:50] in saved.text_path.read_text() or "\x00" in title
    catalog.close()


def test_write_atomic_never_leaves_half_a_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "posts" / "a.txt"
    write_atomic(target, b"old and complete")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        write_atomic(target, b"new" * 100_000)
    assert target.read_bytes() == b"old and complete"  # readers see the old file, whole
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]  # no temporary left


def test_recovery_removes_temporaries_a_kill_left(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    stale = layout.posts_dir / "site" / "2022" / ".a-post-1234567890.txt.4242.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a fi")
    kept = stale.with_name("a-post-1234567890.txt")
    kept.write_bytes(b"whole")
    report = recover(layout)
    assert report.temporaries == 1 and not stale.exists() and kept.read_bytes() == b"whole"
