"""Proof on a real WordPress (Debian's package behind nginx, PHP-FPM and MariaDB): issue #4.

`tests/wordpress/install-packages.sh` installs the packages; the session fixture starts private
servers in a temporary folder, installs and fills WordPress through its own PHP API, and every
expectation below is read back from WordPress itself (``wp.php export``), never from a fixture.
Run with ``pytest -m wordpress``; ``-s`` (or the terminal summary) shows the set-up and crawl times.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from archive.extract.dom import parse
from archive.extract.requisites import page_requisites
from archive.extract.trackers import url_listed
from archive.layout import Layout
from archive.urls import is_trap
from archive.warc.decoding import decode_chunks
from archive.warc.reader import read_response
from bench.structure import KINDS
from tests.wordpress.content import SEED_TITLE, seed_paragraphs
from tests.wordpress.crawls import (
    WordPressCrawl,
    captures,
    crawl,
    first_difference,
    folded,
    normal,
    paths,
    rows,
    sidecar,
    structure_recall,
)
from tests.wordpress.servers import SetupError
from tests.wordpress.site import BLOCK_THEME, CLASSIC_THEME, WordPressSite

pytestmark = pytest.mark.wordpress
THEMES = {"classic": CLASSIC_THEME, "block": BLOCK_THEME}
CHROME = ("Leave a Reply", "Leave a comment", "Your email address will not be published",
          "Required fields are marked", "Post Comment", "Save my name, email, and website",
          "Proudly powered by", "Skip to content", "Search for:", "Recent Posts",
          "Recent Comments", "Categorized as", "responses to", "Log in to Reply", "Sample Page")
CHROME_LINES = ("Posted", "in", "by", "Tags:", "Comments", "Reply", "Published", "Edit")
# Issue 17: the share of each kind of WordPress's structure the reading copy must keep, and how many
# the corpus must hold for it to mean something (code: code blocks, preformatted blocks and <pre>
# typed in the classic editor).
RECALL = 0.99
NEW_COMMENT = "A comment written after the first crawl, approved at once."
REQUIRED = {"heading": 20, "list item": 20, "quote": 20, "link": 20, "image": 20, "table cell": 20,
            "emphasis": 20, "caption": 20, "footnote": 2, "embed": 1, "code": 20}


def say(request: pytest.FixtureRequest, line: str) -> None:
    """Show a timing line even while pytest captures output."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"[wordpress] {line}")


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory,
              request: pytest.FixtureRequest) -> Iterator[WordPressSite]:
    site = WordPressSite(tmp_path_factory.mktemp("wordpress"))
    try:
        site.start()
    except BaseException:
        try:
            site.stop()
        except SetupError as error:
            say(request, f"cleanup after failed start: {error}")
        raise
    say(request, f"set-up {sum(site.timings.values()):.1f}s {site.timings} at {site.url}")
    yield site
    site.stop()


def crawl_theme(name: str, wordpress: WordPressSite, tmp_path_factory: pytest.TempPathFactory,
                request: pytest.FixtureRequest) -> WordPressCrawl:
    answer = wordpress.switch_theme(THEMES[name])
    assert answer["theme"] == THEMES[name] and answer["block_theme"] == (name == "block"), answer
    result = crawl(wordpress, tmp_path_factory.mktemp(f"archive-{name}"), THEMES[name])
    say(request, f"crawl {name} ({THEMES[name]}): {result.seconds}s, "
                 f"{len(result.run.requests)} requests, exit {result.run.returncode}")
    assert result.run.returncode == 0, result.run.log[-3000:]
    return result


@pytest.fixture(scope="session")
def classic(wordpress: WordPressSite, tmp_path_factory: pytest.TempPathFactory,
            request: pytest.FixtureRequest) -> WordPressCrawl:
    return crawl_theme("classic", wordpress, tmp_path_factory, request)


@pytest.fixture(scope="session")
def block(wordpress: WordPressSite, tmp_path_factory: pytest.TempPathFactory,
          request: pytest.FixtureRequest) -> WordPressCrawl:
    return crawl_theme("block", wordpress, tmp_path_factory, request)


