"""The Markdown of real generator output: code blocks without line numbers, footnotes as notes.

The pages under ``tests/fixtures/markdown/`` are what Hexo, Prism, highlight.js, Hugo (Chroma),
Jekyll (kramdown, Rouge), Python-Markdown (Pelican's, with Pygments) and markdown-it wrote (see the
README there). Pygments' ``linenos="table"`` and ``"inline"`` output is made here from the installed
Pygments. Every check reads the Markdown back through the archive's own renderer (markdown-it), so
what is tested is the HTML a reader gets, and the fixture pages of ``tests/fixtures/pages/`` are held
to the same rules: text and Markdown say the same words, each image once and archived.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from lxml.html import HtmlElement
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from archive.extract import extract_post
from archive.extract.dom import parse
from archive.extract.model import Extraction
from archive.extract.requisites import IMAGE, page_requisites
from archive.markdown_html import to_html

FIXTURES = Path(__file__).parent / "fixtures"
GENERATED = FIXTURES / "markdown"
SAMPLE = (GENERATED / "sample.py.txt").read_text(encoding="utf-8").rstrip("\n")
URL = "https://blog.example.com/2024/01/code/"


def page(fragment: str) -> str:
    return ("<!DOCTYPE html><html lang='en'><head><title>Code</title></head><body>"
            "<article class='post'><h1 class='entry-title'>Code</h1><div class='entry-content'>"
            f"<p>Before the code.</p>{fragment}<p>After the code.</p></div></article></body></html>")


def fixture_page(name: str) -> str:
    text = (GENERATED / name).read_text(encoding="utf-8")
    return text if "<article" in text else page(text)


def rendered(post: Extraction) -> HtmlElement:
    return lxml_html.fragment_fromstring(to_html(post.markdown), create_parent="div")


def pygments_page(linenos: str) -> str:
    return page(highlight(SAMPLE + "\n", PythonLexer(), HtmlFormatter(linenos=linenos)))


CODE_PAGES = {
    "hexo-highlight.html": ("python", 1), "hexo-prism.html": ("python", 1),
    "prism-line-numbers.html": ("python", 1), "highlightjs-line-numbers.html": ("python", 1),
    "hugo-chroma.html": ("python", 2), "jekyll-rouge.html": ("python", 2),
    "python-markdown-codehilite.html": ("", 2),
}


@pytest.mark.parametrize("name", sorted(CODE_PAGES))
def test_code_of_real_highlighters_is_the_code(name: str) -> None:
    language, blocks = CODE_PAGES[name]
    post = extract_post(fixture_page(name), URL)
    codes = rendered(post).findall(".//pre/code")
    assert len(codes) == blocks, post.markdown
    for code in codes:
        assert code.text_content().rstrip("\n") == SAMPLE, post.markdown  # no gutter, line per line
        assert code.get("class") == (f"language-{language}" if language else None)
    assert post.text.count(SAMPLE) == blocks  # the plain text keeps the code verbatim too
    assert not re.search(r"^\s*\d+\s*$", post.text, re.MULTILINE)  # no line number left alone


@pytest.mark.parametrize("linenos", ["table", "inline"])
def test_code_of_pygments_line_numbers(linenos: str) -> None:
    post = extract_post(pygments_page(linenos), URL)
    codes = rendered(post).findall(".//pre/code")
    assert [c.text_content().rstrip("\n") for c in codes] == [SAMPLE], post.markdown
    assert "```\n" + SAMPLE + "\n```" in post.markdown


NOTE_PAGES = ["hugo-chroma.html", "jekyll-rouge.html", "python-markdown-codehilite.html",
              "markdown-it-footnote.html"]


@pytest.mark.parametrize("name", NOTE_PAGES)
def test_footnotes_of_markdown_engines(name: str) -> None:
    post = extract_post(fixture_page(name), URL)
    tree = rendered(post)
    refs = tree.xpath(".//sup[@class='footnote-ref']/a")
    notes = tree.xpath(".//section[@class='footnotes']//li[@class='footnote-item']")
    assert len(refs) == 2 and len(notes) == 2, post.markdown
    first, second = (" ".join(n.text_content().replace("\u21a9\ufe0e", "").split()) for n in notes)
    assert first == "The first note, with code."
    assert second == "Named note."
    assert tree.xpath(".//section[@class='footnotes']//li//code")[0].text == "code"
    assert not tree.xpath(".//ol[not(@class)]/li")  # the notes are not also an ordinary list
    assert "\u21a9" not in post.text  # no "back to the text" arrows
    assert "[1]" in post.text and "[2]" in post.text


def _words(text: str) -> list[str]:
    """Words, without numbers: a list's numbers are text in one output and markup in the other."""
    return [w for w in re.findall(r"\w+", text) if not w.isdigit()]


PAGES = sorted(p for p in (FIXTURES / "pages").glob("*.html"))


@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_fixture_pages_markdown_says_what_the_text_says(path: Path) -> None:
    """The Markdown, rendered, reads as the plain text does (both come from one tree), and each
    of its images is there once, at a URL the crawl archives as the page's requisite."""
    post = extract_post(path.read_bytes(), "https://example.com/post/")
    tree = rendered(post)
    assert _words(tree.text_content()) == _words(post.text)
    assert not tree.xpath(".//script | .//style | .//iframe")
    sources = [img.get("src") for img in tree.iter("img")]
    assert sources == [i.url for i in post.images]
    assert len(set(sources)) == len(sources)
    archived = {r.url for r in page_requisites(parse(path.read_text("utf-8", "replace")),
                                                "https://example.com/post/") if r.kind == IMAGE}
    assert set(sources) <= archived
