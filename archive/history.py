"""Versions of a post and what changed between them: a word-level diff and run reports.

The diff works on words, not lines, because clean text keeps a paragraph on one line: a one-word
edit would otherwise show as a whole paragraph replaced.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Op = tuple[str, str]  # ("=", text) | ("-", text) | ("+", text)


@dataclass(frozen=True)
class Change:
    added: int
    removed: int

    def summary(self) -> str:
        return f"+{self.added} / -{self.removed} words"


def word_diff(old: str, new: str) -> list[Op]:
    """Runs of equal, removed and added words, in reading order."""
    a, b = old.split(), new.split()
    ops: list[Op] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("+", " ".join(b[j1:j2])))
    return ops


def change_of(ops: list[Op]) -> Change:
    return Change(added=sum(len(t.split()) for o, t in ops if o == "+"),
                  removed=sum(len(t.split()) for o, t in ops if o == "-"))


def render_wdiff(ops: list[Op], context: int = 8) -> str:
    """``[-removed-] {+added+}`` as GNU wdiff prints it, long equal runs shortened."""
    marks = {"-": "[-{}-]", "+": "{{+{}+}}", GAP: "...", "=": "{}"}
    return " ".join(marks[op].format(text) for op, text in shortened(ops, context))


GAP = "..."  # the op ``shortened`` puts where it cut an unchanged run


def shortened(ops: list[Op], context: int, *, trim_edges: bool = False) -> list[Op]:
    """Unchanged runs longer than ``2 * context`` words cut to their ends around a ``GAP`` op.

    One rule for every place that shows a diff, so the terminal and the web reader agree on what
    is cut. ``trim_edges`` drops the words before the first change and after the last one.
    """
    out: list[Op] = []
    for at, (op, text) in enumerate(ops):
        words = text.split()
        if op != "=" or len(words) <= 2 * context:
            out.append((op, text))
            continue
        first = [] if trim_edges and at == 0 else words[:context]
        last = [] if trim_edges and at == len(ops) - 1 else words[-context:]
        out.extend([*([("=", " ".join(first))] if first else []), (GAP, ""),
                    *([("=", " ".join(last))] if last else [])])
    return out


def body_of(text_file: str) -> str:
    """The body of a clean-text file: everything after the header block."""
    _, _, body = text_file.partition("\n\n")
    return body


def run_reports(runs_dir: Path) -> list[dict[str, Any]]:
    """Past crawl reports, oldest first; unreadable files are reported, not fatal."""
    reports = []
    for path in sorted(runs_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            data = {"outcome": "unreadable", "failure": str(error)}
        reports.append({"file": path.name, **data})
    return reports