@pytest.fixture(params=list(THEMES))
def crawled(request: pytest.FixtureRequest) -> WordPressCrawl:
    result: WordPressCrawl = request.getfixturevalue(request.param)
    return result


def test_every_published_post_archived_exactly_once(crawled: WordPressCrawl) -> None:
    catalog = rows(crawled.run.archive)
    assert len(crawled.posts) > 300
    assert Counter(r["url"] for r in catalog) == Counter(list(crawled.posts))
    assert {r["version"] for r in catalog} == {1}
    assert crawled.run.stats["posts/archived"] == len(crawled.posts)
    fetched = Counter(paths(crawled))
    for url in crawled.posts:
        assert fetched[urlsplit(url).path] == 1, url


def test_title_date_and_terms_are_wordpress_own(crawled: WordPressCrawl) -> None:
    wrong = []
    for row in rows(crawled.run.archive):
        post = crawled.posts[row["url"]]
        published = datetime.fromisoformat(row["published"]) if row["published"] else None
        expected = datetime.fromisoformat(post["date"])
        got = {"title": row["title"], "published": published and (published, published.utcoffset()),
               "categories": json.loads(row["categories"]), "tags": sorted(json.loads(row["tags"]))}
        want = {"title": post["title"], "published": (expected, expected.utcoffset()),
                "categories": post["categories"], "tags": sorted(post["tags"])}
        wrong += [(row["url"], key, want[key], got[key]) for key in want if want[key] != got[key]]
    assert not wrong, f"{len(wrong)} mismatches, first ones: {wrong[:6]}"


@pytest.mark.parametrize("theme", ["classic", "block"])
def test_author_is_wordpress_own(theme: str, request: pytest.FixtureRequest) -> None:
    crawled: WordPressCrawl = request.getfixturevalue(theme)
    wrong = [(r["url"], crawled.posts[r["url"]]["author"], r["author"])
             for r in rows(crawled.run.archive) if r["author"] != crawled.posts[r["url"]]["author"]]
    assert not wrong, f"{len(wrong)} posts with another author, first ones: {wrong[:3]}"


def test_body_text_is_the_post_content(crawled: WordPressCrawl) -> None:
    wrong = []
    for row in rows(crawled.run.archive):
        text = sidecar(crawled.run.archive, row)["text"]
        expected = crawled.posts[row["url"]]["text"]
        if normal(text) != normal(expected):
            wrong.append((row["url"], first_difference(normal(expected), normal(text))))
    assert not wrong, f"{len(wrong)} posts differ, first ones: {wrong[:3]}"


def test_comments_are_the_approved_ones_with_their_threads(crawled: WordPressCrawl) -> None:
    wrong = []
    for row in rows(crawled.run.archive):
        post = crawled.posts[row["url"]]
        want = {str(c["id"]): (str(c["parent"]) if c["parent"] else None, folded(c["author_raw"]),
                               normal(c["text"])) for c in post["comments"]}
        got = {c["id"]: (c["parent"], folded(c["author"]), normal(c["text"]))
               for c in sidecar(crawled.run.archive, row)["comments"]}
        if got != want:
            wrong.append((row["url"], want, got))
    assert not wrong, f"{len(wrong)} posts differ, first ones: {wrong[:3]}"
    assert sum(len(p["comments"]) for p in crawled.posts.values()) > 40
    assert any(c["parent"] for p in crawled.posts.values() for c in p["comments"])


def test_seed_post_is_exactly_its_paragraphs(crawled: WordPressCrawl) -> None:
    row = next(r for r in rows(crawled.run.archive) if r["title"] == SEED_TITLE)
    assert urlsplit(row["url"]).path.startswith("/2022/01/12/")
    assert datetime.fromisoformat(row["published"]).isoformat() == "2022-01-12T14:25:00+01:00"
    assert sidecar(crawled.run.archive, row)["text"] == "\n\n".join(seed_paragraphs())


