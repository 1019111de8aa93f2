"""Revisits replay in pywb as the original: status and exact payload bytes at the later timestamp.

Two kinds are checked in one collection: a post that answered 304 on a repeat crawl of a fixture
blog (a ``server-not-modified`` revisit with an empty block), and page requisites stored as
revisits by ``tests/test_requisite_revisits.py``'s two crawls: a 304 stylesheet, and an image whose
only capture is an ``identical-payload-digest`` revisit of *another* URL (pywb must follow
``WARC-Refers-To-Target-URI`` / ``-Date`` to a different URL's record). ``Memento-Datetime`` must be
the revisit's own date, so the answer is the revisit resolved, not the nearest full capture.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.layout import Layout
from tests.conftest import BIN, run_crawl
from tests.fixtures.server import FixtureServer
from tests.test_replay_tools import fetch, free_port, wait_for
from tests.test_requisite_revisits import (  # noqa: F401  (fixtures used by name)
    CSS,
    NOT_MODIFIED,
    SAME,
    TwoCrawls,
    site,
    two_crawls,
)

pytestmark = [pytest.mark.e2e, pytest.mark.tools]
BLOG = "wpcom"  # six posts: the smallest well-formed fixture blog


@dataclass(frozen=True)
class Stored:
    type: str
    url: str
    date: str
    profile: str
    refers_to: str
    payload: bytes  # as stored: still content-encoded
    http_status: str | None


def stored(paths: list[Path]) -> list[Stored]:
    out = []
    for path in paths:
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type not in ("response", "revisit"):
                    continue
                head = record.rec_headers
                out.append(Stored(
                    record.rec_type, head.get_header("WARC-Target-URI"),
                    head.get_header("WARC-Date"), head.get_header("WARC-Profile") or "",
                    head.get_header("WARC-Refers-To") or "", record.raw_stream.read(),
                    record.http_headers.get_statuscode() if record.http_headers else None))
    return out


def warcs(archive: Path) -> list[Path]:
    return sorted(Layout(archive).warc_dir.glob("*.warc.gz"))


@dataclass
class PostRecrawl:
    first: list[Path]
    second: list[Path]


@pytest.fixture(scope="module")
def post_recrawl(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> PostRecrawl:
    archive = tmp_path_factory.mktemp("posts")
    assert run_crawl(server, archive, [BLOG]).returncode == 0
    first = warcs(archive)
    assert run_crawl(server, archive, [BLOG], "-a", "revalidate=1").returncode == 0  # 304s
    return PostRecrawl(first, [p for p in warcs(archive) if p not in first])


@pytest.fixture(scope="module")
def pywb(post_recrawl: PostRecrawl, two_crawls: TwoCrawls,  # noqa: F811
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pywb-revisits")
    paths = [str(p) for p in [*post_recrawl.first, *post_recrawl.second,
                              *warcs(two_crawls.archive)]]
    subprocess.run([str(BIN / "wb-manager"), "init", "c"], cwd=root, check=True,
                   capture_output=True)
    subprocess.run([str(BIN / "wb-manager"), "add", "c", *paths], cwd=root, check=True,
                   capture_output=True)
    port = free_port()
    process = subprocess.Popen([str(BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
                               cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}/c"
    finally:
        process.terminate()
        process.wait(timeout=10)


def timestamp(warc_date: str) -> str:
    return "".join(ch for ch in warc_date if ch.isdigit())[:14]


def replay_at(pywb: str, revisit: Stored) -> tuple[int, dict[str, Any], bytes]:
    """id_ replay at the revisit's own timestamp; checks pywb answered with that memento."""
    status, headers, body = fetch(f"{pywb}/{timestamp(revisit.date)}id_/{revisit.url}")
    memento = dict(headers).get("Memento-Datetime", "")
    assert memento, headers
    assert parsedate_to_datetime(memento).strftime("%Y%m%d%H%M%S") == timestamp(revisit.date)
    return status, dict(headers), body


def test_post_answered_304_replays_as_the_original(post_recrawl: PostRecrawl, pywb: str) -> None:
    revisits = [r for r in stored(post_recrawl.second)
                if r.type == "revisit" and r.profile == NOT_MODIFIED]
    assert revisits, "the repeat crawl stored no 304 revisit"
    originals = {r.url: r for r in stored(post_recrawl.first) if r.type == "response"}
    for revisit in revisits[:3]:
        original = originals[revisit.url]
        status, _, body = replay_at(pywb, revisit)
        assert status == int(original.http_status or 0) == 200
        assert body == original.payload


def test_requisite_revisits_replay_with_the_original_bytes(two_crawls: TwoCrawls,  # noqa: F811
                                                           pywb: str) -> None:
    first = stored(warcs(two_crawls.archive))
    revisits = [r for r in first if r.type == "revisit"]
    copy = next(r for r in revisits if r.url.endswith("/b.gif"))  # only ever a revisit of a.gif
    css = next(r for r in revisits if r.url.endswith("/style.css"))  # a 304 in crawl two
    assert css.profile == NOT_MODIFIED
    for revisit, payload, kind in ((copy, SAME, "image/gif"), (css, CSS, "text/css")):
        status, headers, body = replay_at(pywb, revisit)
        assert status == 200
        assert body == payload
        assert headers.get("Content-Type", "").startswith(kind)
