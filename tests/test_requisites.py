"""Page requisites as browsers load them: what a captured page needs to replay as it looked."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

from archive.extract.cssurls import css_urls
from archive.extract.dom import parse
from archive.extract.requisites import (
    ATTACHMENT,
    FONT,
    ICON,
    IMAGE,
    MEDIA,
    SCRIPT,
    STYLESHEET,
    attachments,
    page_requisites,
    srcset_urls,
    stylesheet_requisites,
)

BASE = "https://blog.example/2024/05/a-post/"

PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="/wp-content/themes/t/style.css?ver=1">
<link rel='shortcut icon' href='/favicon.ico'><link rel="apple-touch-icon" href="/touch.png">
<link rel="preload" as="font" href="/fonts/a.woff2" crossorigin>
<link rel="alternate" type="application/rss+xml" href="/feed/">
<script src="https://s0.wp.com/wp-content/js/devicepx-jetpack.js"></script>
<style>@import url("/extra.css"); body { background: url('img/bg.png') }
@font-face { src: url(/fonts/b.woff) format("woff") } /* url(/commented-out.png) */</style>
</head><body>
<img src="a.jpg" srcset="a-300x200.jpg 300w, a,b.jpg 2x,https://i0.wp.com/blog.example/a.jpg?w=1024 1024w">
<picture><source srcset="/p.avif" type="image/avif"><img src="/p.jpg"></picture>
<img data-lazy-src="/lazy.jpg" data-lazy-srcset="/lazy-2x.jpg 2x" src="data:image/gif;base64,R0lG">
<img data-src="/jetpack.jpg" data-orig-file="/orig.jpg" data-large-file="/large.jpg">
<noscript><img src="/noscript.jpg"></noscript>
<video poster="/poster.jpg" src="/clip.mp4"><source src="/clip.webm"></video>
<audio><source src="/talk.mp3"></audio>
<div style="background-image: url(&quot;/inline.png&quot;)"></div>
<figure data-attrs='{"src":"https://substackcdn.com/image/x.png","alt":""}'></figure>
<a href="/files/report.pdf">report</a> <a href="/2024/05/another-post/">next</a>
<img src="javascript:alert(1)"> <img src="#frag">
</body></html>"""


def test_every_kind_of_reference_is_found_once_and_absolute() -> None:
    found = {r.url: r.kind for r in page_requisites(parse(PAGE), BASE)}
    assert found == {
        "https://blog.example/wp-content/themes/t/style.css?ver=1": STYLESHEET,
        "https://blog.example/favicon.ico": ICON,
        "https://blog.example/touch.png": ICON,
        "https://blog.example/fonts/a.woff2": FONT,
        "https://s0.wp.com/wp-content/js/devicepx-jetpack.js": SCRIPT,
        "https://blog.example/extra.css": STYLESHEET,
        "https://blog.example/2024/05/a-post/img/bg.png": IMAGE,
        "https://blog.example/fonts/b.woff": FONT,
        "https://blog.example/2024/05/a-post/a.jpg": IMAGE,
        "https://blog.example/2024/05/a-post/a-300x200.jpg": IMAGE,
        "https://blog.example/2024/05/a-post/a,b.jpg": IMAGE,
        "https://i0.wp.com/blog.example/a.jpg?w=1024": IMAGE,
        "https://blog.example/p.avif": IMAGE,
        "https://blog.example/p.jpg": IMAGE,
        "https://blog.example/lazy.jpg": IMAGE,
        "https://blog.example/lazy-2x.jpg": IMAGE,
        "https://blog.example/jetpack.jpg": IMAGE,
        "https://blog.example/orig.jpg": IMAGE,
        "https://blog.example/large.jpg": IMAGE,
        "https://blog.example/noscript.jpg": IMAGE,
        "https://blog.example/poster.jpg": IMAGE,
        "https://blog.example/clip.mp4": MEDIA,
        "https://blog.example/clip.webm": MEDIA,
        "https://blog.example/talk.mp3": MEDIA,
        "https://blog.example/inline.png": IMAGE,
        "https://substackcdn.com/image/x.png": IMAGE,
    }


