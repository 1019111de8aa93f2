"""Generator themes' chrome inside the post (``archive/extract/themechrome.py``) leaves the body."""

from __future__ import annotations

from archive.extract.dom import parse
from archive.extract.themechrome import remove_theme_chrome

WORDS = "<p>" + "The first note from the harbour: grey water and a heron. " * 4 + "</p>"


def _after(body: str) -> str:
    root = parse(f"<html><body>{body}</body></html>")
    remove_theme_chrome(root)
    return " ".join(" ".join(root.itertext()).split())


def test_term_lists_bare_datelines_title_blocks_and_menus_go() -> None:
    page = ('<nav><a href="/">Home</a> <a href="/about/">About</a></nav><main><h1>Hello</h1>'
            '<time datetime="2021-01-03">January 3, 2021</time>' + WORDS
            + '<div><div>Tags:</div><ul><li><a href="/tags/intro/">Intro</a></li></ul></div>'
            '<div class="mt-4"><a class="btn" href="/tags/boats/">boats</a></div></main>')
    assert _after(page) == "Hello " + _after(WORDS)
    doks = ('<article><div class="blog-header"><h1>Hello</h1><p><small>Posted in <a href="/c/">'
            'Notes</a> by <a href="/contributors/ada/">Ada</a> - 1 min read</small></p></div>'
            + WORDS + '</article><div class="related-posts"><h2>Related posts</h2></div>')
    assert _after(doks) == _after(WORDS)


def test_what_the_author_wrote_stays() -> None:
    prose = ('<main><p>Posts tagged <a href="/tags/boats/">boats</a> are about the harbour '
             'boats, written on <time>3 January</time> and later.</p>'
             '<h2 id="why">Why <a href="#why" aria-hidden="true">#</a></h2>' + WORDS + '</main>')
    assert _after(prose) == _after(prose.replace(' <a href="#why" aria-hidden="true">#</a>', ""))
    assert "boats" in _after(prose) and "3 January" in _after(prose)


def test_a_dropped_self_anchor_leaves_its_heading_text_once() -> None:
    """Hexo's ``<a class="headerlink" title="X"></a>X``: dropping the empty anchor must not
    copy the heading's text (lxml's ``drop_tree`` already keeps the tail)."""
    from archive.extract import extract_post

    html = ('<html><body><article><div class="entry-content"><p>First paragraph of the post, long '
            'enough to be kept by the extractor.</p><h2 id="Why-bother"><a href="#Why-bother" '
            'class="headerlink" title="Why bother"></a>Why bother</h2><p>The second paragraph '
            'follows the heading and is kept too.</p></div></article></body></html>')
    result = extract_post(html, "http://blog.test/2021/03/14/tides/")
    assert "## Why bother\n" in result.markdown
    assert "Why botherWhy bother" not in result.text + result.markdown
