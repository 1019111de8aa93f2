"""A content-coded body is decoded once (issue 21): the download handler's completeness check keeps
what it decoded, and the decompression middleware takes it instead of decoding it again."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.codings import DECODED, decode_to_end
from crawler.limits import BoundedCompressionMiddleware
from tests.fixtures.cutbodies import half_gzip, post

PAGE = post("A page")
URL = "http://127.0.0.1/2024/05/01/a-page/"
WHOLE = {
    "gzip": gzip.compress(PAGE),
    "x-gzip": gzip.compress(PAGE),
    "deflate": zlib.compress(PAGE),
    "raw-deflate": zlib.compress(PAGE)[2:-4],
    "br": brotli.compress(PAGE),
}


def middleware(maxsize: int = 10 * 1024 * 1024) -> BoundedCompressionMiddleware:
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": maxsize})
    crawler.stats.open_spider()
    return BoundedCompressionMiddleware.from_crawler(crawler)


def coded(body: bytes, coding: str) -> Response:
    return HtmlResponse(URL, body=body, headers={"Content-Encoding": coding,
                                                 "Content-Type": "text/html; charset=utf-8"})


def scrapy_decodes(body: bytes, coding: str) -> bytes:
    return middleware().process_response(Request(URL), coded(body, coding)).body


@pytest.mark.parametrize("name", sorted(WHOLE))
def test_a_whole_stream_is_kept_as_scrapy_decodes_it(name: str) -> None:
    coding = "deflate" if name == "raw-deflate" else name
    decoded = decode_to_end(coding, WHOLE[name], limit=10 * 1024 * 1024)
    assert decoded.complete and decoded.body == PAGE == scrapy_decodes(WHOLE[name], coding)


@pytest.mark.parametrize(("coding", "body", "complete"), [
    ("gzip", gzip.compress(PAGE[:500]) + gzip.compress(PAGE[500:]), True),  # two members
    ("gzip", gzip.compress(PAGE) + b"\0\0", True),                         # junk after it
    ("gzip", half_gzip("A page"), False),
    ("br", brotli.compress(PAGE)[:300], False),
    ("zstd", b"\x28\xb5\x2f\xfd", True),                                    # not ours to tell
], ids=["members", "junk", "cut", "br-cut", "zstd"])
def test_anything_but_one_whole_stream_is_left_to_scrapy(coding: str, body: bytes,
                                                         complete: bool) -> None:
    decoded = decode_to_end(coding, body, limit=10 * 1024 * 1024)
    assert decoded.complete is complete and decoded.body is None


def test_past_the_limit_nothing_is_kept() -> None:
    bomb = gzip.compress(b"\0" * (4 * 1024 * 1024))
    decoded = decode_to_end("gzip", bomb, limit=1024 * 1024)
    assert decoded.complete and decoded.body is None


def test_the_middleware_takes_the_decoded_body_instead_of_decoding_again() -> None:
    """The body given beside the response wins: proof it was not decoded a second time."""
    response = coded(WHOLE["gzip"], "gzip")
    DECODED[response] = b"<p>decoded by the handler</p>"
    out = middleware().process_response(Request(URL), response)
    assert out.body == b"<p>decoded by the handler</p>"
    assert b"Content-Encoding" not in out.headers and response not in DECODED


@pytest.mark.parametrize("case", ["other response", "two codings", "over the request's limit"])
def test_the_middleware_decodes_itself_when_the_known_body_may_not_be_the_answer(
        case: str) -> None:
    response = coded(WHOLE["gzip"], "gzip")
    request = Request(URL)
    if case == "other response":
        DECODED[coded(WHOLE["gzip"], "gzip")] = b"stale"
    elif case == "two codings":
        response = coded(gzip.compress(WHOLE["gzip"]), "gzip, gzip")
        DECODED[response] = gzip.compress(PAGE)
    else:
        DECODED[response] = PAGE
        request = Request(URL, meta={"download_maxsize": len(PAGE) // 2})
        with pytest.raises(IgnoreRequest):  # Scrapy's own bomb guard, counted as before
            middleware().process_response(request, response)
        return
    assert middleware().process_response(request, response).body == PAGE
