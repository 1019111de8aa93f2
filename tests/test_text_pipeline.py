"""TextPipeline writes files in a thread: captures of one post arriving together stay separate versions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from archive.layout import Layout

ROOT = Path(__file__).resolve().parent.parent


def test_concurrent_captures_of_one_post_get_their_own_versions_and_files(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "tests/text_pipeline_race.py", str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    versions = [(url.rsplit("/", 2)[-2], version) for url, version, _ in outcome["versions"]]
    assert versions == [("a-post", n) for n in range(1, 7)] + [("other", 1)]
    paths = [path for _, _, path in outcome["versions"]]
    assert len(set(paths)) == len(paths)  # no version overwrote another's text
    texts = sorted(Layout(tmp_path).resolve(path).read_text().split("\n\n", 1)[1] for path in paths)
    assert texts == sorted(f"Version {n}.\n" for n in range(7))
    assert outcome["archived"] == 7
    assert outcome["locks_left"] == 0  # one lock per post while it is written, then gone
