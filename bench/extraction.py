"""Our ``extract_post`` against plain trafilatura, on the fixture pages with a known-correct body and
on the real-pages corpus (``realpages.py``: real article pages from public parser test suites, per
group, the requirements of issue 18).

Run from the project root: ``python bench/extraction.py`` (table, ratios, the targets of issues #3
and #17), ``python -m bench.extraction --repeat 20 --show-leaks --show-missed``,
``... --json --pages 'tests/*/pages/w*.html'``, ``--corpus real`` (or ``fixtures``; both by default).

Text quality is scored as scrapinghub/article-extraction-benchmark does it (``evaluate.py``:
``_tokenize``, ``string_shingle_matching``, ``metrics_from_tp_fp_fns``), so numbers read like that
published benchmark's. Structure recall (issue #17) is the share of the post's headings, list items,
quotes, links, images, table cells, emphasis, code, captions and embeds found in the extractor's
Markdown (``structure.py``; the post's structure is read from the page where its expected text says
it belongs, ``expected_structure.py``). Three extractors: ours (text and Markdown from one call),
plain trafilatura (default options; its text is read as Markdown, which is what it gives a user), and
trafilatura asked for Markdown with formatting, links, images and tables, as ours runs it (its text
for F1 is the Markdown's rendered text). Timing is reported, never asserted by tests: it depends on
the machine.
"""

from __future__ import annotations

import argparse
import glob
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import lxml.html
import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # ``python bench/extraction.py``

from archive.extract import extract_post
from bench import realpages
from bench.expected_structure import expected_items
from bench.extraction_report import header, leak_lines, missed_lines, real_lines, table, verdict
from bench.scoring import match, prf, summarise
from bench.structure import Item, Recall, markdown_items, recall, rendered_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = "tests/fixtures/pages/*.html"
MS_TARGET = 1.5
STRUCTURE_TARGET = 0.99
NAIVE = ("plain trafilatura: trafilatura.extract(html, url=url), default options, bytes decoded naively as "
         "html.decode(http_charset or 'utf-8', errors='replace'); trafilatura-md: the same with "
         "output_format='markdown', include_formatting, include_links, include_images, include_tables")

# Chrome found as a substring anywhere (English, German, French, Spanish WordPress and WordPress.com).
CHROME_PHRASES = (
    "Leave a Reply", "Leave a comment", "Fill in your details below or click an icon to log in",
    "You are commenting using your", "Connecting to %s", "Notify me of new comments via email",
    "Notify me of new posts via email", "This site uses Akismet to reduce spam",
    "Learn how your comment data is processed", "Your email address will not be published",
    "Save my name, email, and website", "Post Comment", "Cancel reply", "Share this:", "Like this:",
    "Like Loading", "Comments are closed", "Post navigation", "Blog at WordPress.com", "Advertisements",
    "Privacy & Cookies", "Report this content", "Proudly powered by WordPress",
    "Schreibe einen Kommentar", "Trage deine Daten unten ein", "Du kommentierst mit deinem",
    "Benachrichtige mich", "Teilen mit:", "Gefällt mir", "Ähnliche Beiträge", "Verbinde mit %s",
    "Laisser un commentaire", "Entrez vos coordonnées ci-dessous", "Vous commentez à l\u2019aide de votre",
    "M\u2019envoyer une notification", "Partager :", "Articles similaires", "Connexion à %s",
    "Deja una respuesta", "Introduce tus datos o haz clic en un icono", "Estás comentando usando tu",
    "Compartir esto:", "Me gusta esto:", "Los comentarios están cerrados", "Este sitio web utiliza cookies",
)
# Chrome that is an ordinary word inside prose, so it counts only as a whole line of its own.
CHROME_LINES = ("Related", "Relacionado", "Reply", "Antworten", "Répondre", "Responder", "Like",
                "J\u2019aime", "Subscribe", "Twitter", "Facebook")


@dataclass(frozen=True)
class Page:
    """One fixture page and the truth from its ``NAME.expected.json`` sidecar."""

    name: str
    html: bytes
    url: str
    charset: str | None
    captured_at: datetime | None
    text: str
    quoted: tuple[str, ...]
    structure: tuple[Item, ...]


class Output(NamedTuple):
    """What one extractor gives for a page: text (scored for F1 and leaks) and Markdown (structure)."""

    text: str
    markdown: str


