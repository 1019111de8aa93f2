"""Odd but legitimate bodies (issue 15, defect 7): UTF-16 pages, very deep nesting.

Each was lost before: UTF-16 (by BOM or by header) looked binary to the crawler's sniff, a page
whose meta said UTF-16 was decoded as such, and lxml dropped all text past 256 nesting levels.
"""

from __future__ import annotations

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from archive.extract.core import extract_post
from archive.extract.encoding import decode_html
from crawler.limits import ContentGuardMiddleware

PAGE = ('<html><head><title>Grüße</title><meta property="og:type" content="article"></head>'
        '<body><article><h1>Grüße</h1><p>Grüße aus Köln: ein Beitrag über Gärten und '
        'Bäume, lang genug für einen Text.</p></article></body></html>')


def guard() -> ContentGuardMiddleware:
    return ContentGuardMiddleware.from_crawler(get_crawler())


@pytest.mark.parametrize(("body", "content_type"), [
    (PAGE.encode("utf-16"), "text/html"),                       # BOM, no charset
    (PAGE.encode("utf-16-le"), "text/html; charset=utf-16le"),  # declared by header
    (PAGE.encode("utf-16-be"), "text/html; charset=UTF-16BE"),
    (PAGE.encode("utf-16-le"), "text/html; charset=utf-16"),
], ids=["bom", "header-le", "header-be", "header-utf16"])
def test_utf16_html_is_not_binary(body: bytes, content_type: str) -> None:
    url = "http://127.0.0.1/utf16/"
    response = HtmlResponse(url, body=body, headers={"Content-Type": content_type})
    assert guard().process_response(Request(url), response) is response
    encoding = content_type.partition("charset=")[2] or None
    result = extract_post(body, url, encoding=encoding)
    assert "Grüße aus Köln" in result.text


def test_binary_still_refused() -> None:
    url = "http://127.0.0.1/binary/"
    response = HtmlResponse(url, body=bytes(range(256)) * 16,
                            headers={"Content-Type": "text/html; charset=utf-16"})
    with pytest.raises(IgnoreRequest):
        guard().process_response(Request(url), response)


def test_meta_utf16_on_an_ascii_page_means_utf8() -> None:
    """WHATWG: a ``<meta charset=utf-16>`` that could be read at all was not UTF-16."""
    data = '<html><head><meta charset="utf-16"></head><body><p>Köln</p></body></html>'
    assert decode_html(data.encode("utf-8")).text.endswith("<p>Köln</p></body></html>")


def test_text_after_300_nesting_levels_is_kept() -> None:
    page = ("<html><head><title>Deep</title></head><body><article>" + "<div>" * 300
            + "<p>Deep words at the bottom of a nest of three hundred divs.</p>" + "</div>" * 300
            + "<p>Words after the nest, still in the post.</p></article></body></html>")
    text = extract_post(page.encode(), "http://127.0.0.1/deep/").text
    assert "Deep words at the bottom" in text and "Words after the nest" in text
