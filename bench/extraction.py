"""Our ``extract_post`` against plain trafilatura, on the fixture pages with a known-correct body.

Run from the project root: ``python bench/extraction.py`` (table, ratios, the three targets of issue #3),
``python -m bench.extraction --repeat 20 --show-leaks``, ``... --json --pages 'tests/*/pages/w*.html'``.

Quality is scored as scrapinghub/article-extraction-benchmark does it (``evaluate.py``: ``_tokenize``,
``string_shingle_matching``, ``metrics_from_tp_fp_fns``), so numbers read like that published benchmark's.
Timing is reported, never asserted by tests: it depends on the machine.
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura

from archive.extract import extract_post

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = "tests/fixtures/pages/*.html"
MS_TARGET = 1.5
NAIVE = ("plain trafilatura: trafilatura.extract(html, url=url), default options, bytes decoded naively as "
         "html.decode(http_charset or 'utf-8', errors='replace')")

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


Counts = tuple[float, float, float]  # shingle true positives, false positives, false negatives of a page


def ours(page: Page) -> str:
    """Our pipeline as the crawler calls it: bytes plus the HTTP charset and capture time."""
    return extract_post(page.html, page.url, encoding=page.charset, captured_at=page.captured_at).text


def plain_trafilatura(page: Page) -> str:
    """What a user without our rules would get; a decoding guess is part of that baseline."""
    html = page.html.decode(page.charset or "utf-8", errors="replace")
    return trafilatura.extract(html, url=page.url) or ""


EXTRACTORS: dict[str, Callable[[Page], str]] = {"ours": ours, "trafilatura": plain_trafilatura}


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
        pages.append(Page(path.stem, path.read_bytes(), data["url"], data.get("http_charset"),
                          datetime.fromisoformat(captured) if captured else None, data["text"],
                          tuple(data.get("quoted_chrome", ()))))
    return pages, skipped


def shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    """Multiset of ``n``-token shingles; ``\\w+`` tokens, one short shingle for texts under n tokens."""
    tokens = re.findall(r"\w+", text)
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def match(true: str, pred: str, n: int) -> Counts:
    """Multiset overlap of shingles, as upstream ``string_shingle_matching``."""
    t, p = shingles(true, n), shingles(pred, n)
    return sum((t & p).values()), sum((p - t).values()), sum((t - p).values())


def prf(c: Counts) -> tuple[float, float, float]:
    """Upstream ``precision_score`` and ``recall_score`` (two empty texts agree perfectly), and F1."""
    tp, fp, fn = c
    p = 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))
    r = 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def summarise(counts: Sequence[Counts]) -> dict[str, float]:
    """Page means as upstream ``metrics_from_tp_fp_fns`` (F1 of the means), plus micro averages."""
    ps = [prf(c)[0] for c in counts if c[0] + c[1] > 0]  # an empty prediction has no precision
    rs = [prf(c)[1] for c in counts if c[0] + c[2] > 0]
    p, r = (statistics.mean(ps) if ps else 0.0), (statistics.mean(rs) if rs else 0.0)
    micro = prf((sum(c[0] for c in counts), sum(c[1] for c in counts), sum(c[2] for c in counts)))
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "micro_precision": micro[0], "micro_recall": micro[1], "micro_f1": micro[2]}


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


def score(pages: Sequence[Page], texts: Sequence[str], ms: Sequence[float], n: int) -> dict[str, Any]:
    """Every number of one extractor over the corpus."""
    counts = [match(page.text, text, n) for page, text in zip(pages, texts, strict=True)]
    leaked = {page.name: found for page, text in zip(pages, texts, strict=True)
              if (found := leaks(text, page.quoted))}
    per_page = {page.name: round(prf(c)[2], 4) for page, c in zip(pages, counts, strict=True)}
    return {"pages": len(pages), **summarise(counts), "leak_pages": len(leaked),
            "leak_share": len(leaked) / len(pages) if pages else 0.0, "leaks": leaked,
            "ms_median": statistics.median(ms) if ms else 0.0, "ms_mean": statistics.fmean(ms) if ms else 0.0,
            "page_f1": per_page}


def targets(ours_: dict[str, Any], base: dict[str, Any], ratio: dict[str, float]) -> list[dict[str, Any]]:
    """The three targets of issue #3; time uses the mean, i.e. throughput over the corpus."""
    return [
        {"target": "no page leaks chrome (ours)", "passed": ours_["leak_pages"] == 0,
         "detail": f"{ours_['leak_pages']} of {ours_['pages']} pages leak"},
        {"target": "F1 above plain trafilatura's", "passed": ours_["f1"] > base["f1"],
         "detail": f"{ours_['f1']:.3f} vs {base['f1']:.3f}"},
        {"target": f"ms per page within {MS_TARGET}x of plain trafilatura's",
         "passed": ratio["ms_mean"] <= MS_TARGET, "detail": f"{ratio['ms_mean']:.2f}x (mean ms per page)"},
    ]


