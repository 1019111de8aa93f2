"""Comments keep their structure as Markdown and carry no theme chrome (issue 17, point 4).

Checked on every theme of the test corpus: the fixture pages (``tests/fixtures/pages``), the
fixture blogs served over HTTP (Twenty Twenty-One, Twenty Twenty-Three and WordPress.com markup
with Jetpack's comment likes), WordPress core's own comment markup with the plugins that add to
it, and a real WordPress rendering comments a commenter posted through its comment form. Then
through the archive: sidecar, catalog rows (an older catalog without the column included),
``reindex`` and the command line.
"""

from __future__ import annotations

import http.client
import json
import shutil
import sqlite3
import urllib.parse
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import Catalog
from archive.catalog.combined import open_combined
from archive.catalog.open import open_read
from archive.export.post import load_post
from archive.extract import extract_post
from archive.extract.comments import read_comments
from archive.extract.dom import parse
from archive.extract.markdown import escape
from archive.extract.model import Comment, Extraction
from archive.layout import Layout
from archive.store import PostStore, content_hash
from archive.warc.capture import WarcLocation
from tests.conftest import CrawlRun, run_cli
from tests.fixtures.blogs.data import BLOGS
from tests.fixtures.server import FixtureServer
from tests.wordpress.crawls import normal
from tests.wordpress.site import BLOCK_THEME, CLASSIC_THEME, WordPressSite

PAGES = Path(__file__).parent / "fixtures" / "pages"
# What themes and plugins print beside a comment; the tests look for it, the extractor never does.
CHROME_PHRASES = ("Log in to Reply", "Loading...", "Liked by", "says:", "sagt:", "awaiting moderation",
                  "Rate this", "Reply to ", "like_comment", "(Edit)", "Like or Dislike")
CHROME_WORDS = ("Like", "Reply", "Edit", "Antworten", "Responder", "Répondre", "Gefällt mir",
                "J\u2019aime", "Me gusta", "Delete", "Loading...")


def chrome_in(comment: Comment) -> list[str]:
    """Chrome phrases anywhere, chrome words as a line or ending the comment, text or Markdown."""
    found = []
    for value in (comment.text, comment.markdown):
        found += [p for p in CHROME_PHRASES if p in value]
        found += [line for line in value.splitlines() if line.strip() in CHROME_WORDS]
        found += [w for w in CHROME_WORDS if value.rstrip().endswith(" " + w)]
    return found


def _page(name: str) -> tuple[Extraction, dict[str, Any]]:
    expected = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    captured = expected.get("captured_at")
    result = extract_post((PAGES / f"{name}.html").read_bytes(), expected["url"],
                          encoding=expected.get("http_charset"),
                          captured_at=datetime.fromisoformat(captured) if captured else None)
    return result, expected


PAGES_WITH_COMMENTS = sorted(
    p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json")
    if json.loads(p.read_text(encoding="utf-8")).get("comments"))


def test_the_corpus_has_pages_with_comments() -> None:
    assert len(PAGES_WITH_COMMENTS) >= 15


@pytest.mark.parametrize("name", PAGES_WITH_COMMENTS)
def test_fixture_page_comments_carry_no_chrome(name: str) -> None:
    result, expected = _page(name)
    assert len(result.comments) == expected["comments"]
    for comment in result.comments:
        assert comment.text and comment.markdown, comment
        assert not chrome_in(comment), (comment, chrome_in(comment))


def test_the_classic_theme_signature_line_is_author_and_date_not_text() -> None:
    """WordPress 1.5's "classic" theme: ``<p><cite>Comment by AUTHOR — DATE</cite></p>``."""
    result, _ = _page("classic-storycontent-at-time")
    (comment,) = result.comments
    assert comment.text == "I used to take the 7:15 from there. Sad news."
    assert (comment.author, comment.published) == ("Pam", datetime(2022, 1, 12, 21, 40))


# -- the fixture blogs, over HTTP -------------------------------------------------------------
@pytest.mark.parametrize("blog", ["classic", "block", "wpcom"])
def test_fixture_blog_comments_are_what_readers_wrote(blog: str, server: FixtureServer) -> None:
    """Every comment of every post: its text exactly, its Markdown the same text escaped, and
    nothing of the Jetpack "Like" button, the reply link or the "says:" line."""
    spec = BLOGS[blog]
    seen = 0
    for post in (p for p in spec.posts if p.comments):
        url = spec.post_url(server.urls[blog], post)
        with urllib.request.urlopen(url, timeout=10) as reply:
            result = extract_post(reply.read(), url)
        got = {c.id: (c.parent, c.text, c.markdown) for c in result.comments}
        want = {str(c.id): (str(c.parent) if c.parent else None, c.text, escape(c.text))
                for c in post.comments}
        assert got == want, url
        assert not [chrome_in(c) for c in result.comments if chrome_in(c)]
        seen += len(got)
    assert seen >= 3


