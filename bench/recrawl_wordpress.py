"""Repeat crawls of a real WordPress (issue 19): Debian's package behind nginx, PHP-FPM and MariaDB.

The test suite's harness (``tests/wordpress/``) installs and fills the site (312 published posts,
comment threads, drafts, images) in a temporary folder. Three crawls into one archive: the first,
an unchanged repeat, and a repeat after WordPress's own API edited one post, published one,
trashed one (``wp.php mutate``) and a reader commented on a fourth through the public comment
form (``wp-comments-post.php``, as a browser posts it: a known commenter's comment is approved at
once, and WordPress does not touch the post's ``modified_gmt``). Requests and bytes are nginx's
access-log lines of the crawler's user agent; the checks read the archive's catalog afterwards.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench.recrawl_figures import Crawl, Series, by_kind, counted, report_counts, reports_before
from bench.recrawl_runs import run_scrapy
from tests.wordpress.content import PUBLISHED
from tests.wordpress.crawls import rows, sidecar
from tests.wordpress.servers import SetupError
from tests.wordpress.site import CLASSIC_THEME, WORDPRESS, WordPressSite

# As tests/test_wordpress.py crawls it: one host, eight requests at a time, no AutoThrottle.
SETTINGS = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")
COMMENT = "A comment written between two crawls, by a reader the blog already knows."
EDIT = "An update added after the first crawl."


def crawl(label: str, site: WordPressSite, archive: Path) -> Crawl:
    """One crawl; what it cost as nginx logged it (the crawler's user agent only)."""
    offset, before = site.web.log_size(), reports_before(archive)
    seconds = run_scrapy(site.url, archive, *SETTINGS)
    seen = [r for r in site.web.requests_since(offset) if r.get("agent", "").startswith("blogarchive")]
    report = report_counts(archive, before)
    counts = (len(seen), sum(int(r.get("bytes") or 0) for r in seen),
              sum(r.get("status") == "304" for r in seen))
    return counted(label, counts, seconds, report,
                   {"requests by kind": by_kind([r["uri"] for r in seen])})


def comment(site: WordPressSite, post_id: int) -> int:
    """Post a comment through WordPress's public form; the HTTP status of its answer."""
    form = urllib.parse.urlencode({"comment_post_ID": post_id, "author": "Maria",
                                   "email": "maria@example.net", "url": "", "comment": COMMENT,
                                   "comment_parent": 0}).encode()
    request = urllib.request.Request(f"{site.url}wp-comments-post.php", data=form,
                                     headers={"User-Agent": "bench-reader"})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:  # 302 back to the post: the form's success
        return int(error.code)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def change(site: WordPressSite) -> dict[str, Any]:
    """An edit, a new post, a trashed post and a new comment; what each touched."""
    posts = sorted(site.export()["posts"], key=lambda p: p["id"])
    edited, commented, trashed = posts[len(posts) // 8], posts[len(posts) // 5], posts[len(posts) // 4]
    changes: dict[str, Any] = site.php("mutate", {
        "edit": edited["id"], "append": EDIT, "new_title": "Added between two crawls",
        "new_text": "A brand new post.", "new_date": "2024-12-24 10:00:00", "trash": trashed["id"]})
    status = comment(site, commented["id"])
    after = {p["id"]: p for p in site.export()["posts"]}
    changes["commented"] = commented["url"]
    changes["comment_public"] = any(c["text"].strip() == COMMENT for c in after[commented["id"]]["comments"])
    changes["comment_status"] = status
    return changes


def caught(archive: Path, changes: dict[str, Any]) -> dict[str, bool]:
    """What the repeat recorded of each change, read back from the catalog and the sidecars."""
    catalog = rows(archive)
    latest = {row["url"]: row for row in catalog}  # rows come ordered by version
    versions = {url: sum(r["url"] == url for r in catalog) for url in latest}

    def has(url: str, text: str, key: str) -> bool:
        meta = sidecar(archive, latest[url]) if url in latest else {}
        if key == "comments":
            return any(text in (c.get("text") or "") for c in meta.get("comments") or [])
        return text in (meta.get(key) or "")

    return {"edit (version 2 with the new text)": versions.get(changes["edited"]) == 2
            and has(changes["edited"], EDIT, "text"),
            "new comment (in the latest version's thread)": has(changes["commented"], COMMENT, "comments"),
            "new post (archived)": changes["new"] in latest,
            "trashed post (marked deleted)": changes["trashed"] in latest
            and bool(latest[changes["trashed"]]["deleted_at"])}


def wordpress_version() -> str:
    """The installed package's version, as WordPress itself records it."""
    source = WORDPRESS / "wp-includes" / "version.php"
    found = re.search(r"\$wp_version = '([^']+)'", source.read_text() if source.exists() else "")
    return found.group(1) if found else "(version unknown)"


def bench(scratch: Path) -> Series:
    """Start WordPress, crawl it three times, stop it (also when a step fails)."""
    site = WordPressSite(scratch / "wordpress")
    series = Series("wordpress", f"real WordPress {wordpress_version()} (Debian), {PUBLISHED} "
                    "published posts, Twenty Twenty-One",
                    "nginx + PHP-FPM + MariaDB on 127.0.0.1, AutoThrottle off, 8 concurrent "
                    "requests; figures from nginx's access log")
    archive = scratch / "wordpress-archive"
    try:
        site.start()
        site.switch_theme(CLASSIC_THEME)
        series.notes.append(f"set-up {sum(site.timings.values()):.0f} s (not counted)")
        series.crawls.append(crawl("first", site, archive))
        series.crawls.append(crawl("repeat, unchanged", site, archive))
        changes = change(site)
        series.crawls.append(crawl("repeat after 4 changes", site, archive))
        series.checks = caught(archive, changes)
        if not changes["comment_public"]:
            series.notes.append(f"the comment was not published (the form answered "
                                f"{changes['comment_status']}): its check means nothing")
    except SetupError as error:
        raise SystemExit(f"the WordPress bench failed: {str(error).splitlines()[0]}") from error
    finally:
        site.stop()
    return series