def run(pattern: str, repeat: int, n: int) -> dict[str, Any]:
    """Warm up (which also collects the texts), time, score; one JSON-ready result."""
    pages, skipped = load_pages(pattern)
    texts = {name: [extractor(page) for page in pages] for name, extractor in EXTRACTORS.items()}
    ms = time_pages(pages, repeat)
    res = {name: score(pages, texts[name], ms[name], n) for name in EXTRACTORS}
    ratio = {k: res["ours"][k] / (res["trafilatura"][k] or 1e-9) for k in ("f1", "ms_mean", "ms_median")}
    return {"pages": pattern, "scored": len(pages), "skipped": skipped, "repeat": repeat, "ngram": n,
            "baseline": NAIVE, "extractors": res, "ratios": ratio,
            "targets": targets(res["ours"], res["trafilatura"], ratio)}


ROWS = (("precision (page mean)", "precision", "{:.3f}"), ("recall (page mean)", "recall", "{:.3f}"),
        ("F1 (of page means)", "f1", "{:.3f}"), ("precision (micro)", "micro_precision", "{:.3f}"),
        ("recall (micro)", "micro_recall", "{:.3f}"), ("F1 (micro)", "micro_f1", "{:.3f}"),
        ("pages leaking chrome", "leak_share", "{:.0%}"), ("ms per call, median", "ms_median", "{:.2f}"),
        ("ms per call, mean", "ms_mean", "{:.2f}"))


def table(result: dict[str, Any]) -> list[str]:
    """The side-by-side table, one column per extractor."""
    names = list(result["extractors"])
    lines = [f"{'':24}" + "".join(f"{name:>14}" for name in names)]
    for label, key, fmt in ROWS:
        cells = [fmt.format(result["extractors"][name][key]) for name in names]
        lines.append(f"{label:24}" + "".join(f"{cell:>14}" for cell in cells))
    return lines


def header(result: dict[str, Any]) -> list[str]:
    """What was measured and how, so a pasted table carries its own method."""
    return [f"{result['scored']} pages scored ({result['pages']}); skipped, no expected text: "
            f"{', '.join(result['skipped']) or 'none'}",
            f"scoring: {result['ngram']}-token shingles, as article-extraction-benchmark evaluate.py",
            f"timing: time.perf_counter, warm-up then --repeat {result['repeat']}", NAIVE]


def verdict(result: dict[str, Any]) -> list[str]:
    """Ratios, targets, and the pages where ours loses (the ones worth a look)."""
    ours_, base, ratio = result["extractors"]["ours"], result["extractors"]["trafilatura"], result["ratios"]
    worse = [f"{p} ({f:.3f} < {base['page_f1'][p]:.3f})" for p, f in ours_["page_f1"].items()
             if f < base["page_f1"][p]]
    return [f"F1 ratio ours/trafilatura: {ratio['f1']:.3f}", f"ms ratio ours/trafilatura: "
            f"{ratio['ms_mean']:.2f} (mean), {ratio['ms_median']:.2f} (median)", "",
            *(f"{('FAIL', 'PASS')[t['passed']]}  {t['target']}: {t['detail']}" for t in result["targets"]),
            f"pages where ours has a lower F1 than trafilatura: {', '.join(worse) or 'none'}"]


def leak_lines(result: dict[str, Any]) -> list[str]:
    """Which page leaked which phrase, per extractor, after a blank line."""
    return ["", *(f"leak  {name:12} {page}: {', '.join(found)}"
                  for name, res in result["extractors"].items() for page, found in res["leaks"].items())]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line; the exit status reflects the targets only with ``--strict``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions after the warm-up")
    parser.add_argument("--pages", default=DEFAULT_PAGES, help="glob of .html pages, relative to the root")
    parser.add_argument("--ngram", type=int, default=4, help="shingle length (upstream 4; 1 = bag of tokens)")
    parser.add_argument("--json", action="store_true", help="print the machine-readable result")
    parser.add_argument("--show-leaks", action="store_true", help="list the chrome each page leaked")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    result = run(args.pages, max(args.repeat, 1), max(args.ngram, 1))
    leaked = leak_lines(result) if args.show_leaks else []
    text = "\n".join([*header(result), "", *table(result), "", *verdict(result), *leaked])
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else text)
    return 1 if args.strict and not all(t["passed"] for t in result["targets"]) else 0


if __name__ == "__main__":
    sys.exit(main())
