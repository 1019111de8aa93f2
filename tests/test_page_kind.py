"""The crawler's cheap page test (head and body tag first) agrees with a whole-page parse."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest

from archive.extract.dom import attr, parse
from archive.extract.encoding import decode_html
from archive.extract.page_type import _CANONICAL, PageKind, classify_page, post_page

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted((FIXTURES / "pages").glob("*.html"))
URL = "http://blog.test/2022/01/12/post/"


def _whole_page(html: str | bytes) -> PageKind:
    root = parse(decode_html(html).text)
    if not post_page(root):
        return PageKind(False, None)
    declared = attr(root, _CANONICAL, "href")
    return PageKind(True, urljoin(URL, declared.strip()) if declared else None)


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(FIXTURES)) for p in PAGES])
def test_same_verdict_and_canonical_as_the_whole_page(page: Path) -> None:
    raw = page.read_bytes()
    assert classify_page(raw, URL) == _whole_page(raw)


@pytest.mark.parametrize("head", [
    "<!-- <body class='single single-post postid-1'> -->",
    "<script>var t = '<body class=single-post>';</script>",
])
def test_a_body_tag_in_a_head_comment_or_script_does_not_decide(head: str) -> None:
    page = (f"<html><head>{head}<link rel='canonical' href='/x/'></head>"
            "<body class='home blog'><article><time datetime='2022-01-12'>x</time></article>"
            "</body></html>")
    assert classify_page(page, URL) == _whole_page(page) == PageKind(False, None)


def test_wordpress_post_decided_by_head_and_body_tag() -> None:
    page = ("<html><head><link rel='canonical' href='/2022/01/12/post/'></head>"
            "<body class='post-template-default single single-post postid-7'><p>x</p></body></html>")
    assert classify_page(page, "http://blog.test/?p=7") == PageKind(True, URL)