def test_no_page_chrome_in_any_text(crawled: WordPressCrawl) -> None:
    found = []
    for row in rows(crawled.run.archive):
        meta = sidecar(crawled.run.archive, row)
        texts = [meta["text"], *(c["text"] for c in meta["comments"]),
                 Layout(crawled.run.archive).resolve(row["text_path"]).read_text()]
        for text in texts:
            found += [(row["url"], s) for s in CHROME if s in text]
            found += [(row["url"], line) for line in text.splitlines() if line.strip() in CHROME_LINES]
    assert not found, found[:10]


def test_drafts_private_pending_and_scheduled_posts_never_archived(crawled: WordPressCrawl) -> None:
    hidden = [p for p in crawled.wordpress["hidden"] if p["status"] != "trash"]
    assert {p["status"] for p in hidden} >= {"draft", "private", "pending", "future"}
    titles = {r["title"] for r in rows(crawled.run.archive)}
    requested = " ".join(paths(crawled))
    for post in hidden:
        assert post["title"] not in titles, post
        assert f"p={post['id']}" not in requested, post
        assert not post["slug"] or post["slug"] not in requested, post
    comments = json.dumps([sidecar(crawled.run.archive, r)["comments"] for r in rows(crawled.run.archive)])
    assert "must never be archived" not in comments


def test_no_trap_requested(crawled: WordPressCrawl) -> None:
    requested = paths(crawled)
    assert requested
    for path in requested:
        assert "replytocom" not in path and "wp-login.php" not in path, path
        assert "/wp-admin" not in path and "/comment-page-" not in path, path
        assert not is_trap(path), path


def test_rest_api_and_core_sitemap_were_used(crawled: WordPressCrawl) -> None:
    stats = crawled.run.stats
    assert stats["discovery/rest/posts"] >= len(crawled.posts)
    assert stats["discovery/sitemap/urls"] >= len(crawled.posts)
    requested = paths(crawled)
    assert "/wp-sitemap.xml" in requested
    assert any(p.startswith("/wp-json/wp/v2/posts") for p in requested)


def sent(crawled: WordPressCrawl) -> tuple[int, int]:
    """Requests and body bytes nginx logged for the crawl."""
    return len(crawled.run.requests), sum(int(r.get("bytes") or 0) for r in crawled.run.requests)


@pytest.fixture(scope="session")
def repeat(block: WordPressCrawl, wordpress: WordPressSite,
           tmp_path_factory: pytest.TempPathFactory,
           request: pytest.FixtureRequest) -> tuple[WordPressCrawl, WordPressCrawl]:
    """Issue 19: the same crawl again, default settings, nothing changed in WordPress (into a copy
    of the block archive, which the other tests keep reading as it was)."""
    wordpress.switch_theme(BLOCK_THEME)
    archive = tmp_path_factory.mktemp("archive-repeat") / "archive"
    shutil.copytree(block.run.archive, archive)
    second = crawl(wordpress, archive, BLOCK_THEME)
    (requests, size), (first_requests, first_size) = sent(second), sent(block)
    say(request, f"unchanged repeat: {second.seconds}s against {block.seconds}s; {requests} requests "
                 f"against {first_requests} ({requests / first_requests:.1%}), {size} bytes against "
                 f"{first_size} ({size / first_size:.1%})")
    assert second.run.returncode == 0, second.run.log[-3000:]
    return block, second


def test_an_unchanged_repeat_costs_at_most_5_percent_of_the_first_crawl(
        repeat: tuple[WordPressCrawl, WordPressCrawl]) -> None:
    first, second = repeat
    (requests, size), (first_requests, first_size) = sent(second), sent(first)
    assert requests <= 0.05 * first_requests, Counter(r["uri"].split("?")[0]
                                                      for r in second.run.requests)
    assert size <= 0.05 * first_size, sorted((int(r["bytes"]), r["uri"])
                                             for r in second.run.requests)[-10:]
    report = second.run.report
    assert report["unchanged"] == len(first.posts) and report["notes"] == []
    assert (report["new"], report["changed"], report["deleted"]) == (0, 0, 0)
    assert {url: n for url, n in Counter(r["url"] for r in rows(second.run.archive)).items()
            if n != 1} == {}


