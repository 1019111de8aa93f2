"""The terminal (`blogarchive diff`) and the web reader cut long unchanged runs by one rule."""

from __future__ import annotations

from archive.history import render_wdiff, word_diff
from archive.web.filters import diff_html

OLD = " ".join(f"w{i}" for i in range(40))
NEW = OLD.replace("w20", "changed")


def test_wdiff_keeps_context_around_a_change_and_cuts_the_rest() -> None:
    text = render_wdiff(word_diff(OLD, NEW), context=3)
    assert text == "w0 w1 w2 ... w17 w18 w19 [-w20-] {+changed+} w21 w22 w23 ... w37 w38 w39"


def test_html_diff_drops_the_words_before_the_first_and_after_the_last_change() -> None:
    html = str(diff_html(word_diff(OLD, NEW), context=3))
    assert html == ('<span class="gap">…</span> w17 w18 w19 <del>w20</del> <ins>changed</ins> '
                    'w21 w22 w23 <span class="gap">…</span>')


def test_short_runs_are_kept_whole_and_escaped() -> None:
    assert render_wdiff(word_diff("a b", "a <b>")) == "a [-b-] {+<b>+}"
    assert str(diff_html(word_diff("a b", "a <b>"))) == "a <del>b</del> <ins>&lt;b&gt;</ins>"
