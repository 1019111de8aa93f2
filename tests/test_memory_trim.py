"""malloc_trim gives freed heap pages back: the crawler's resident memory follows what is alive."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sys
    from crawler.memory import trim

    def rss_kib():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS"):
                return int(line.split()[1])

    # Page-sized bodies below glibc's mmap threshold come from the heap; a small survivor after
    # each one pins the top of the heap, so freeing the bodies leaves holes glibc keeps.
    bodies, survivors = [], []
    for number in range(3000):
        bodies.append(bytes(60_000) + number.to_bytes(4, "big"))
        survivors.append(bytes(600) + number.to_bytes(4, "big"))
    del bodies
    before = rss_kib()
    assert trim()
    after = rss_kib()
    print(before, after)
""")


def test_trim_returns_freed_pages_to_the_system() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    before, after = (int(value) for value in out.stdout.split())
    assert before - after > 100_000, (before, after)  # ~180 MB freed; most of it must go back