def ours(page: Page) -> Output:
    """Our pipeline as the crawler calls it: bytes plus the HTTP charset and capture time."""
    post = extract_post(page.html, page.url, encoding=page.charset, captured_at=page.captured_at)
    return Output(post.text, post.markdown)


def _decoded(page: Page) -> str:
    """A decoding guess is part of the baseline: what a user without our rules would do."""
    return page.html.decode(page.charset or "utf-8", errors="replace")


def plain_trafilatura(page: Page) -> Output:
    """What a user without our rules gets; its text is all the structure it offers."""
    text = trafilatura.extract(_decoded(page), url=page.url) or ""
    return Output(text, text)


def trafilatura_markdown(page: Page) -> Output:
    """trafilatura's own Markdown, with the structure options ours runs with."""
    markdown = trafilatura.extract(_decoded(page), url=page.url, output_format="markdown",
                                   include_formatting=True, include_links=True, include_images=True,
                                   include_tables=True) or ""
    return Output(rendered_text(markdown), markdown)


EXTRACTORS: dict[str, Callable[[Page], Output]] = {
    "ours": ours, "trafilatura": plain_trafilatura, "trafilatura-md": trafilatura_markdown}


def load_pages(pattern: str) -> tuple[list[Page], list[str]]:
    """Pages with a body to score, and the names skipped (listing pages, or no sidecar)."""
    pages, skipped = [], []
    for path in sorted(Path(p) for p in glob.glob(str(ROOT / pattern)) if p.endswith(".html")):
        sidecar = path.with_name(path.name.removesuffix(".html") + ".expected.json")
        data = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
        if data.get("text") is None:
            skipped.append(path.stem)
            continue
        captured = data.get("captured_at")
        raw = path.read_bytes()
        root = lxml.html.fromstring(raw.decode(data.get("http_charset") or "utf-8", errors="replace"))
        pages.append(Page(path.stem, raw, data["url"], data.get("http_charset"),
                          datetime.fromisoformat(captured) if captured else None, data["text"],
                          tuple(data.get("quoted_chrome", ())),
                          tuple(expected_items(root, data["url"], data["text"]))))
    return pages, skipped


def leaks(text: str, quoted: Sequence[str]) -> list[str]:
    """Chrome phrases in ``text`` that the page does not legitimately quote."""
    lines = {line.strip() for line in text.splitlines()}
    found = [p for p in CHROME_PHRASES if p in text] + [p for p in CHROME_LINES if p in lines]
    return [p for p in found if not any(p in q for q in quoted)]


def time_pages(pages: Sequence[Page], repeat: int) -> dict[str, list[float]]:
    """Milliseconds per call; extractors alternate page by page so machine drift hits both alike."""
    samples: dict[str, list[float]] = {name: [] for name in EXTRACTORS}
    for _ in range(repeat):
        for page in pages:
            for name, extractor in EXTRACTORS.items():
                start = time.perf_counter()
                extractor(page)
                samples[name].append((time.perf_counter() - start) * 1000)
    return samples


def structure(pages: Sequence[Page], outputs: Sequence[Output]) -> dict[str, Any]:
    """Structure recall over the corpus: per kind, all kinds together, and what was missed."""
    total = Recall()
    missed: dict[str, list[list[str]]] = {}
    for page, output in zip(pages, outputs, strict=True):
        found = recall(page.structure, markdown_items(output.markdown, page.url))
        total.add(found)
        for kind, items in found.missed.items():
            missed.setdefault(page.name, []).extend([kind, *item.key] for item in items)
    return {"structure": total.table(), "structure_recall": total.share() or 0.0,
            "structure_missed": missed}


def score(pages: Sequence[Page], outputs: Sequence[Output], ms: Sequence[float], n: int) -> dict[str, Any]:
    """Every number of one extractor over the corpus."""
    texts = [output.text for output in outputs]
    counts = [match(page.text, text, n) for page, text in zip(pages, texts, strict=True)]
    leaked = {page.name: found for page, text in zip(pages, texts, strict=True)
              if (found := leaks(text, page.quoted))}
    per_page = {page.name: round(prf(c)[2], 4) for page, c in zip(pages, counts, strict=True)}
    return {"pages": len(pages), **summarise(counts), "leak_pages": len(leaked),
            "leak_share": len(leaked) / len(pages) if pages else 0.0, "leaks": leaked,
            "ms_median": statistics.median(ms) if ms else 0.0, "ms_mean": statistics.fmean(ms) if ms else 0.0,
            "page_f1": per_page, **structure(pages, outputs)}


