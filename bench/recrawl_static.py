"""Repeat crawls of a static blog without any API: a Pelican site of a few hundred posts.

Pelican (the test suite's adapter, ``tests/generators/pelican.py``, ten posts a listing page as
Pelican's default) builds the blog; its pages, Atom feeds and the ``pelican-sitemap`` plugin's
sitemap are all a crawler has, no REST API. nginx serves the output on 127.0.0.1 with its own ETag
and Last-Modified (from the file's mtime). The output is deployed as ``rsync --checksum`` would: a
rebuild replaces only the files whose bytes changed, so an unchanged page keeps its validators,
as on a host that a blogger deploys to. Crawls: the first, an unchanged repeat before and after a
rebuild (``pelican-sitemap`` dates listings by the build: before it, the sitemap vouches for them;
after it, they are asked with their validators), and a repeat after one post was edited (with
Pelican's ``Modified:`` date, which the sitemap's ``lastmod`` carries) and the blog rebuilt.
"""

from __future__ import annotations

import filecmp
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from bench.nginx import Nginx, free_port
from bench.recrawl_figures import Crawl, Series, by_kind, counted, report_counts, reports_before
from bench.recrawl_runs import BENCH_SETTINGS, run_scrapy
from tests.fixtures.blogs.textgen import CODE, GARDEN, POLITICS, TRAVEL, paragraphs
from tests.generators.content import IMAGES, Post
from tests.generators.pelican import SETTINGS, Pelican, source
from tests.generators.site_node import StaticServer, run_tool
from tests.wordpress.crawls import rows

TOPICS = (("Harbour", TRAVEL), ("Garden", GARDEN), ("Code", CODE), ("Politics", POLITICS))
EDIT = "An update added after the first crawl, to a blog without an API."


def blog_posts(count: int) -> list[Post]:
    """``count`` posts, one every two days from 2019 on, four topics, every fifth with an image."""
    start = datetime(2019, 1, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    posts = []
    for number in range(count):
        category, topic = TOPICS[number % len(TOPICS)]
        text = "\n\n".join(paragraphs(f"static-{number}", topic, 3 + number % 4))
        image = "\n\n![The harbour at dawn](/images/harbour.png)\n" if number % 5 == 0 else ""
        posts.append(Post(slug=f"note-{number + 1:04d}", title=f"{category} note {number + 1}",
                          date=start + timedelta(days=2 * number), author="Ada Lovelace",
                          categories=(category,), tags=(topic.objects[number % 3].split()[-1],),
                          body=text + image + "\n"))
    return posts


class BigPelican(Pelican):
    """Pelican's ``simple`` theme with ``posts`` written as its sources, ten a listing page."""

    def __init__(self, posts: list[Post]) -> None:
        super().__init__("simple")
        self.posts = posts
        self.modified: dict[str, str] = {}  # slug -> Pelican ``Modified:`` value of edited posts

    def write_sources(self, src: Path, base_url: str) -> None:
        content = src / "content"
        (content / "images").mkdir(parents=True, exist_ok=True)
        for post in self.posts:
            text = source(post)
            if post.slug in self.modified:
                text = f"Modified: {self.modified[post.slug]}\n" + text
            (content / f"{post.slug}.md").write_text(text, encoding="utf-8")
        for name, data in IMAGES.items():
            (content / "images" / name).write_bytes(data)
        settings = SETTINGS.replace("DEFAULT_PAGINATION = 2", "DEFAULT_PAGINATION = 10")
        (src / "pelicanconf.py").write_text(settings.format(
            site_url=base_url.rstrip("/"), output=str(src.parent / "public"), theme=self.theme))


def deploy(built: Path, served: Path) -> int:
    """Copy the files whose bytes changed (``rsync --checksum``), delete the gone; how many."""
    touched = 0
    for path in sorted(built.rglob("*")):
        target = served / path.relative_to(built)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif not target.exists() or not filecmp.cmp(path, target, shallow=False):
            shutil.copyfile(path, target)
            touched += 1
    for path in sorted(served.rglob("*"), reverse=True):
        if not (built / path.relative_to(served)).exists():
            path.unlink() if path.is_file() else path.rmdir()
            touched += 1
    return touched


def build(adapter: BigPelican, work: Path, base_url: str) -> int:
    """Write the sources, run the real Pelican, deploy to ``work/www``; files deployed."""
    src, out = work / "src", work / "public"
    src.mkdir(parents=True, exist_ok=True)
    adapter.write_sources(src, base_url)
    run_tool(adapter.build_command(src, out), src, "pelican build", timeout=1200)
    return deploy(out, work / "www")


def crawl(label: str, server: Nginx, url: str, archive: Path, deployed: int) -> Crawl:
    server.log.mark()
    before = reports_before(archive)
    seconds = run_scrapy(url, archive, *BENCH_SETTINGS)
    seen = server.log.since_mark()
    counts = (len(seen), sum(sent for _, sent, _ in seen), sum(status == 304 for status, _, _ in seen))
    return counted(label, counts, seconds, report_counts(archive, before),
                   {"files deployed before": deployed,
                    "requests by kind": by_kind([uri for _, _, uri in seen])})


def bench(count: int, scratch: Path) -> Series:
    """Build, serve, crawl; edit one post, rebuild, crawl again."""
    series = Series("static", f"Pelican blog of {count} posts (simple theme), no API",
                    "nginx on 127.0.0.1 (ETag, Last-Modified, gzip), AutoThrottle off, "
                    "16 concurrent requests; figures from nginx's access log")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    adapter = BigPelican(blog_posts(count))
    (scratch / "www").mkdir(parents=True, exist_ok=True)
    deployed = build(adapter, scratch, url)
    server = StaticServer(scratch / "www", port, scratch / "nginx")
    archive = scratch / "archive"
    server.start()
    try:
        series.crawls.append(crawl("first", server, url, archive, deployed))
        # the sitemap dates listings by the build: before their capture until the next build
        series.crawls.append(crawl("repeat, unchanged (not rebuilt)", server, url, archive, 0))
        rebuilt = build(adapter, scratch, url)
        series.crawls.append(crawl("repeat, unchanged (rebuilt)", server, url, archive, rebuilt))
        edited = adapter.posts[count // 2]
        adapter.posts[count // 2] = replace(edited, body=edited.body + f"\n{EDIT}\n")
        # edited today, as a blogger's edit is: the sitemap's lastmod moves past the last capture
        adapter.modified[edited.slug] = datetime.now(UTC).replace(microsecond=0).isoformat()
        rebuilt = build(adapter, scratch, url)
        series.crawls.append(crawl("repeat after 1 edit (rebuilt)", server, url, archive, rebuilt))
    finally:
        server.stop()
    series.checks = {"edit (version 2 of the post)": edited_twice(archive, f"{url}{edited.slug}.html")}
    return series


def edited_twice(archive: Path, post_url: str) -> bool:
    versions = [row for row in rows(archive) if row["url"] == post_url]
    return len(versions) == 2
