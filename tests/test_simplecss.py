"""The one-pass selector engine answers exactly what lxml's CSSSelector answers."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from lxml.cssselect import CSSSelector

from archive.extract.dom import parse
from archive.extract.encoding import decode_html
from archive.extract.simplecss import SimpleSelector, compile_css

PAGES = sorted((Path(__file__).parent / "fixtures" / "pages").glob("*.html"))
MODULES = ("prepare", "metadata", "dates", "comments", "body", "page_type", "jsonld", "core")
EDGE = """<html><body class="single single-post postid-3">
<div id="comments" class="Widget widget  sharedaddy">x<p id="a" class="x y">p</p></div>
<li id="comment-12" class="comment even"><span class="wordads-ad">ad</span></li>
<li id="li-comment-13"></li><li id="comment"></li><section class="widget-area">w</section>
<div class="navigation nav-links"><a rel="author external" href="/author/">a</a></div>
<script>s</script><time datetime="2022-01-12">t</time><div data-x="a-b-c"></div></body></html>"""
EXTRA = ("li[id^='comment-']", "[class*='wordads-']", "div.widget.sharedaddy", "a[rel~='author']",
         "div#comments", "[data-x$='-c']", "[data-x='a-b-c']", "p#a.x.y", "*.y", "html, body",
         "#missing, .missing, missing", "DIV.Widget")


def _selectors() -> dict[str, SimpleSelector]:
    found: dict[str, SimpleSelector] = {}
    for name in MODULES:
        module = importlib.import_module(f"archive.extract.{name}")
        for value in vars(module).values():
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, SimpleSelector):
                    found[item.css] = item
    for expression in EXTRA:
        compiled = compile_css(expression, min_members=1)
        assert isinstance(compiled, SimpleSelector), expression
        found[expression] = compiled
    return found


SELECTORS = _selectors()


def test_the_large_groups_take_the_fast_path() -> None:
    from archive.extract.prepare import CHROME, HEADER_CHROME
    assert isinstance(CHROME, SimpleSelector) and isinstance(HEADER_CHROME, SimpleSelector)


@pytest.mark.parametrize("page", [*PAGES, None], ids=[p.stem for p in PAGES] + ["edge"])
def test_same_elements_in_the_same_order(page: Path | None) -> None:
    root = parse(decode_html(page.read_bytes()).text if page else EDGE)
    for css, fast in SELECTORS.items():
        assert fast(root) == CSSSelector(css)(root), css
        for sub in root.iter("article", "div"):  # also from inner elements, as the readers use them
            assert fast(sub) == CSSSelector(css)(sub), css


def test_combinators_and_pseudo_classes_stay_with_lxml() -> None:
    for expression in ("article .entry-content", "blockquote > cite", "p:first-child", "a[href]"):
        assert isinstance(compile_css(expression, min_members=1), CSSSelector)
    assert isinstance(compile_css("script, style"), CSSSelector)  # too small to repay a walk
