<<<<<<< HEAD
"""Save real generator output as fixture pages: ``python -m tests.generators.snapshots``.

For each engine and theme of ``tests/generators/{pelican,hexo,eleventy}.py``: one post page, the
About page, one tag page and one paginated listing page, under
``tests/fixtures/engines/<engine>-<theme>/`` (``post.html``, ``about.html``, ``tag.html``,
``listing.html``), with ``pages.json`` naming each page's URL. The sites are built for
``http://127.0.0.1:8000/`` so the absolute URLs in the pages are stable from one run to the next.
Other tests read them as what these generators really write (post detection, metadata, bodies).
=======
"""Snapshots of real generator output for page-level tests: ``tests/fixtures/engines/<engine>-<theme>/``.

For each engine and theme: one post page, the About page, one tag page and one paginated listing,
exactly as the generator wrote them for the site address ``BASE`` (a reserved ``.example`` name that
never resolves), and ``index.json`` naming each file's kind, URL and whether it is a post, with the
generator's version and where the theme comes from. Regenerate after a generator or theme change::

    python -m tests.generators.snapshots
>>>>>>> i18-r2gen
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

<<<<<<< HEAD
from tests.conftest import ROOT
from tests.generators.content import LONG, Post, expected_text
from tests.generators.eleventy import adapters as eleventy_adapters
from tests.generators.hexo import adapters as hexo_adapters
from tests.generators.pelican import adapters as pelican_adapters
from tests.generators.site_node import Adapter, build, page_file

FIXTURES = ROOT / "tests" / "fixtures" / "engines"
PORT = 8000


def shown(adapter: Adapter, post: Post) -> dict[str, object]:
    """The snapshot post's truth as its page shows it (``exposes`` says how much of the date)."""
    return {"title": post.title, "source_date": post.date.isoformat(),
            "shown_day": adapter.shown_day(post).isoformat(), "author": adapter.shown_author(post),
            "categories": list(adapter.shown_categories(post)), "tags": list(adapter.shown_tags(post)),
            "text": expected_text(post)}


def main() -> int:
    for adapter in [*pelican_adapters(), *hexo_adapters(), *eleventy_adapters()]:
        with tempfile.TemporaryDirectory() as scratch:
            built = build(adapter, Path(scratch), PORT)
            target = FIXTURES / adapter.key
            target.mkdir(parents=True, exist_ok=True)
            pages = {}
            for name, path in adapter.snapshot_paths.items():
                shutil.copyfile(page_file(built.out, path), target / f"{name}.html")
                pages[name] = built.base_url + path.lstrip("/")
            about = {"generator": adapter.engine, "theme": adapter.theme, "pages": pages,
                     "post_page_exposes": adapter.exposes.__dict__, "post": shown(adapter, LONG)}
            (target / "pages.json").write_text(json.dumps(about, indent=1, ensure_ascii=False) + "\n")
            print(f"{target.relative_to(ROOT)}: {', '.join(sorted(pages))} ({built.seconds}s)")
=======
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
>>>>>>> i18-r2gen
    return 0


if __name__ == "__main__":
    sys.exit(main())
