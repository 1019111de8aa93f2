"""WACZ export: the WARCs packaged for ReplayWeb.page and pywb, with a CDXJ index and pages list.

Built with the ``wacz`` package (webrecorder's reference implementation) through its Python entry
point, which writes the zip, the sorted compressed CDXJ index and ``datapackage.json`` digests.
The pages list is not guessed from HTML responses (``--detect-pages`` would list feeds and archive
pages too): it is the archive's posts, each at its latest capture, with its title.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import warnings
from pathlib import Path

from archive.catalog import Catalog
from archive.catalog.selection import PostFilter, selected
from archive.layout import Layout
from archive.warc.files import warc_files
from archive.when import iso_date


class WaczError(RuntimeError):
    """The wacz tool refused to build the package; the message carries its output."""


def pages_jsonl(catalog: Catalog, post_filter: PostFilter) -> str:
    """The WACZ pages list: a header line, then one line per post capture; a post the blog
    removed says so in its title (the one field every replay tool shows)."""
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Archived posts"})]
    for row in selected(catalog, post_filter):
        captured = iso_date(row["captured_at"])
        title = (row["title"] or row["url"]) + (
            f" [deleted: seen gone {row['deleted_at'][:10]}]" if row["deleted_at"] else "")
        lines.append(json.dumps({"url": row["fetched_url"], "title": title,
                                 "ts": captured.strftime("%Y-%m-%dT%H:%M:%SZ")},
                                ensure_ascii=False))
    return "\n".join(lines) + "\n"


def export_wacz(layout: Layout, catalog: Catalog, post_filter: PostFilter, target: Path,
                title: str | None = None) -> int:
    """Write ``target`` (a .wacz) holding every WARC; returns the number of pages listed."""
    files = [str(path) for path in warc_files(layout, include_open=False)]
    if not files:
        raise WaczError(f"no finished WARC files in {layout.warc_dir}")
    pages = pages_jsonl(catalog, post_filter)
    with tempfile.TemporaryDirectory() as work:
        pages_path = Path(work) / "pages.jsonl"
        pages_path.write_text(pages, encoding="utf-8")
        temporary = target.with_name(f".{target.name}.tmp.wacz")
        args = ["create", "-o", str(temporary), "-p", str(pages_path),
                "--title", title or "Blog archive", *files]
        code, output = _run_wacz(args)
        if code != 0 or not temporary.exists():
            temporary.unlink(missing_ok=True)
            raise WaczError(f"wacz create failed: {output.strip()[-500:]}")
        temporary.replace(target)
    return len(pages.splitlines()) - 1


def validate_wacz(path: Path) -> tuple[bool, str]:
    """Run the wacz package's own validator; (passed, its output)."""
    code, output = _run_wacz(["validate", "-f", str(path)])
    return code == 0, output


def _run_wacz(args: list[str]) -> tuple[int, str]:
    """The wacz entry point, its chatter captured instead of printed (it writes to stdout)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from wacz.main import main as wacz_main
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        code = wacz_main(args)
    return int(code or 0), captured.getvalue()