# -- WordPress core's comment markup and the plugins that add to it ----------------------------
# ``Walker_Comment::comment`` (themes without HTML5 comment markup) for a comment held for
# moderation, as its commenter sees it, with Jetpack's comment likes appended to the text, a
# rating plugin and "Log in to Reply" (a site where only registered users comment); then a reply
# in ``html5_comment`` markup with WP ULike and Comments Like Dislike buttons.
CORE_MARKUP = """<html><body><ol class="commentlist">
<li class="comment even thread-even depth-1 parent" id="comment-41">
<div id="div-comment-41" class="comment-body">
<div class="comment-author vcard"><img alt='' src='a.png' class='avatar avatar-32 photo' />
<cite class="fn"><a href="https://ana.example" class="url" rel="ugc external nofollow">Ana</a></cite>
<span class="says">says:</span></div>
<em class="comment-awaiting-moderation">Your comment is awaiting moderation.</em>
<br />
<div class="comment-meta commentmetadata"><a href="/post/#comment-41">March 3, 2022 at 9:15 am</a>
&nbsp;&nbsp;<a class="comment-edit-link"
 href="/wp-admin/comment.php?action=editcomment&amp;c=41">(Edit)</a></div>
<p>Two things. First, the <a href="/2022/03/01/earlier-post/" rel="nofollow ugc">earlier post</a>
said the <em>opposite</em>; second, <code>fig_2</code> is *not* mislabelled.</p>
<blockquote><p>The bridge opened in 1932.</p></blockquote>
<p>Reply</p>
<p>Like it or not, that date is wrong.</p>
<div class="rating-container"><span class="rating-always-on">Rate this:</span>
<div class="crfp-rating crfp-rating-4">4</div></div>
<p id="comment-like-41" data-liked="comment-not-liked" class="comment-likes comment-not-liked">
<a href="/post/?like_comment=41&amp;_wpnonce=1a2b" class="comment-like-link needs-login"
 rel="nofollow" data-blog="7"><span>Like</span></a><span id="comment-like-count-41"
 class="comment-like-feedback">Liked by <a href="#" class="view-likers">2 people</a></span></p>
<div class="comment-likes-widget-placeholder"><span class="loading">Loading...</span></div>
<div class="reply"><a rel="nofollow" class="comment-reply-login"
 href="/wp-login.php?redirect_to=%2Fpost%2F">Log in to Reply</a></div>
</div>
<ul class="children">
<li id="comment-42" class="comment odd alt depth-2">
<article id="div-comment-42" class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Ben</b>
<span class="says">says:</span></div><div class="comment-metadata"><a href="/post/#comment-42">
<time datetime="2022-03-03T10:00:00+00:00">March 3, 2022 at 10:00 am</time></a>
<span class="edit-link"><a class="comment-edit-link" href="/wp-admin/comment.php?c=42">Edit</a></span>
</div></footer>
<div class="comment-content"><p>Agreed &#8211; see <a href="https://example.org/bridges">the list</a>.
<img src="/wp-includes/images/smilies/simple-smile.png" alt=":)" class="wp-smiley" /></p>
<div class="wpulike wpulike-default"><div class="wp_ulike_general_class wp_ulike_is_not_liked">
<button type="button" class="wp_ulike_btn wp_ulike_put_image">Like</button>
<span class="count-box">3</span></div></div>
<div class="cld-like-dislike-wrap cld-template-1"><div class="cld-like-wrap cld-common-wrap">
<a href="javascript:void(0)" class="cld-like-trigger">Like</a><span class="cld-like-count-wrap">3</span>
</div></div></div>
<div class="reply"><a rel="nofollow" class="comment-reply-link" href="/post/?replytocom=42#respond"
 aria-label="Reply to Ben">Reply</a></div>
</article></li></ul></li></ol></body></html>"""

ANA_MARKDOWN = """Two things. First, the [earlier post](https://bridges.example/2022/03/01/earlier-post/) \
said the *opposite*; second, `fig_2` is \\*not\\* mislabelled.

> The bridge opened in 1932.

Reply

Like it or not, that date is wrong."""


