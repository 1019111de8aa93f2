"""The extraction benchmark's result (``extraction.run``) as the text table a person reads."""

from __future__ import annotations

from typing import Any

from bench.structure import KINDS

ROWS = (("precision (page mean)", "precision", "{:.3f}"), ("recall (page mean)", "recall", "{:.3f}"),
        ("F1 (of page means)", "f1", "{:.3f}"), ("precision (micro)", "micro_precision", "{:.3f}"),
        ("recall (micro)", "micro_recall", "{:.3f}"), ("F1 (micro)", "micro_f1", "{:.3f}"),
        ("pages leaking chrome", "leak_share", "{:.0%}"))
TIMES = (("ms per page, median", "ms_median", "{:.2f}"), ("ms per page, mean", "ms_mean", "{:.2f}"))
WIDTH, LABEL = 15, 26


def _row(label: str, cells: list[str]) -> str:
    return f"{label:{LABEL}}" + "".join(f"{cell:>{WIDTH}}" for cell in cells)


def table(result: dict[str, Any]) -> list[str]:
    """The side-by-side table, one column per extractor: text, structure recall per kind, time."""
    extractors = result["extractors"]
    names = list(extractors)
    lines = [_row("", names)]
    lines += [_row(label, [fmt.format(extractors[n][key]) for n in names]) for label, key, fmt in ROWS]
    lines.append(_row("structure recall, all", [f"{extractors[n]['structure_recall']:.1%}" for n in names]))
    counts = extractors[names[0]]["structure"]
    for kind in (k for k in KINDS if k in counts):
        cells = [f"{extractors[n]['structure'][kind]['recall']:.1%}" for n in names]
        lines.append(_row(f"  {kind} ({counts[kind]['expected']})", cells))
    lines += [_row(label, [fmt.format(extractors[n][key]) for n in names]) for label, key, fmt in TIMES]
    base = extractors["trafilatura"]["ms_mean"] or 1e-9
    lines.append(_row("ms per page / plain", [f"{extractors[n]['ms_mean'] / base:.2f}x" for n in names]))
    return lines


def header(result: dict[str, Any]) -> list[str]:
    """What was measured and how, so a pasted table carries its own method."""
    return [f"{result['scored']} pages scored ({result['pages']}); skipped, no expected text: "
            f"{', '.join(result['skipped']) or 'none'}",
            f"scoring: {result['ngram']}-token shingles, as article-extraction-benchmark evaluate.py; "
            "structure: bench/structure.py (the count of each kind in the pages in brackets)",
            f"timing: time.perf_counter, warm-up then --repeat {result['repeat']}", result["baseline"]]


def verdict(result: dict[str, Any]) -> list[str]:
    """Ratios, targets, and the pages where ours loses (the ones worth a look)."""
    ours_, base, ratio = result["extractors"]["ours"], result["extractors"]["trafilatura"], result["ratios"]
    worse = [f"{p} ({f:.3f} < {base['page_f1'][p]:.3f})" for p, f in ours_["page_f1"].items()
             if f < base["page_f1"][p]]
    return [f"F1 ratio ours/trafilatura: {ratio['f1']:.3f}",
            f"ms ratio ours/trafilatura: {ratio['ms_mean']:.2f} (mean), {ratio['ms_median']:.2f} (median)",
            f"ms ratio ours/trafilatura-md: {ratio['ms_mean_md']:.2f} (mean), "
            f"{ratio['ms_median_md']:.2f} (median)", "",
            *(f"{('FAIL', 'PASS')[t['passed']]}  {t['target']}: {t['detail']}" for t in result["targets"]),
            f"pages where ours has a lower F1 than trafilatura: {', '.join(worse) or 'none'}"]


def leak_lines(result: dict[str, Any]) -> list[str]:
    """Which page leaked which phrase, per extractor, after a blank line."""
    return ["", *(f"leak  {name:15} {page}: {', '.join(found)}"
                  for name, res in result["extractors"].items() for page, found in res["leaks"].items())]


def missed_lines(result: dict[str, Any]) -> list[str]:
    """Which structure each extractor missed, page by page, after a blank line."""
    return ["", *(f"missed  {name:15} {page}: {' / '.join(item)}"
                  for name, res in result["extractors"].items()
                  for page, items in res["structure_missed"].items() for item in items)]


REAL_COLUMNS = ("pages", "F1 ours", "F1 traf", "P ours", "P traf", "R ours", "R traf", "empty", "empty tr")


def _real_row(label: str, pages: int, scores: dict[str, dict[str, Any]]) -> str:
    mine, base = scores["ours"], scores["trafilatura"]
    cells = [str(pages), *(f"{s[k]:.3f}" for k in ("f1", "precision", "recall") for s in (mine, base))]
    return f"{label:14}" + "".join(f"{c:>9}" for c in [*cells, str(mine["empty"]), str(base["empty"])])


def real_lines(result: dict[str, Any], worst: int = 10) -> list[str]:
    """The real-pages corpus (``realpages.py``): per group and overall, ours against plain trafilatura,
    cost, targets, and the pages where ours falls furthest behind."""
    mine, base = result["extractors"]["ours"], result["extractors"]["trafilatura"]
    scores = result["page_scores"]
    behind = sorted((scores["ours"][p]["f1"] - scores["trafilatura"][p]["f1"], p) for p in scores["ours"])
    return [
        f"real pages: {result['scored']} from {result['corpus']} "
        f"({', '.join(f'{g} {n}' for g, n in result['groups'].items())}); {result['ngram']}-token shingles; "
        "F1 of page means; ours against plain trafilatura.extract(html, url=url)", "",
        f"{'group':14}" + "".join(f"{c:>9}" for c in REAL_COLUMNS),
        _real_row("all", result["scored"], result["extractors"]),
        *(_real_row(g, result["groups"][g], s) for g, s in result["by_group"].items()),
        "", f"ms per page: ours {mine['ms_mean']:.1f} mean, {mine['ms_median']:.1f} median; trafilatura "
        f"{base['ms_mean']:.1f} mean, {base['ms_median']:.1f} median; ratio {result['ms_ratio']:.2f}x (mean)",
        f"CPU ms per page (time.process_time, steadier on a busy machine): ours {mine['cpu_ms_mean']:.1f}, "
        f"trafilatura {base['cpu_ms_mean']:.1f}; ratio {result['cpu_ratio']:.2f}x",
        *(f"{('FAIL', 'PASS')[t['passed']]}  {t['target']}: {t['detail']}" for t in result["targets"]),
        "pages where ours trails trafilatura most (F1 ours - trafilatura): "
        + ", ".join(f"{p} ({d:+.2f})" for d, p in behind[:worst] if d < 0)]
