"""One client's measured run in ``bench/crawl.py``: what nginx saw, what it kept, what it cost."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    tool: str
    posts: int           # posts in the blog
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    peak_pss_mb: float
    processes: int
    requests: int        # answered by nginx during the run
    posts_fetched: int   # distinct post URLs answered 200
    output_posts: int    # posts archived / texts written, as the tool reports them
    warc_mb: float
    ok: bool
    note: str = ""
    requisites: int = 0  # of ``requests``: files pages load (REQUISITE_PATH)
    sent_mb: float = 0.0  # body bytes nginx sent (after gzip)

    @property
    def posts_per_s(self) -> float:
        return self.posts / self.wall_s if self.wall_s else 0.0

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.wall_s if self.wall_s else 0.0
