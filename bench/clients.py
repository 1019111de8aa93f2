"""The clients ``bench/crawl.py`` measures: for each, the command and how to read what it kept.

Each ``run_*`` returns ``(command, outputs)``; ``outputs()`` after the run gives (posts archived, -1
when only nginx's log can tell; WARC megabytes; a note). ``command_for`` picks one by tool name.

- ``ours``: ``scrapy crawl blog``, AutoThrottle off, robots.txt obeyed, 16 concurrent requests,
  page requisites on (``ARCHIVE_REQUISITES`` at its default, all);
- ``ours-no-requisites``: the same with ``-s ARCHIVE_REQUISITES=none`` (pages only);
- ``ours-no-extract``: the same with ``EXTRACT_ENABLED=False`` (the fetch-and-WARC ceiling);
- ``wget``: ``--recursive --level=inf --no-parent --warc-file``, with ``--reject-regex`` for the
  WordPress traps our crawler never requests either (``?replytocom=``, ``?share=``, per-post
  ``/feed/``, ...) and for static files (``WGET_REJECT_FILES``: at ``--level=inf`` wget's recursion
  fetches every image, stylesheet and script anyway); pages only, every listing page too;
- ``wget-requisites``: the same with static files allowed, plus ``--page-requisites``: every page's
  images (``src`` and ``srcset``; not ``data-src``), stylesheets and what they ``url()``, scripts and
  icons, once each;
- ``scrapy-bare``: a plain Scrapy ``SitemapSpider`` with Scrapy's defaults that keeps nothing
  (``bench/bare_spider.py``): the framework's own cost per post;
- ``scrapy-bare-requisites``: a plain Scrapy spider given the posts and every file their pages load
  (``site_urls``) that keeps nothing (``bench/bare_list_spider.py``): the framework's own cost per
  post with page requisites;
- ``extract-only``: our extractor alone in one process on the post files (``bench/extract_only.py``);
- ``trafilatura-pN``: its command line on the post URLs, ``-i LIST --parallel N``, with its per-host
  pause ``SLEEP_TIME`` 0 and ``SSRF_PROTECTION`` off (loopback) in a ``--config-file``; the list is
  made once per site before any timed run (``trafilatura_urls``: its own ``--sitemap --list``).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# ?p= ?m= ?s= only at the root (shortlinks, month archives, search): an avatar's ?s=60 is a size.
WGET_REJECT = (r"[?&](replytocom|share|like_comment|redirect_to|utm_[a-z]+)="
               r"|^https?://[^/]+/(index\.php)?\?(p|m|s)="
               r"|^https?://[^/]+/.+/(feed|embed|amp|trackback|comment-page-[0-9]+)/$"
               r"|/wp-(login|signup|comments-post)\.php|/wp-json/|/xmlrpc\.php")
# wget's recursion follows inline links (img, srcset, link, script, CSS url()) like any other at
# --level=inf: plain ``wget`` must reject them to fetch pages only, as ``ours-no-requisites`` does.
WGET_REJECT_FILES = r"|\.(css|js|png|jpe?g|gif|webp|avif|svg|woff2?|ttf|otf|eot|ico)(\?.*)?$|/avatar/"
POST_PATH = re.compile(r"^/\d{4}/\d{2}/\d{2}/[^/?#]+/$")
# What pages load, by the path nginx logged: static files and the local Gravatar stand-ins.
REQUISITE_PATH = re.compile(r"^[^?#]*\.(css|js|png|jpe?g|gif|webp|avif|svg|woff2?|ttf|otf|eot|ico)"
                            r"([?#]|$)|^/avatar/", re.IGNORECASE)
# The file nginx serves for a post of a generated site (and of the WordPress copy): /Y/M/D/slug/
POST_GLOB = "[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"
TRAFILATURA_CONFIG = "[DEFAULT]\nSLEEP_TIME = 0\nSSRF_PROTECTION = off\n"
MB = 1_000_000
Outputs = Callable[[], tuple[int, float, str]]


def _size(paths: list[Path]) -> float:
    return sum(path.stat().st_size for path in paths) / MB


@dataclass(frozen=True)
class Site:
    """What a client is pointed at: the address, the files nginx serves, and per-site choices."""

    base: str
    root: Path
    jobdir: bool = False        # ours keeps its queues in ``JOBDIR`` (100,000 posts)
    urls: Path | None = None    # the post URLs trafilatura is given (``trafilatura_urls``)
    settings: tuple[str, ...] = ()  # more ``-s NAME=VALUE`` for ours
    listed: Path | None = None  # posts and their requisites, for scrapy-bare-requisites (site_urls)


def run_ours(base: str, work: Path, extract: bool, requisites: bool, jobdir: bool,
             settings: tuple[str, ...] = ()) -> tuple[list[str], Outputs]:
    """``scrapy crawl blog``; ``requisites=False`` passes ``ARCHIVE_REQUISITES=none`` (default all)."""
    archive = work / "archive"
    command = [str(BIN / "scrapy"), "crawl", "blog", "-a", f"url={base}",
               "-s", f"ARCHIVE_DIR={archive}", "-s", "AUTOTHROTTLE_ENABLED=False",
               "-s", "ROBOTSTXT_OBEY=True", "-s", "CONCURRENT_REQUESTS=16",
               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=WARNING",
               "-s", "PROGRESS_INTERVAL=0"]
    if not extract:
        command += ["-s", "EXTRACT_ENABLED=False"]
    if not requisites:
        command += ["-s", "ARCHIVE_REQUISITES=none"]
    # BENCH_OURS_SETTINGS: e.g. "EXTRACT_WORKERS=1"
    for setting in (*settings, *os.environ.get("BENCH_OURS_SETTINGS", "").split()):
        command += ["-s", setting]
    if jobdir:
        command += ["-s", f"JOBDIR={work / 'job'}"]

    def outputs() -> tuple[int, float, str]:
        reports = sorted((archive / "runs").glob("*.json"))
        report = json.loads(reports[-1].read_text()) if reports else {}
        warcs = list((archive / "warcs").glob("*.warc.gz"))
        texts = sum(1 for _ in (archive / "posts").rglob("*.txt")) if extract else 0
        new = int(report.get("new", 0))
        return new, _size(warcs), f"{texts} text files" if extract else "no text (extraction off)"
    return command, outputs


def run_wget(base: str, work: Path, requisites: bool = False) -> tuple[list[str], Outputs]:
    """``wget --recursive``, pages only; ``requisites`` adds ``--page-requisites`` and lifts the
    rejection of static files (images, srcset, CSS and what CSS ``url()`` names, scripts, icons of
    every page it fetches; on the blog's own host only)."""
    reject = WGET_REJECT if requisites else WGET_REJECT + WGET_REJECT_FILES
    command = ["wget", "--recursive", "--level=inf", "--no-parent", f"--warc-file={work / 'site'}",
               "--no-verbose", f"--reject-regex={reject}", f"--directory-prefix={work / 'mirror'}",
               "--output-file", str(work / "wget.log"), base]
    if requisites:
        command.insert(2, "--page-requisites")

    def outputs() -> tuple[int, float, str]:
        return -1, _size(list(work.glob("site*.warc.gz"))), "mirror + WARC, no clean text"
    return command, outputs


def trafilatura_urls(base: str, work: Path, keep: Callable[[str], bool]) -> tuple[Path, int]:
    """The post URLs trafilatura is given, made once before any timed run: its own
    ``--sitemap URL --list`` (the URLs its sitemap reader finds), kept where ``keep`` says a URL is
    a post. ``(the list file, how many)``; an empty list when its URL filters refuse the site.

    ``--sitemap`` without ``--list`` is not used: in one step it keeps its URLs in courlan's
    compressed ``UrlStore``, whose ``get_url`` loses the "visited" mark (courlan 1.4.0), and it
    fetches the home page again and again.
    """
    work.mkdir(parents=True, exist_ok=True)
    config, urls = work / "settings.cfg", work / "urls.txt"
    config.write_text(TRAFILATURA_CONFIG)
    listed = subprocess.run([str(BIN / "trafilatura"), "--sitemap", base, "--list",
                             "--config-file", str(config)], capture_output=True, text=True,
                            check=False, stdin=subprocess.DEVNULL, timeout=3600)
    posts = sorted({url for url in listed.stdout.split() if keep(url)})
    urls.write_text("".join(f"{url}\n" for url in posts))
    return urls, len(posts)


def run_trafilatura(urls: Path, work: Path, parallel: int) -> tuple[list[str], Outputs]:
    """``trafilatura -i URLS --parallel P``: download and extract every URL of the list, with its
    per-host pause ``SLEEP_TIME`` 0 and ``SSRF_PROTECTION`` off (loopback) in a ``--config-file``."""
    config = work / "settings.cfg"
    config.write_text(TRAFILATURA_CONFIG)
    command = [str(BIN / "trafilatura"), "-i", str(urls), "--parallel", str(parallel),
               "--output-dir", str(work / "text"), "--config-file", str(config)]

    def outputs() -> tuple[int, float, str]:
        texts = sum(1 for _ in (work / "text").rglob("*.txt")) if (work / "text").exists() else 0
        listed = len(urls.read_text().split()) if urls.exists() else 0
        return texts, 0.0, f"{listed} post URLs given, {texts} text files, no WARC"
    return command, outputs


def _runspider(work: Path, spider: str, argument: str, note: str) -> tuple[list[str], Outputs]:
    """``scrapy runspider bench/SPIDER -a ARGUMENT`` from ``work``: outside the project, so
    Scrapy's defaults apply (with the spider's own ``custom_settings``)."""
    # env -u: a SCRAPY_SETTINGS_MODULE in the environment would load a project's settings
    script = (f"cd {shlex.quote(str(work))} && exec env -u SCRAPY_SETTINGS_MODULE "
              f"{shlex.quote(str(BIN / 'scrapy'))} runspider "
              f"{shlex.quote(str(ROOT / 'bench' / spider))} -a {shlex.quote(argument)}")

    def outputs() -> tuple[int, float, str]:
        return -1, 0.0, note
    return ["sh", "-c", script], outputs


def run_bare(base: str, work: Path) -> tuple[list[str], Outputs]:
    """``bench/bare_spider.py``: the posts its sitemap reader finds."""
    return _runspider(work, "bare_spider.py", f"url={base}",
                      "Scrapy's defaults, nothing kept: the framework's own cost")


def post_pages(site: Path, base: str) -> list[tuple[str, Path]]:
    """Each post of a site on disk: its URL under ``base`` and the file nginx serves for it."""
    base = base.rstrip("/")
    return [(f"{base}/{page.parent.relative_to(site).as_posix()}/", page)
            for page in sorted(site.glob(POST_GLOB))]


def site_urls(root: Path, base: str, work: Path) -> tuple[Path, int, int]:
    """The URL list ``scrapy-bare-requisites`` is given, made from the files nginx serves before
    any timed run: every post (``post_pages``) and every file pages load (``REQUISITE_PATH``),
    one URL a line, posts first. ``(the list file, posts, requisites)``."""
    work.mkdir(parents=True, exist_ok=True)
    posts = [url for url, _ in post_pages(root, base)]
    served = ("/" + path.relative_to(root).as_posix() for path in sorted(root.rglob("*"))
              if path.is_file())
    requisites = [base.rstrip("/") + path for path in served if REQUISITE_PATH.match(path)]
    listed = work / "urls.txt"
    listed.write_text("".join(f"{url}\n" for url in posts + requisites))
    return listed, len(posts), len(requisites)


def run_bare_list(listed: Path, work: Path) -> tuple[list[str], Outputs]:
    """``bench/bare_list_spider.py`` on the list ``site_urls`` made."""
    return _runspider(work, "bare_list_spider.py", f"urls={listed}",
                      "Scrapy's defaults, the listed posts and requisites, nothing kept")


def run_extract_only(site: Path, base: str, work: Path) -> tuple[list[str], Outputs]:
    command = [sys.executable, "-m", "bench.extract_only", str(site), base]

    def outputs() -> tuple[int, float, str]:
        text = (work / "stdout.log").read_text().strip()
        return int(text) if text.isdigit() else 0, 0.0, "one process, files read from disk, no fetch"
    return command, outputs


def command_for(tool: str, site: Site, work: Path) -> tuple[list[str], Outputs]:
    """The command of ``tool`` (one of ``bench.crawl.TOOLS``, ``trafilatura-pN`` for
    trafilatura with ``--parallel N``) and its ``outputs``."""
    if tool.startswith("ours"):
        return run_ours(site.base, work, extract=tool != "ours-no-extract",
                        requisites=tool != "ours-no-requisites", jobdir=site.jobdir,
                        settings=site.settings)
    if tool.startswith("wget"):
        return run_wget(site.base, work, requisites=tool == "wget-requisites")
    if tool == "scrapy-bare":
        return run_bare(site.base, work)
    if tool == "scrapy-bare-requisites" and site.listed:
        return run_bare_list(site.listed, work)
    if tool == "extract-only":
        return run_extract_only(site.root, site.base, work)
    parallel = tool.removeprefix("trafilatura-p")
    if tool.startswith("trafilatura-p") and parallel.isdigit() and site.urls:
        return run_trafilatura(site.urls, work, int(parallel))
    raise ValueError(f"unknown tool {tool!r}")
