"""A static copy of the test suite's real WordPress, for ``python -m bench.crawl --site wpmirror``.

The crawl benchmark's generated blog is written by our own code; this copy is not: Debian's
WordPress (``tests/wordpress/``: 312 published posts, comment threads, images, Twenty Twenty-One)
is started, copied with ``wget --mirror --page-requisites``, stopped, and the copy is served by
``bench/nginx.py`` on the **same host and port** WordPress answered on, so every absolute link in
the pages (WordPress writes them all absolute) points at the copy: no ``--convert-links``, the
pages' bytes stay WordPress's own.

What the static copy needs besides the recursion, so that a crawler finds it as a blog:

- ``robots.txt``, ``wp-sitemap.xml`` and every sitemap it lists, fetched explicitly (wget does not
  read ``Sitemap:`` lines nor XML), and the feed (``/feed/``, kept as ``feed/index.rss``: nginx's
  ``index`` then serves it as RSS, not as HTML);
- files saved under a name with a query (``style.css?ver=6.4``) also under the plain name, which
  nginx looks up (``$uri`` has no query), unless one is there already.

The REST API (``/wp-json/``) is not copied: a static blog has none, and the crawler falls back on
the sitemaps. Port 80 (the default) gives the URL ``http://127.0.0.1/`` that trafilatura's URL
filters accept; WordPress is installed with that address.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.clients import WGET_REJECT
from tests.wordpress.servers import SetupError
from tests.wordpress.site import CLASSIC_THEME, WordPressSite

SITEMAP_LOC = re.compile(rb"<loc>([^<]+)</loc>")


@dataclass(frozen=True)
class Mirror:
    root: Path          # the copy, as nginx serves it
    base: str           # the address WordPress had and the copy is served on
    posts: list[str]    # URLs of the published posts, from WordPress itself
    seconds: float      # set-up, mirroring and fixing, all together


class PortSite(WordPressSite):
    """The test suite's WordPress on a chosen port; on port 80 its address has no port at all."""

    def __init__(self, root: Path, port: int) -> None:
        super().__init__(root)
        self.web.port = port

    @property
    def url(self) -> str:
        port = self.web.port
        return "http://127.0.0.1/" if port == 80 else f"http://127.0.0.1:{port}/"


def wget(args: list[str], log: Path) -> None:
    """One wget run; exit status 8 (some URL answered an error, e.g. a 404 link) is normal."""
    done = subprocess.run(["wget", "--no-verbose", "--no-host-directories", "--append-output",
                           str(log), *args], stdin=subprocess.DEVNULL, check=False, timeout=1800)
    if done.returncode not in (0, 8):
        raise SetupError(f"wget exited with {done.returncode}: see {log}")


def copy(base: str, root: Path, log: Path) -> None:
    """The recursive copy with page requisites, then what the recursion cannot find."""
    wget(["--mirror", "--page-requisites", f"--reject-regex={WGET_REJECT}",
          f"--directory-prefix={root}", base], log)
    explicit = [f"{base}robots.txt", f"{base}wp-sitemap.xml", f"{base}feed/"]
    wget(["--force-directories", f"--directory-prefix={root}", *explicit], log)
    index = root / "wp-sitemap.xml"
    if not index.exists():
        raise SetupError(f"WordPress served no wp-sitemap.xml: see {log}")
    sitemaps = [url.decode() for url in SITEMAP_LOC.findall(index.read_bytes())]
    wget(["--force-directories", f"--directory-prefix={root}", *sitemaps], log)


def fix(root: Path) -> None:
    """The feed under a name nginx serves as RSS; query-named files under their plain name too."""
    for feed in root.rglob("feed/index.html"):
        feed.rename(feed.with_name("index.rss"))
    for path in sorted(root.rglob("*?*")):
        plain = path.with_name(path.name.split("?", 1)[0])
        if path.is_file() and plain.name and not plain.exists():
            shutil.copyfile(path, plain)


def build(scratch: Path, port: int) -> Mirror:
    """Install WordPress on ``port``, copy it into ``scratch/mirror``, stop it (also on failure)."""
    started = time.perf_counter()
    site = PortSite(scratch / "wordpress", port)
    root = scratch / "mirror"
    try:
        site.start()
        site.switch_theme(CLASSIC_THEME)
        posts = [post["url"] for post in site.export()["posts"]]
        copy(site.url, root, scratch / "wget-mirror.log")
    except SetupError as error:
        raise SystemExit(f"the WordPress copy failed: {str(error).splitlines()[0]}") from error
    finally:
        site.stop()
    fix(root)
    root.chmod(0o755)  # nginx's worker runs as nobody when started as root
    return Mirror(root, site.url, posts, time.perf_counter() - started)
