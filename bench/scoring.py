"""Text quality as scrapinghub/article-extraction-benchmark scores it (``evaluate.py``).

``_tokenize``, ``string_shingle_matching`` and ``metrics_from_tp_fp_fns`` upstream: ``\\w+`` tokens,
multiset overlap of ``n``-token shingles, precision and recall averaged over pages and F1 taken of
those means (micro averages too). Shared by both corpora of ``extraction.py``.

One departure, the same for every extractor: Chinese and Japanese characters are a token each.
Upstream's corpus is English; with ``\\w+`` a CJK text (no spaces) is one token per clause, between
punctuation marks, so a 4-token shingle spans four clauses and one short extra line (a caption) or
one changed character costs as much as several whole sentences would in English.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana, CJK ideographs
_TOKEN = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")
Counts = tuple[float, float, float]  # shingle true positives, false positives, false negatives of a page


def shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    """Multiset of ``n``-token shingles; ``\\w+`` tokens (a CJK character is one), one short shingle
    for texts under n tokens."""
    tokens = _TOKEN.findall(text)
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
