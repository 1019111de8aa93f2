"""HTML -> clean blog post: text, metadata, dates and comments, without Scrapy.

Usable offline to re-extract from WARCs::

from archive.extract import extract_post post = extract_post(body_bytes, url, encoding="utf-8",
captured_at=warc_date)
"""

from archive.extract.body import BodyOptions
from archive.extract.core import extract_post, is_post_page
from archive.extract.encoding import Decoded, decode_html
from archive.extract.model import Comment, Extraction

__all__ = [
    "BodyOptions",
    "Comment",
    "Decoded",
    "Extraction",
    "decode_html",
    "extract_post",
    "is_post_page",
]
