"""Snapshots of real generator output for page-level tests: ``tests/fixtures/engines/<engine>-<theme>/``.

For each engine and theme: one post page, the About page, one tag page and one paginated listing,
exactly as the generator wrote them for the site address ``BASE`` (a reserved ``.example`` name that
never resolves), and ``index.json`` naming each file's kind, URL and whether it is a post, with the
generator's version and where the theme comes from. Regenerate after a generator or theme change::

    python -m tests.generators.snapshots
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from tests.generators import hugo, jekyll
from tests.generators.site import Engine, built_file

BASE = "http://harbour.example/"
ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "engines"
ENGINES = (*hugo.ENGINES, *jekyll.ENGINES)


def index_path(engine: Engine) -> Path:
    return ROOT / engine.name / "index.json"


def write(engine: Engine, work: Path) -> dict[str, object]:
    """Build the blog for ``BASE`` and copy the sample pages; returns the index written."""
    output = work / "public"
    version = engine.build(work / "source", output, BASE)
    folder = ROOT / engine.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pages = []
    for kind, path in engine.samples.items():
        shutil.copyfile(built_file(output, path), folder / f"{kind}.html")
        pages.append({"kind": kind, "file": f"{kind}.html", "url": BASE.rstrip("/") + path,
                      "is_post": kind == "post"})
    index: dict[str, object] = {"engine": engine.name, "generator": version, "origin": engine.origin,
             "exposes": engine.exposes.note, "base_url": BASE, "pages": pages}
    index_path(engine).write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n")
    return index


def main() -> int:
    for engine in ENGINES:
        with tempfile.TemporaryDirectory(prefix=f"snapshot-{engine.name}-") as work:
            index = write(engine, Path(work))
        print(f"{engine.name}: {', '.join(p['file'] for p in index['pages'])}")  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
