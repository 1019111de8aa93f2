"""The crawler's cheap page test (head and body tag first) agrees with a whole-page parse."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from archive.extract.dom import attr, parse
from archive.extract.encoding import decode_html
from archive.extract.page_type import _CANONICAL, PageKind, classify_page, decide

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted([*(FIXTURES / "pages").glob("*.html"),
                *(FIXTURES / "engines").glob("detect-*/*.html")])
URL = "http://blog.test/2022/01/12/post/"
_BODY_END = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def _whole_page(html: str | bytes, listed: bool, url: str = URL) -> PageKind:
    root = parse(decode_html(html).text)
    verdict = decide(root, url, listed)
    if not verdict.is_post:
        return PageKind(False, None, verdict.reason)
    declared = attr(root, _CANONICAL, "href")
    return PageKind(True, urljoin(url, declared.strip()) if declared else None, verdict.reason)


@pytest.mark.parametrize("listed", [True, False], ids=["listed", "links"])
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(FIXTURES)) for p in PAGES])
def test_same_verdict_and_canonical_as_the_whole_page(page: Path, listed: bool) -> None:
    raw = page.read_bytes()
    assert classify_page(raw, URL, listed=listed) == _whole_page(raw, listed)


HEAD_DECIDES = ("wordpress-body-class", "ghost-body-class", "og-type-website", "og-type-profile")
HEAD_PAGES = [p for p in PAGES if classify_page(p.read_bytes(), URL, listed=True).reason
              in HEAD_DECIDES]


def test_most_fixture_pages_are_decided_by_the_head() -> None:
    assert len(HEAD_PAGES) >= 60


@pytest.mark.parametrize("page", HEAD_PAGES, ids=[str(p.relative_to(FIXTURES)) for p in HEAD_PAGES])
def test_engines_and_declared_kinds_are_decided_by_the_head(page: Path) -> None:
    """Where WordPress, Ghost or ``og:type`` decide, the rest of the page changes nothing: the
    page cut after its ``<body>`` tag and given a dated article gets the same verdict."""
    html = page.read_text(encoding="utf-8", errors="replace")
    end = _BODY_END.search(html)
    assert end is not None
    cut = html[:end.end()] + "<article><h1>x</h1><time datetime='2022-01-12'>x</time></article>"
    assert classify_page(cut, URL, listed=True) == classify_page(html, URL, listed=True)


@pytest.mark.parametrize("head", [
    "<!-- <body class='single single-post postid-1'> -->",
    "<script>var t = '<body class=single-post>';</script>",
])
def test_a_body_tag_in_a_head_comment_or_script_does_not_decide(head: str) -> None:
    page = (f"<html><head>{head}<link rel='canonical' href='/x/'></head>"
            "<body class='home blog wp-embed-responsive'><article><time datetime='2022-01-12'>x"
            "</time></article></body></html>")
    assert classify_page(page, URL, listed=True) == _whole_page(page, True) == PageKind(
        False, None, "wordpress-body-class")


def test_wordpress_post_decided_by_head_and_body_tag() -> None:
    page = ("<html><head><link rel='canonical' href='/2022/01/12/post/'></head>"
            "<body class='post-template-default single single-post postid-7'><p>x</p></body></html>")
    assert classify_page(page, "http://blog.test/?p=7", listed=False) == PageKind(
        True, URL, "wordpress-body-class")