def test_srcset_is_split_as_browsers_split_it() -> None:
    assert srcset_urls("a.jpg 1x, b,c.jpg 2x,d.jpg 640w") == ["a.jpg", "b,c.jpg", "d.jpg"]
    assert srcset_urls(" a.jpg, b.jpg ") == ["a.jpg", "b.jpg"]
    assert srcset_urls("a.jpg,b.jpg") == ["a.jpg,b.jpg"]  # no space: one URL, as in browsers
    assert srcset_urls("") == []
    assert srcset_urls("https://x.test/i.jpg?w=300,h=200 300w") == ["https://x.test/i.jpg?w=300,h=200"]


def test_base_href_is_honoured() -> None:
    page = parse('<html><head><base href="https://cdn.example/assets/"></head>'
                 '<body><img src="x.png"></body></html>')
    assert [r.url for r in page_requisites(page, BASE)] == ["https://cdn.example/assets/x.png"]


def test_css_imports_fonts_and_images_relative_to_the_stylesheet() -> None:
    css = """@import "reset.css"; @import url('print.css') print;
    @font-face { font-family: X; src: url("../fonts/x.woff2?v=2") format("woff2"), url(x.ttf) }
    .hero { background: url(  "../img/hero.jpg"  ) } .icon { background: url(data:image/png;base64,AA) }
    .esc { background: url(a\\(1\\).png) } /* .old { background: url(old.png) } */"""
    assert css_urls(css)[:2] == [("reset.css", True), ("print.css", True)]
    found = {r.url: r.kind for r in stylesheet_requisites(css, "https://blog.example/theme/css/site.css")}
    assert found == {
        "https://blog.example/theme/css/reset.css": STYLESHEET,
        "https://blog.example/theme/css/print.css": STYLESHEET,
        "https://blog.example/theme/fonts/x.woff2?v=2": FONT,
        "https://blog.example/theme/css/x.ttf": FONT,
        "https://blog.example/theme/img/hero.jpg": IMAGE,
        "https://blog.example/theme/css/a(1).png": IMAGE,
    }


def test_broken_css_gives_what_it_still_names() -> None:
    assert css_urls("body { background: url(/a.png") == []
    assert css_urls("@import 'x.css'") == [("x.css", True)]
    assert css_urls("/* never closed url(a.png)") == []


def test_attachments_are_links_to_files_from_the_post_body() -> None:
    body = parse('<div><a href="/files/report.pdf">r</a> <a href="/files/Data.XLSX?dl=1">d</a>'
                 '<a href="/wp-content/uploads/2024/05/photo.jpg">full size</a>'
                 '<a href="/2024/05/next/">next</a> <a href="mailto:x@example.org">mail</a></div>')
    assert [(r.url, r.kind) for r in attachments(body, BASE)] == [
        ("https://blog.example/files/report.pdf", ATTACHMENT),
        ("https://blog.example/files/Data.XLSX?dl=1", ATTACHMENT),
        ("https://blog.example/wp-content/uploads/2024/05/photo.jpg", ATTACHMENT)]


def test_fixture_pages_name_their_theme_stylesheets() -> None:
    """Every fixture page that links a stylesheet yields it; no page raises."""
    pages = sorted((Path(__file__).parent / "fixtures").rglob("*.html"))
    for path in pages:
        root = parse(path.read_text(encoding="utf-8", errors="replace"))
        found = page_requisites(root, "https://blog.example/post/")
        linked = {urljoin("https://blog.example/post/", href) for href in root.xpath(
            "//link[contains(concat(' ', @rel, ' '), ' stylesheet ')]/@href")}
        assert linked <= {r.url for r in found if r.kind == STYLESHEET}, path
