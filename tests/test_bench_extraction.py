"""The extraction benchmark as a user runs it, and its scorer on texts small enough to count by hand.

Only the quality targets of issue #3 are asserted here; timing depends on the machine, so it lives in
the benchmark's own output and never fails a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.extraction import leaks, match, prf, summarise

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"
EXTRACTORS = ("ours", "trafilatura")
RATES = ("precision", "recall", "f1", "micro_precision", "micro_recall", "micro_f1", "leak_share")


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "bench/extraction.py", "--repeat", "1", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    )
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def _pages_with_text() -> int:
    sidecars = [json.loads(p.read_text(encoding="utf-8")) for p in PAGES.glob("*.expected.json")]
    return sum(1 for data in sidecars if data["text"] is not None)


def test_both_extractors_scored_on_every_page_with_text(result: dict[str, Any]) -> None:
    assert set(result["extractors"]) == set(EXTRACTORS)
    assert result["scored"] == _pages_with_text()
    for name in EXTRACTORS:
        assert result["extractors"][name]["pages"] == _pages_with_text()
        assert len(result["extractors"][name]["page_f1"]) == _pages_with_text()


@pytest.mark.parametrize("name", EXTRACTORS)
def test_numbers_are_sane(result: dict[str, Any], name: str) -> None:
    scores = result["extractors"][name]
    for key in RATES:
        assert 0.0 <= scores[key] <= 1.0, key
    assert all(0.0 <= f1 <= 1.0 for f1 in scores["page_f1"].values())
    assert scores["ms_median"] > 0.0 and scores["ms_mean"] > 0.0


def test_ours_leaks_no_chrome(result: dict[str, Any]) -> None:
    assert result["extractors"]["ours"]["leaks"] == {}


def test_ours_beats_plain_trafilatura_on_f1(result: dict[str, Any]) -> None:
    assert result["extractors"]["ours"]["f1"] > result["extractors"]["trafilatura"]["f1"]


def test_token_counts_and_scores_on_a_tiny_pair() -> None:
    truth, predicted = "The cat sat on the mat.", "The cat sat on a mat, today"
    # Tokens are case-sensitive \w+ runs; "The" and "the" differ, as upstream.
    assert match(truth, predicted, 1) == (5, 2, 1)
    precision, recall, f1 = prf(match(truth, predicted, 1))
    assert (precision, recall) == pytest.approx((5 / 7, 5 / 6))
    assert f1 == pytest.approx(2 * (5 / 7) * (5 / 6) / (5 / 7 + 5 / 6))


def test_shingles_of_four_tokens() -> None:
    assert match("a b c d e", "a b c d x", 4) == (1, 1, 1)
    assert prf(match("short text", "short text", 4)) == (1.0, 1.0, 1.0)  # one shingle below n tokens
    assert prf(match("", "", 4)) == (1.0, 1.0, 1.0)


def test_page_means_skip_empty_predictions_for_precision_as_upstream() -> None:
    perfect, empty = match("one two", "one two", 1), match("one two", "", 1)
    scores = summarise([perfect, empty])
    assert (scores["precision"], scores["recall"]) == (1.0, 0.5)
    assert scores["micro_precision"] == 1.0 and scores["micro_recall"] == 0.5


def test_leaks_respect_whole_lines_and_quotes() -> None:
    assert leaks("Body.\n\nRelated\n", ()) == ["Related"]
    assert leaks("Related posts follow below.", ()) == []
    assert leaks("He said: Leave a Reply", ("Leave a Reply",)) == []
    assert leaks("Body.\nShare this:\nLike this:", ()) == ["Share this:", "Like this:"]
