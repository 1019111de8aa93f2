"""Save real generator output as fixture pages: ``python -m tests.generators.snapshots_node``.

For each engine and theme of ``tests/generators/{pelican,hexo,eleventy}.py``: one post page, the
About page, one tag page and one paginated listing page, under
``tests/fixtures/engines/<engine>-<theme>/`` (``post.html``, ``about.html``, ``tag.html``,
``listing.html``), with ``pages.json`` naming each page's URL. The sites are built for
``http://127.0.0.1:8000/`` so the absolute URLs in the pages are stable from one run to the next.
Other tests read them as what these generators really write (post detection, metadata, bodies).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