def test_core_markup_keeps_the_comment_and_drops_every_widget() -> None:
    ana, ben = read_comments(parse(CORE_MARKUP), "en", "https://bridges.example/2022/03/03/post/")
    assert (ana.id, ana.author, ben.id, ben.parent, ben.author) == ("41", "Ana", "42", "41", "Ben")
    assert ana.markdown == ANA_MARKDOWN
    assert ana.text == ("Two things. First, the earlier post said the opposite; second, fig_2 is "
                        "*not* mislabelled.\n\nThe bridge opened in 1932.\n\nReply\n\n"
                        "Like it or not, that date is wrong.")
    assert ben.markdown == "Agreed \u2013 see [the list](https://example.org/bridges). :)"
    assert ben.text == "Agreed \u2013 see the list. :)"
    assert not chrome_in(ben)


def test_blogger_breaks_are_paragraphs_and_line_breaks() -> None:
    page = """<html><body><ol><li class="comment" id="c9"><div class="comment-block">
    <p class="comment-content">One<br /><br />Two<br />still two</p>
    <span class="comment-actions secondary-text"><a class="comment-reply">Reply</a></span>
    </div></li></ol></body></html>"""
    (comment,) = read_comments(parse(page), None, "https://x.blogspot.com/p.html")
    assert comment.markdown == "One\n\nTwo\\\nstill two"
    assert comment.text == "One\n\nTwo\nstill two"


def test_lists_code_and_nested_quotes() -> None:
    page = """<html><body><ol><li class="comment" id="comment-3"><div class="comment-content">
    <ol start="3"><li>third</li><li>fourth <ul><li>inner</li></ul></li></ol>
    <blockquote><p>outer</p><blockquote><p>inner</p></blockquote></blockquote>
    <pre>if a:\n    b = [1]</pre><h3># heading</h3></div></li></ol></body></html>"""
    (comment,) = read_comments(parse(page), None, "https://x.example/p/")
    assert comment.markdown == ("3. third\n4. fourth\n   - inner\n\n> outer\n>\n> > inner\n\n"
                                "```\nif a:\n    b = [1]\n```\n\n### # heading")
    assert comment.text == ("3. third\n4. fourth\n  - inner\n\nouter\n\ninner\n\n"
                            "if a:\n    b = [1]\n\n# heading")


# -- through the archive: sidecar, catalog, older catalogs, reindex, command line --------------
URL = "https://bridges.example/2022/03/03/post/"
CAPTURED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def extraction() -> Extraction:
    comments = tuple(read_comments(parse(CORE_MARKUP), "en", URL))
    return Extraction(
        url=URL, canonical_url=URL, title="Bridges", author="Ed", published=None, modified=None,
        categories=(), tags=(), language="en", site_name=None, image=None,
        text="A post about bridges.", word_count=4, comments=comments,
        markdown="A post about bridges.")


def archive_post(root: Path, catalog: Catalog | None = None, record: str = "<urn:uuid:1>",
                 post: Extraction | None = None) -> None:
    layout = Layout(root)
    own = catalog or Catalog(layout.catalog_path)
    try:
        assert PostStore(layout, own).save(URL, URL, CAPTURED, post or extraction(),
                                           WarcLocation("a.warc.gz", 0, 10, record, None))
    finally:
        if catalog is None:
            own.close()


def test_the_sidecar_and_the_catalog_carry_comment_markdown(tmp_path: Path) -> None:
    archive_post(tmp_path)
    layout = Layout(tmp_path)
    with Catalog(layout.catalog_path) as catalog:
        row = catalog.find(URL)
        assert row is not None
        sidecar = json.loads(layout.resolve(row["meta_path"]).read_text(encoding="utf-8"))
        assert Extraction.from_dict(sidecar).comments == extraction().comments
        assert sidecar["comments"][0]["markdown"] == ANA_MARKDOWN
        rows = catalog.comments(int(row["id"]))
        assert [(r["comment_id"], r["text"], r["markdown"]) for r in rows] == [
            (c.id, c.text, c.markdown) for c in extraction().comments]
        view = load_post(layout, catalog, row)
    assert [(c.comment_id, c.depth, c.markdown) for c in view.comments] == [
        ("41", 0, ANA_MARKDOWN), ("42", 1, extraction().comments[1].markdown)]


