"""Canonical URLs, trap rules and safe file names."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.layout import Layout, safe_component, write_atomic
from archive.urls import canonical_url, is_trap, site_of


@pytest.mark.parametrize(("raw", "expected"), [
    ("https://Example.org:443/2022/01/hi/?utm_source=x&utm_medium=y#comments",
     "https://example.org/2022/01/hi/"),
    ("http://example.org/a/?fbclid=abc&p=3", "http://example.org/a/?p=3"),
    ("http://127.0.0.1:8080/post/#respond", "http://127.0.0.1:8080/post/"),
    ("https://example.org", "https://example.org/"),
])
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


@pytest.mark.parametrize("url", [
    "https://b.org/2022/01/12/post/?replytocom=5", "https://b.org/2022/01/12/post/?share=twitter",
    "https://b.org/2022/01/12/post/?like_comment=3", "https://b.org/wp-login.php?redirect_to=x",
    "https://b.org/wp-admin/", "https://b.org/2022/01/12/post/feed/",
    "https://b.org/2022/01/12/post/embed/", "https://b.org/2022/01/12/post/amp/",
    "https://b.org/2022/01/12/post/comment-page-2/", "https://b.org/?m=202201",
])
def test_traps(url: str) -> None:
    assert is_trap(url)


@pytest.mark.parametrize("url", [
    "https://b.org/", "https://b.org/feed/", "https://b.org/page/2/", "https://b.org/?p=12",
    "https://b.org/2022/01/12/post/", "https://b.org/category/news/", "https://b.org/2022/01/",
    "https://b.org/wp-json/wp/v2/posts?per_page=100&page=2",
])
def test_not_traps(url: str) -> None:
    assert not is_trap(url)


def test_site_of_keeps_port() -> None:
    assert site_of("http://127.0.0.1:8080/x") == "127.0.0.1:8080"
    assert site_of("https://Example.org/x") == "example.org"


@pytest.mark.parametrize("url", [
    "http://evil.org/../../etc/passwd", "http://evil.org/%2e%2e/%2e%2e/x",
    "http://evil.org/a/" + "x" * 1000, "http://evil.org/CON", "http://evil.org/a%00b/",
    "http://evil.org/%2Fetc%2Fpasswd", "http://évil.org/ünïcødé/",
])
def test_text_paths_stay_inside_and_short(tmp_path: Path, url: str) -> None:
    layout = Layout(tmp_path)
    path = layout.text_path(url, 2022)
    assert path.resolve().is_relative_to(tmp_path.resolve())
    assert len(path.name) < 90 and "\x00" not in str(path)
    assert path.stem.split("-")[0].lower() != "con" or path.stem.startswith("con-")


def test_text_paths_never_collide(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    a = layout.text_path("http://b.org/x/a-b/", 2022)
    b = layout.text_path("http://b.org/y/a-b/", 2022)
    assert a != b


def test_safe_component_reserved_names() -> None:
    assert safe_component("nul") == "nul-"
    assert safe_component("../..") == ""


def test_resolve_refuses_escape(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Layout(tmp_path).resolve("../outside.txt")


def test_write_atomic_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.txt"
    write_atomic(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert [p.name for p in target.parent.iterdir()] == ["b.txt"]
