"""A theme's dateline under the title ("3 January 2021 · intro") is no part of the post's text,
a paragraph that merely contains a date is (``archive/extract/core.py``, ``_strip_dateline``)."""

from __future__ import annotations

from archive.extract import extract_post

BODY = "The first note from the harbour: grey water, three boats and a heron that will not move."


def _page(line: str) -> str:
    return (f"<html><head><title>Hello</title></head><body><main><h1>Hello</h1>{line}<p>{BODY}</p>"
            "</main><footer>Made with Eleventy</footer></body></html>")


def test_a_dateline_of_date_and_tag_links_is_dropped() -> None:
    line = ('<p class="post-facts"><time datetime="2021-01-03">3 January 2021</time> · '
            '<a href="/tags/intro/">intro</a></p>')
    got = extract_post(_page(line), "http://blog.test/blog/hello/")
    assert (got.text, got.markdown) == (BODY, BODY)
    assert got.published is not None and got.published.date().isoformat() == "2021-01-03"


def test_a_sentence_with_a_date_stays() -> None:
    line = '<p>On <time datetime="2021-01-03">3 January 2021</time> I walked to the harbour.</p>'
    got = extract_post(_page(line), "http://blog.test/blog/hello/")
    assert got.text == f"On 3 January 2021 I walked to the harbour.\n\n{BODY}"
