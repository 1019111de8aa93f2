"""Extraction against hand-made WordPress pages with known-correct results (``*.expected.json``).

The expected texts were written from the post content itself, not from extractor output, so a change
in trafilatura or in the pruning rules shows up here as a diff.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from archive.extract import decode_html, extract_post, is_post_page

PAGES = Path(__file__).parent / "fixtures" / "pages"
SEED = Path(__file__).parent / "fixtures" / "seed" / "naive-extraction-with-wordpress-chrome.txt"
NAMES = sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))

# Chrome that must never reach the clean text (English, German, French, Spanish).
CHROME_PHRASES = (
    "Leave a Reply", "Leave a comment", "Fill in your details below or click an icon to log in",
    "You are commenting using your", "Connecting to %s", "This site uses Akismet to reduce spam",
    "Learn how your comment data is processed", "Notify me of new comments via email",
    "Notify me of new posts via email", "Post Comment", "Cancel reply", "Share this:", "Like this:",
    "Like Loading", "Post navigation", "Previous post", "Privacy & Cookies", "Blog at WordPress.com",
    "Advertisements", "Follow Blog via Email", "Your email address will not be published",
    "Proudly powered by WordPress", "Recent Posts", "Subscribe", "Report this content",
    "Schreibe einen Kommentar", "Trage deine Daten unten ein oder klicke ein Icon um dich einzuloggen",
    "Du kommentierst mit deinem", "Benachrichtige mich", "Teilen mit:", "Gefällt mir", "Ähnliche Beiträge",
    "Verbinde mit %s", "Laisser un commentaire",
    "Entrez vos coordonnées ci-dessous ou cliquez sur une icône pour vous connecter",
    "Vous commentez à l\u2019aide de votre compte", "M\u2019envoyer une notification", "Partager :",
    "J\u2019aime", "Articles similaires", "Connexion à %s", "Deja una respuesta",
    "Introduce tus datos o haz clic en un icono para iniciar sesión", "Estás comentando usando tu cuenta",
    "Compartir esto:", "Me gusta esto:", "Los comentarios están cerrados", "Este sitio web utiliza cookies",
    "Conectando a %s", "Recibir nuevos comentarios por correo", "Comments are closed", "Report this ad",
    "Kommentare sind geschlossen", "Les commentaires sont fermés", "Related posts:", "Related Posts:",
    "We value your privacy", "Manage Cookie Consent", "We use cookies", "indicates required",
    "Follow Blog via Email", "Type your email", "Save my name, email, and website", "View all posts by",
    "Previous Post", "You Might Also Like", "Post a Comment", "Join 2,400 other makers",
)
CHROME_PARAGRAPHS = ("Related", "Relacionado", "Reply", "Antworten", "Like", "Twitter", "Facebook")


META_FIELDS = ("title", "author", "published", "modified", "categories", "tags", "language",
               "site_name", "canonical_url", "image")


def _expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    return data


# Cases are generated only where a page's sidecar defines the truth, so no test is ever skipped.
TEXT_CASES = [n for n in NAMES if _expected(n)["text"] is not None]
META_CASES = [(n, f) for n in NAMES for f in META_FIELDS if f in _expected(n)]
COMMENT_CASES = [n for n in NAMES if "comments" in _expected(n)]
UNDATED_CASES = [n for n in NAMES if "published" in _expected(n) and _expected(n)["published"] is None]
QUOTING_CASES = [n for n in NAMES if _expected(n).get("quoted_chrome")]


def _load(name: str) -> tuple[bytes, dict[str, Any]]:
    expected = _expected(name)
    return (PAGES / f"{name}.html").read_bytes(), expected


def _extract(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    raw, expected = _load(name)
    captured = expected.get("captured_at")
    result = extract_post(
        raw, expected["url"], encoding=expected.get("http_charset"),
        captured_at=datetime.fromisoformat(captured) if captured else None,
    )
    return result.to_dict(), expected


def test_enough_fixture_pages() -> None:
    assert len(NAMES) >= 42


@pytest.mark.parametrize("name", NAMES)
def test_is_post_page(name: str) -> None:
    raw, expected = _load(name)
    assert is_post_page(raw, expected["url"]) is expected["is_post"]


@pytest.mark.parametrize("name", TEXT_CASES)
def test_text(name: str) -> None:
    got, expected = _extract(name)
    assert got["text"] == expected["text"]
    assert got["word_count"] == len(expected["text"].split())
    assert got["reason"] is None
    if got["title"]:
        assert not got["text"].startswith(got["title"])


@pytest.mark.parametrize(("name", "field"), META_CASES)
def test_metadata(name: str, field: str) -> None:
    got, expected = _extract(name)
    assert got[field] == expected[field]


@pytest.mark.parametrize("name", COMMENT_CASES)
def test_comments(name: str) -> None:
    got, expected = _extract(name)
    assert len(got["comments"]) == expected["comments"]
    if "comment_details" in expected:
        assert got["comments"] == expected["comment_details"]
    for comment in got["comments"]:
        assert comment["text"] not in got["text"]


@pytest.mark.parametrize("name", NAMES)
def test_no_chrome_in_text(name: str) -> None:
    got, expected = _extract(name)
    quoted = expected.get("quoted_chrome", [])
    for phrase in CHROME_PHRASES:
        if not any(phrase in q for q in quoted):
            assert phrase not in got["text"], phrase
    assert not set(got["text"].split("\n\n")) & set(CHROME_PARAGRAPHS)


@pytest.mark.parametrize("name", TEXT_CASES)
def test_no_mojibake(name: str) -> None:
    got, _ = _extract(name)
    values = [got["text"], got["title"] or "", got["author"] or "", *got["categories"], *got["tags"]]
    values += [c["text"] for c in got["comments"]] + [c["author"] or "" for c in got["comments"]]
    for value in values:
        assert "Ã" not in value and "â€" not in value and "\ufffd" not in value, value


@pytest.mark.parametrize("name", UNDATED_CASES)
def test_undated_page_has_a_reason(name: str) -> None:
    got, _ = _extract(name)
    assert got["published"] is None
    assert got["date_reason"]


@pytest.mark.parametrize("name", QUOTING_CASES)
def test_quoted_chrome_is_kept_everywhere(name: str) -> None:
    got, expected = _extract(name)
    for phrase in expected["quoted_chrome"]:
        assert phrase in got["text"], phrase


def test_two_hundred_threaded_comments() -> None:
    got, _ = _extract("tt21-200-comments")
    comments = got["comments"]
    assert len(comments) == 200
    ids = {c["id"] for c in comments}
    assert len(ids) == 200
    parents = [c["parent"] for c in comments if c["parent"] is not None]
    assert parents and all(p in ids for p in parents)
    by_id = {c["id"]: c for c in comments}

    def depth(comment: dict[str, Any]) -> int:
        return 1 if comment["parent"] is None else 1 + depth(by_id[comment["parent"]])

    assert max(depth(c) for c in comments) == 3
    for comment in comments:
        assert comment["text"] and comment["text"] not in got["text"]
        assert comment["published"] is not None
    assert "Comment 1:" not in got["text"]


def test_http_charset_beats_meta_charset() -> None:
    raw, expected = _load("charset-header-vs-meta")
    assert b"ISO-8859-1" in raw and expected["http_charset"] == "utf-8"
    got, _ = _extract("charset-header-vs-meta")
    assert "\u00c0 l\u2019aube, \u221214 \u00b0C dehors." in got["text"]


def test_quoted_chrome_is_kept() -> None:
    got, expected = _extract("wpcom-quotes-leave-a-reply")
    for phrase in expected["quoted_chrome"]:
        assert phrase in got["text"]
    assert got["text"].count("Leave a Reply") == 1  # the quote, not the form heading


def test_seed_post_body_is_exactly_the_naive_body_without_chrome() -> None:
    naive = SEED.read_text(encoding="utf-8")
    start = naive.index("Monday\u2019s negotiations")
    end = naive.index("That the U.S. does not like that is not Russia\u2019s problem.")
    body = naive[start:end] + "That the U.S. does not like that is not Russia\u2019s problem."
    got, _ = _extract("wpcom-seed-moon-of-alabama")
    assert got["text"] == body
    assert got["published"] is not None and got["published"].startswith("2022-01-12")
    assert got["title"] == "With No Progress In Talks Russia Will Have To React"
    assert got["site_name"] == "Moon of Alabama"
    chrome = naive[naive.index("Leave a Reply"):].split("\n\n")
    for line in (c.strip() for c in chrome):
        if line:
            assert line not in got["text"]


def test_encoding_header_wins_over_meta_and_detection_fills_in() -> None:
    text = "<html><head><meta charset='utf-8'></head><body><p>Müller\u2019s café</p></body></html>"
    assert decode_html(text.encode("cp1252"), "windows-1252").text == text
    assert decode_html(text.encode("cp1252")).text == text  # meta lies: UTF-8 fails, fallback
    assert decode_html(text.encode("utf-8")).source == "meta"
    assert decode_html(b"\xef\xbb\xbf<p>\xc3\xa9</p>", "latin-1").text == "<p>é</p>"  # BOM wins


def test_undeclared_latin1_is_not_mojibake() -> None:
    raw, _ = _load("latin1-undeclared")
    decoded = decode_html(raw)
    assert "Albaicín" in decoded.text and "Ã" not in decoded.text


def test_relative_dateline_needs_capture_time() -> None:
    raw, expected = _load("relative-dateline")
    without = extract_post(raw, expected["url"])
    assert without.published is None
    assert without.date_reason is not None and "relative" in without.date_reason
    captured = datetime(2024, 3, 10, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    with_capture = extract_post(raw, expected["url"], captured_at=captured)
    assert with_capture.published == captured - timedelta(days=3)


def test_no_date_is_none_with_reason_not_a_guess() -> None:
    page = (
        "<html lang='en'><body class='single single-post postid-3'><article class='post'>"
        "<h1 class='entry-title'>Undated</h1><div class='entry-content'><p>Written in 2019, "
        "copyright 2020, about events of 1999.</p></div></article></body></html>"
    )
    result = extract_post(page, "https://blog.example/2021/05/undated/")
    assert result.published is None
    assert result.date_reason


@pytest.mark.parametrize(
    ("body_class", "expected"),
    [
        ("post-template-default single single-post postid-7", True),
        ("single postid-7 single-format-standard", True),
        ("page-template-default page page-id-2", False),
        ("archive category category-garden", False),
        ("search search-results", False),
        ("error404", False),
        ("home blog paged paged-2", False),
    ],
)
def test_is_post_page_body_classes(body_class: str, expected: bool) -> None:
    page = f"<html><body class='{body_class}'><article><p>x</p></article></body></html>"
    assert is_post_page(page, "https://blog.example/") is expected


def test_is_post_page_generic_shapes() -> None:
    dated = "<article><time datetime='2024-01-01'>1 Jan</time><p>x</p></article>"
    assert is_post_page(f"<html><body>{dated}</body></html>", "https://x.example/")
    assert not is_post_page(f"<html><body>{dated}{dated}</body></html>", "https://x.example/")
    assert not is_post_page("<html><body><article><p>x</p></article></body></html>", "https://x/")
    jsonld = '<script type="application/ld+json">{"@type":"BlogPosting","headline":"x"}</script>'
    assert is_post_page(f"<html><head>{jsonld}</head><body><p>x</p></body></html>", "https://x/")


def test_empty_page_has_reason() -> None:
    result = extract_post(b"", "https://x.example/")
    assert result.text == "" and result.reason == "no main text found"
    assert result.to_dict()["published"] is None


def test_to_dict_is_json_ready() -> None:
    got, _ = _extract("tt1-classic-comments")
    assert json.loads(json.dumps(got)) == got
    published = datetime.fromisoformat(got["published"])
    assert published.tzinfo is not None and published.astimezone(UTC).hour == 8


def test_body_goes_through_trafilatura(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #3: trafilatura extracts the body; our rules only prune and prepare its input."""
    import trafilatura

    calls: list[object] = []
    real = trafilatura.bare_extraction

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    got, expected = _extract("tt17-captions-sharing")
    assert len(calls) == 1 and got["text"] == expected["text"]


def test_short_post_keeps_its_paragraphs_and_breaks() -> None:
    page = (
        "<html lang='en'><body class='single single-post postid-3'><article class='post'>"
        "<h1 class='entry-title'>Short</h1><div class='entry-content'><p>Back from the coast.</p>"
        "<p>Photos<br>tomorrow.</p></div></article></body></html>"
    )
    result = extract_post(page, "https://blog.example/2021/05/short/")
    assert result.text == "Back from the coast.\n\nPhotos\ntomorrow."


def test_a_post_ending_on_a_heading_keeps_it() -> None:
    """Real WordPress showed it: trafilatura drops a heading that ends the body."""
    html = ("<html><body class='single single-post'><article class='post'><div class='entry-content'>"
            "<p>First paragraph of text that is long enough to count as content for sure.</p>"
            "<p>Second paragraph by the end of May.</p><h2>The clay soil</h2></div></article>"
            "</body></html>")
    assert extract_post(html, "http://b.example/a/").text.endswith("May.\n\nThe clay soil")