@pytest.fixture(scope="session")
def recrawl(repeat: tuple[WordPressCrawl, WordPressCrawl], wordpress: WordPressSite,
            tmp_path_factory: pytest.TempPathFactory,
            request: pytest.FixtureRequest) -> tuple[WordPressCrawl, WordPressCrawl, dict[str, str]]:
    """Edit one post, comment on another, add one, trash one, then crawl again (default settings)
    into (a copy of) the block archive.

    The copy keeps the first crawl's archive as it was for the other tests, whatever their order;
    ``repeat`` runs first, while WordPress is still unchanged.
    """
    block = repeat[0]
    posts = sorted(block.wordpress["posts"], key=lambda p: p["id"])
    edited, commented, trashed = posts[40], posts[60], posts[80]
    wordpress.switch_theme(BLOCK_THEME)
    changes: dict[str, str] = wordpress.php("mutate", {
        "edit": edited["id"], "append": "An update added after the first crawl.",
        "new_title": "Added between two crawls", "new_text": "A brand new post.",
        "new_date": "2024-12-24 10:00:00", "trash": trashed["id"],
        "comment_on": commented["id"], "comment_text": NEW_COMMENT})
    archive = tmp_path_factory.mktemp("archive-recrawl") / "archive"
    shutil.copytree(block.run.archive, archive)
    second = crawl(wordpress, archive, BLOCK_THEME)
    say(request, f"recrawl block after changes: {second.seconds}s, {len(second.run.requests)} "
                 f"requests, exit {second.run.returncode}")
    assert second.run.returncode == 0, second.run.log[-3000:]
    return block, second, changes


def test_second_crawl_records_exactly_the_edit_the_comment_the_new_post_and_the_trashed_one(
        recrawl: tuple[WordPressCrawl, WordPressCrawl, dict[str, str]]) -> None:
    first, second, changes = recrawl
    catalog = rows(second.run.archive)
    versions = Counter(r["url"] for r in catalog)
    deleted = {r["url"] for r in catalog if r["deleted_at"]}
    assert versions[changes["edited"]] == 2, changes
    assert versions[changes["commented"]] == 2, changes
    assert versions[changes["new"]] == 1 and changes["new"] not in first.posts
    assert deleted == {changes["trashed"]}
    unchanged = set(first.posts) - {changes["edited"], changes["commented"], changes["trashed"]}
    assert {url: versions[url] for url in unchanged if versions[url] != 1} == {}
    latest = next(r for r in catalog if r["url"] == changes["edited"] and r["version"] == 2)
    assert "An update added after the first crawl." in sidecar(second.run.archive, latest)["text"]
    thread = next(r for r in catalog if r["url"] == changes["commented"] and r["version"] == 2)
    assert NEW_COMMENT in json.dumps(sidecar(second.run.archive, thread)["comments"])
    db = sqlite3.connect(Layout(second.run.archive).catalog_path)
    texts = [t for (t,) in db.execute("SELECT text FROM comments WHERE version_id = ?", (thread["id"],))]
    assert any(NEW_COMMENT in text for text in texts), texts
    # Cheap: only the four changed posts were asked for, besides the discovery documents.
    asked = {r["uri"] for r in second.run.requests}
    fetched = {url for url in [*first.posts, changes["new"]] if urlsplit(url).path in asked}
    assert fetched == {changes["edited"], changes["commented"], changes["new"], changes["trashed"]}


