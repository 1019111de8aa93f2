"""bench/measure.py counts what a command's whole process tree used, orphans included."""

from __future__ import annotations

import sys
from pathlib import Path

from bench import measure

ORPHAN = """
import sys, time
block = bytearray(80_000_000)
for i in range(0, len(block), 4096):
    block[i] = 1
time.sleep(2.5)  # past at least two PSS samples (one a second)
open(sys.argv[1], "w").write(str(time.process_time()))
"""


def test_peak_memory_and_cpu_of_an_orphaned_child(tmp_path: Path) -> None:
    """The command starts a child and exits at once: the child, re-parented to the benchmark
    (a child subreaper), still counts: its 80 MB in the peak RSS, its CPU in the total."""
    assert measure.become_subreaper()
    child_cpu = tmp_path / "cpu"
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN)
    parent = ("import subprocess, sys; subprocess.Popen([sys.executable, sys.argv[1], sys.argv[2]]); "
              "import time; time.sleep(0.5)")
    usage = measure.run([sys.executable, "-c", parent, str(script), str(child_cpu)])
    assert usage.returncode == 0
    assert child_cpu.exists()  # reaped after it finished
    assert usage.cpu >= float(child_cpu.read_text())
    assert usage.peak_rss >= 80_000_000 and usage.peak_pss >= 80_000_000
    assert usage.peak_processes == 2
