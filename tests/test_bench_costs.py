"""bench/costs.py times each archiving duty on a real generated post, hand-over included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_duty_is_timed(tmp_path: Path) -> None:
    """2,000 pages: the hand-over is the difference of two runs, so fewer pages drown its
    fraction of a millisecond per page in the runs' start-up (40 pages gave 0 at times)."""
    out = subprocess.run([sys.executable, "-m", "bench.costs", "--repeat", "5", "--pages", "2000",
                          "--dir", str(tmp_path), "--json"], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    figures = json.loads(out.stdout)
    assert set(figures) == {"extraction (the bound's share)", "post test",
                            "WARC request + response records", "text, sidecar and catalog row",
                            "hand-over to a worker and back"}
    assert all(ms > 0 for ms in figures.values()), figures
    assert list(tmp_path.iterdir()) == []  # its archive is removed


def test_the_table_sums_the_duties(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "bench.costs", "--repeat", "5", "--pages", "2000",
                          "--dir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    rows = {line.split("|")[1].strip(" *"): line.split("|")[2].strip(" *")
            for line in out.splitlines() if line.startswith("| ") and "CPU ms" not in line}
    duties = [float(v) for k, v in rows.items()
              if not k.startswith(("extraction", "duties"))]
    assert len(duties) == 4
    assert abs(float(rows["duties beyond fetching and extraction"]) - sum(duties)) < 0.005