@pytest.fixture(scope="session")
def refused(recrawl: tuple[WordPressCrawl, WordPressCrawl, dict[str, str]], wordpress: WordPressSite,
            tmp_path_factory: pytest.TempPathFactory,
            request: pytest.FixtureRequest) -> tuple[WordPressCrawl, str]:
    """Another edit, then a crawl while the REST API answers the crawler 401 (a must-use plugin)."""
    second = recrawl[1]
    posts = sorted(second.wordpress["posts"], key=lambda p: p["id"])
    changes = wordpress.php("mutate", {"edit": posts[20]["id"],
                                       "append": "A second update, while the API refused."})
    archive = tmp_path_factory.mktemp("archive-refused") / "archive"
    shutil.copytree(second.run.archive, archive)
    wordpress.refuse_rest(True)
    try:
        third = crawl(wordpress, archive, BLOCK_THEME)
    finally:
        wordpress.refuse_rest(False)
    say(request, f"crawl with the REST API answering 401: {third.seconds}s, "
                 f"{len(third.run.requests)} requests, exit {third.run.returncode}")
    assert third.run.returncode == 0, third.run.log[-3000:]
    return third, str(changes["edited"])


def test_a_rest_api_answering_401_falls_back_and_says_so(refused: tuple[WordPressCrawl, str]) -> None:
    third, edited = refused
    report = third.run.report
    host = urlsplit(edited).netloc
    assert report["notes"] == [f"{host}: the REST API answered 401: posts were checked with "
                               "conditional requests instead"]
    assert any(r["uri"].startswith("/wp-json/") and r["status"] == "401" for r in third.run.requests)
    catalog = rows(third.run.archive)
    assert (report["changed"], report["new"]) == (1, 0)
    latest = next(r for r in catalog if r["url"] == edited and r["version"] == 2)
    assert "A second update, while the API refused." in sidecar(third.run.archive, latest)["text"]


def test_every_requisite_of_every_post_page_is_in_the_warc_once(crawled: WordPressCrawl) -> None:
    """Issue 16: the theme's and the block library's CSS, scripts, and every uploaded image in
    every ``srcset`` size that a post page references is captured, each exactly once."""
    captured = captures(crawled.run.archive)
    wanted: set[str] = set()
    own = urlsplit(crawled.wordpress["posts"][0]["url"]).netloc
    for row in rows(crawled.run.archive):
        page = read_response(Layout(crawled.run.archive), row["warc_file"], row["warc_offset"])
        coding = {k.lower(): v for k, v in page.headers}.get("content-encoding", "")
        html = b"".join(decode_chunks([page.body], coding))
        wanted |= {r.url for r in page_requisites(parse(html.decode("utf-8", "replace")), page.url)
                   if not url_listed(r.url) and urlsplit(r.url).netloc == own}  # no internet here
    missing = sorted(url for url in wanted if captured[url] == 0)
    twice = sorted(url for url in wanted if captured[url] > 1)
    assert not missing and not twice, (missing[:20], twice[:20])
    uploads = [url for url in wanted if "/wp-content/uploads/" in url]
    assert any(re.search(r"-\d+x\d+\.jpe?g$", url) for url in uploads), uploads  # srcset sizes
    assert any(url.split("?")[0].endswith(".css") for url in wanted)
    if crawled.theme == BLOCK_THEME:
        assert any("/wp-includes/" in url and ".css" in url for url in wanted), sorted(wanted)


def test_reading_copy_keeps_wordpress_own_structure(crawled: WordPressCrawl,
                                                    request: pytest.FixtureRequest) -> None:
    """Issue 17: headings, list items (number, depth), quoted paragraphs (depth), links (absolute),
    images (a ``srcset`` candidate, archived), cells, emphasis, captions, footnotes and embeds of
    WordPress's ``content.rendered``, each found as such in every post's archived Markdown."""
    assert set(crawled.rendered) == {r["url"] for r in rows(crawled.run.archive)}
    total, uncaptured = structure_recall(crawled)
    figures = total.table()
    say(request, f"structure recall {crawled.theme}: " + ", ".join(
        f"{kind} {row['found']}/{row['expected']} ({row['recall']:.1%})" for kind, row in figures.items()))
    assert set(figures) == set(KINDS), figures
    short = {kind: total.expected[kind] for kind, least in REQUIRED.items() if total.expected[kind] < least}
    low = {kind: (figures[kind], [i.key for i in total.missed[kind][:5]]) for kind in REQUIRED
           if (total.share(kind) or 0.0) < RECALL}
    assert not short and not low, (short, low)
    assert not uncaptured, uncaptured[:5]
