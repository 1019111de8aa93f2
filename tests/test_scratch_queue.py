"""The scratch request queue (``$TMPDIR/blogarchive-queue-*``): a full TMPDIR stops the crawl
cleanly, and folders left by killed crawls are removed by the next one.

Before: a full TMPDIR made the queue write a truncated pickle, the engine's scheduling callback
died on it and the crawl hung for ever holding the archive lock; killed crawls' folders stayed.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from pathlib import Path

import pytest

from archive.layout import Layout
from archive.lock import ArchiveLock
from tests.conftest import BIN, FAST, ROOT, run_cli
from tests.fixtures.endless import EndlessSite
from tests.test_full_disk import fill, small_disk  # noqa: F401 - the tmpfs fixture

pytestmark = pytest.mark.e2e


def crawl(site: EndlessSite, archive: Path, tmpdir: Path, *settings: str,
          timeout: float = 120) -> subprocess.CompletedProcess[str]:
    extra = [arg for setting in settings for arg in ("-s", setting)]
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={site.url}",
               "-s", f"ARCHIVE_DIR={archive}", *FAST, *extra]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmpdir)}
    try:
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              env=env, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the crawl hung: still running after {timeout:.0f} s")


def test_full_tmpdir_stops_the_crawl_cleanly(small_disk: Path, tmp_path: Path) -> None:  # noqa: F811
    archive = tmp_path / "archive"
    fill(small_disk, leave=48_000)
    with EndlessSite("sitemaps") as site:
        run = crawl(site, archive, small_disk, "EXTRACT_ENABLED=False")
    log = run.stdout + run.stderr
    assert run.returncode != 0
    errors = [line for line in log.splitlines() if "Disk full" in line]
    assert len(errors) == 1, errors
    assert f"the request queue in {small_disk}/blogarchive-queue-" in errors[0], errors
    assert "Closing spider (disk_full)" in log
    assert "Traceback" not in log, log[-3000:]
    assert not list(small_disk.glob("blogarchive-queue-*")), "the scratch queue is removed"
    lock = ArchiveLock(Layout(archive).lock_path)
    lock.acquire()  # released: the next scheduled run may start
    lock.release()
    verify = run_cli("verify", archive=archive)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def scratch(tmpdir: Path, name: str, owner: bool = True, age: float = 0.0) -> Path:
    folder = tmpdir / f"blogarchive-queue-{name}"
    (folder / "p0").mkdir(parents=True)
    (folder / "p0" / "q00000").write_bytes(b"\0" * 1000)
    if owner:
        (folder / "owner.lock").write_text("")
    if age:
        stamp = time.time() - age
        for path in [*folder.rglob("*"), folder]:
            os.utime(path, (stamp, stamp))
    return folder


def test_killed_crawls_scratch_queues_are_removed(tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    dead = scratch(tmpdir, "dead")
    live = scratch(tmpdir, "live")
    old_unowned = scratch(tmpdir, "old", owner=False, age=2 * 3600)
    new_unowned = scratch(tmpdir, "new", owner=False)
    with open(live / "owner.lock", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a crawl running now holds it
        with EndlessSite("rest") as site:
            run = crawl(site, tmp_path / "archive", tmpdir, "DISCOVERY_MAX_REST_PAGES=2")
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    left = sorted(p.name for p in tmpdir.glob("blogarchive-queue-*"))
    assert left == sorted([live.name, new_unowned.name])
    assert not dead.exists() and not old_unowned.exists()
    assert "Removed 2 request queue folder(s)" in run.stdout + run.stderr


def test_restart_on_a_still_full_archive_says_so(small_disk: Path, tmp_path: Path) -> None:  # noqa: F811
    """The second run, ARCHIVE_DIR still full: one line naming it, not a traceback from the lock
    file; once there is room again the next run works (the lock was not left behind)."""
    archive = small_disk / "archive"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    with EndlessSite("rest") as site:
        first = crawl(site, archive, tmpdir, "DISCOVERY_MAX_REST_PAGES=2", "EXTRACT_ENABLED=False")
        assert first.returncode == 0, (first.stdout + first.stderr)[-3000:]
        ballast = fill(small_disk, leave=0)
        again = crawl(site, archive, tmpdir, "DISCOVERY_MAX_REST_PAGES=2")
        log = again.stdout + again.stderr
        assert again.returncode != 0
        assert "Traceback" not in log, log[-3000:]
        errors = [line for line in log.splitlines() if "full" in line]
        assert len(errors) == 1 and f"ARCHIVE_DIR={archive}" in errors[0], log[-3000:]
        ballast.unlink()
        third = crawl(site, archive, tmpdir, "DISCOVERY_MAX_REST_PAGES=2")
    assert third.returncode == 0, (third.stdout + third.stderr)[-3000:]