def targets(ours_: dict[str, Any], base: dict[str, Any], ratio: dict[str, float]) -> list[dict[str, Any]]:
    """The three targets of issue #3 and structure recall (#17); time uses the mean, i.e. throughput
    over the corpus."""
    return [
        {"target": "no page leaks chrome (ours)", "passed": ours_["leak_pages"] == 0,
         "detail": f"{ours_['leak_pages']} of {ours_['pages']} pages leak"},
        {"target": "F1 above plain trafilatura's", "passed": ours_["f1"] > base["f1"],
         "detail": f"{ours_['f1']:.3f} vs {base['f1']:.3f}"},
        {"target": f"ms per page within {MS_TARGET}x of plain trafilatura's",
         "passed": ratio["ms_mean"] <= MS_TARGET, "detail": f"{ratio['ms_mean']:.2f}x (mean ms per page)"},
        {"target": f"structure recall at least {STRUCTURE_TARGET:.0%} (ours)",
         "passed": ours_["structure_recall"] >= STRUCTURE_TARGET,
         "detail": f"{ours_['structure_recall']:.3f} vs {base['structure_recall']:.3f} (plain trafilatura)"},
    ]


def run(pattern: str, repeat: int, n: int) -> dict[str, Any]:
    """Warm up (which also collects the texts), time, score; one JSON-ready result."""
    pages, skipped = load_pages(pattern)
    outputs = {name: [extractor(page) for page in pages] for name, extractor in EXTRACTORS.items()}
    ms = time_pages(pages, repeat)
    res = {name: score(pages, outputs[name], ms[name], n) for name in EXTRACTORS}
    ratio = {k: res["ours"][k] / (res["trafilatura"][k] or 1e-9) for k in ("f1", "ms_mean", "ms_median")}
    ratio |= {f"{k}_md": res["ours"][k] / (res["trafilatura-md"][k] or 1e-9)
              for k in ("ms_mean", "ms_median")}
    return {"pages": pattern, "scored": len(pages), "skipped": skipped, "repeat": repeat, "ngram": n,
            "baseline": NAIVE, "extractors": res, "ratios": ratio,
            "targets": targets(res["ours"], res["trafilatura"], ratio)}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--corpus", choices=("both", "fixtures", "real"), default="both",
                        help="the fixture pages, the real-pages corpus (realpages.py), or both")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes after the warm-up (fixtures)")
    parser.add_argument("--pages", default=DEFAULT_PAGES, help="glob of .html pages, relative to the root")
    parser.add_argument("--realpages", type=Path, default=None,
                        help="the real-pages corpus folder (default: realpages.corpus_dir())")
    parser.add_argument("--real-limit", type=int, default=0,
                        help="only the first N real pages of each group (0: all)")
    parser.add_argument("--ngram", type=int, default=4, help="shingle length (upstream 4; 1 = bag of tokens)")
    parser.add_argument("--json", action="store_true", help="print the machine-readable result")
    parser.add_argument("--show-leaks", action="store_true", help="list the chrome each page leaked")
    parser.add_argument("--show-missed", action="store_true", help="list the structure each page lost")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command line; the exit status reflects the targets only with ``--strict``. The fixture
    corpus's result is the top level of ``--json``; the real pages' is under ``"real"``."""
    args = _parser().parse_args(argv)
    result: dict[str, Any] = {}
    lines: list[str] = []
    if args.corpus != "real":
        result = run(args.pages, max(args.repeat, 1), max(args.ngram, 1))
        lines += [*header(result), "", *table(result), "", *verdict(result),
                  *(leak_lines(result) if args.show_leaks else []),
                  *(missed_lines(result) if args.show_missed else [])]
    if args.corpus != "fixtures":
        result["real"] = realpages.run(args.realpages, max(args.ngram, 1), max(args.real_limit, 0))
        lines += ["", *real_lines(result["real"])]
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else "\n".join(lines).strip("\n"))
    checked = [*result.get("targets", []), *result.get("real", {}).get("targets", [])]
    return 1 if args.strict and not all(t["passed"] for t in checked) else 0


if __name__ == "__main__":
    sys.exit(main())