def test_comment_without_markdown_is_the_dict_it_always_was() -> None:
    comment = Comment("c1", None, "Bo", None, "Nice.", None)
    assert comment.to_dict() == {"id": "c1", "parent": None, "author": "Bo", "published": None,
                                 "text": "Nice.", "anchor": None}
    rich = replace(comment, markdown="*Nice.*")
    assert Comment.from_dict(rich.to_dict()) == rich and Comment.from_dict(comment.to_dict()) == comment


def test_a_post_archived_before_comment_markdown_is_not_a_new_version() -> None:
    """The stored hash of an older archive had no Markdown, in the body or in comments."""
    new = extraction()
    old = replace(new, markdown="", comments=tuple(replace(c, markdown="") for c in new.comments))
    assert content_hash(new, legacy=True) == content_hash(old)
    assert content_hash(new) != content_hash(old)


def downgrade(path: Path) -> None:
    """The catalog as it was before comments had Markdown."""
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE comments DROP COLUMN markdown")
    db.commit()
    db.close()


def comment_columns(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [row[1] for row in db.execute("PRAGMA table_info(comments)")]
    finally:
        db.close()


def test_an_older_catalog_is_read_as_it_is_and_migrated_when_written(tmp_path: Path) -> None:
    archive_post(tmp_path)
    layout = Layout(tmp_path)
    Catalog(layout.catalog_path).single_file()
    downgrade(layout.catalog_path)
    before = layout.catalog_path.read_bytes()
    with open_read(layout) as catalog:  # the web reader: read-only, never migrates
        row = catalog.find(URL)
        assert row is not None
        view = load_post(layout, catalog, row)
    assert [(c.text, c.markdown) for c in view.comments] == [
        (c.text, "") for c in extraction().comments]
    assert layout.catalog_path.read_bytes() == before
    listed = run_cli("comments", URL, "--json", archive=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert [json.loads(line)["markdown"] for line in listed.stdout.splitlines()] == ["", ""]
    assert "markdown" in comment_columns(layout.catalog_path)  # opened for writing: migrated
    edited = replace(extraction(), text="A post about bridges, edited.")
    with Catalog(layout.catalog_path) as catalog:
        archive_post(tmp_path, catalog, record="<urn:uuid:2>", post=edited)
        rows = [dict(r) for r in catalog.db.execute("SELECT version_id, markdown FROM comments")]
    assert [r["markdown"] for r in rows] == ["", ""] + [c.markdown for c in extraction().comments]


def test_an_older_shard_folds_into_a_newer_catalog(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    layout.shard_dir.mkdir(parents=True)
    shard = layout.shard_path("host-1")
    with Catalog(shard) as catalog:
        archive_post(tmp_path, catalog)
        catalog.single_file()
    downgrade(shard)
    with open_combined(layout) as combined:
        row = combined.find(URL)
        assert row is not None
        rows = combined.comments(int(row["id"]))
    assert [(r["text"], r["markdown"]) for r in rows] == [
        (c.text, "") for c in extraction().comments]
    merged = run_cli("merge", archive=tmp_path)
    assert merged.returncode == 0, merged.stderr
    assert "markdown" in comment_columns(layout.catalog_path)


def crawled_comments(archive: Path) -> list[dict[str, Any]]:
    db = sqlite3.connect(Layout(archive).catalog_path)
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute(
            "SELECT p.url, c.comment_id, c.text, c.markdown FROM comments c JOIN versions v ON "
            "v.id = c.version_id JOIN posts p ON p.id = v.post_id ORDER BY p.url, c.comment_id")]
    finally:
        db.close()


def test_a_crawl_and_reindex_catalog_comment_markdown(crawled: CrawlRun, tmp_path: Path) -> None:
    rows = crawled_comments(crawled.archive)
    assert len(rows) >= 10
    for row in rows:
        assert row["markdown"] == escape(row["text"]) and row["text"], row
        assert not chrome_in(Comment(row["comment_id"], None, None, None, row["text"], None,
                                     row["markdown"])), row
    archive = tmp_path / "archive"
    shutil.copytree(crawled.archive, archive)
    result = run_cli("reindex", "--json", archive=archive)
    assert result.returncode == 0, result.stderr
    assert crawled_comments(archive) == rows


# -- a real WordPress, commented on through its own comment form ------------------------------
TYPED = ("Two notes on this, with <a href=\"/about/\">the about page</a> and <em>emphasis</em>.\n\n"
         "<blockquote>A sentence quoted from the post.</blockquote>\n\n"
         "Reply to me if you like: Like it or not, <code>x_y</code> is <strong>bold</strong>.")
TYPED_MARKDOWN = ("Two notes on this, with [the about page]({home}about/) and *emphasis*.\n\n"
                  "> A sentence quoted from the post.\n\n"
                  "Reply to me if you like: Like it or not, `x_y` is **bold**.")


def post_comment(site: WordPressSite, source: str, fields: dict[str, str]) -> str:
    """POST the comment form as a browser does, from ``source`` (WordPress refuses a second
    comment from one address within 15 s); the address WordPress redirects to."""
    connection = http.client.HTTPConnection("127.0.0.1", site.web.port, timeout=60,
                                            source_address=(source, 0))
    try:
        connection.request("POST", "/wp-comments-post.php", urllib.parse.urlencode(fields),
                           {"Content-Type": "application/x-www-form-urlencoded"})
        reply = connection.getresponse()
        reply.read()
    finally:
        connection.close()
    assert reply.status == 302, reply.status
    return str(reply.getheader("Location"))


@pytest.fixture(scope="module")
def wordpress_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A post of a real WordPress after two comments: one by a reader approved before (shown to
    everyone), one by a first-time commenter (held, shown to them with the moderation note);
    its page, and the held comment's preview, in the classic and the block theme."""
    site = WordPressSite(tmp_path_factory.mktemp("wordpress"))
    try:
        site.start()
        post = next(p for p in site.export()["posts"]
                    if any(c["author_raw"] == "Maria" for c in p["comments"]))
        form = {"url": "", "comment_post_ID": str(post["id"]), "comment_parent": "0"}
        shown = post_comment(site, "127.0.0.1", {**form, "comment": TYPED, "author": "Maria",
                                                 "email": "maria@example.net"})
        held = post_comment(site, "127.0.0.2", {**form, "comment": "My first comment here.",
                                                "author": "Newcomer", "email": "new@example.net"})
        pages: dict[str, Any] = {"home": site.url, "post": site.export()["posts"]}
        for theme in (CLASSIC_THEME, BLOCK_THEME):
            site.switch_theme(theme)
            for name, url in (("page", post["url"]), ("preview", held)):
                with urllib.request.urlopen(url, timeout=30) as reply:
                    pages[f"{theme} {name}"] = extract_post(reply.read(), url)
        pages["ids"] = (shown.rsplit("#comment-", 1)[1], held.rsplit("#comment-", 1)[1])
        return pages
    finally:
        site.stop()


@pytest.mark.wordpress
@pytest.mark.parametrize("theme", ["twentytwentyone", "twentytwentythree"])
def test_real_wordpress_comments_keep_their_structure(theme: str,
                                                      wordpress_pages: dict[str, Any]) -> None:
    shown, held = wordpress_pages["ids"]
    page: Extraction = wordpress_pages[f"{theme} page"]
    typed = next(c for c in page.comments if c.id == shown)
    assert typed.author == "Maria"
    assert typed.markdown == TYPED_MARKDOWN.format(home=wordpress_pages["home"])
    assert typed.text == ("Two notes on this, with the about page and emphasis.\n\n"
                          "A sentence quoted from the post.\n\n"
                          "Reply to me if you like: Like it or not, x_y is bold.")
    assert held not in {c.id for c in page.comments}
    preview: Extraction = wordpress_pages[f"{theme} preview"]
    newcomer = next(c for c in preview.comments if c.id == held)
    assert (newcomer.text, newcomer.markdown) == ("My first comment here.",) * 2


@pytest.mark.wordpress
@pytest.mark.parametrize("theme", ["twentytwentyone", "twentytwentythree"])
def test_real_wordpress_comments_are_wordpress_own_text(theme: str,
                                                        wordpress_pages: dict[str, Any]) -> None:
    """Every other comment on the page: the text WordPress renders for it, and no chrome."""
    typed = wordpress_pages["ids"][0]  # its own words include "Reply" and "Like": checked above
    for name in ("page", "preview"):
        page: Extraction = wordpress_pages[f"{theme} {name}"]
        own = next(p for p in wordpress_pages["post"] if p["url"] == page.url.split("?")[0])
        texts = {str(c["id"]): normal(c["text"]) for c in own["comments"]}
        others = [c for c in page.comments if c.id != typed]
        assert len(others) >= 2
        for comment in others:
            assert not chrome_in(comment), comment
            assert normal(comment.text) == texts.get(comment.id, "My first comment here."), comment
