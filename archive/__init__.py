"""The on-disk archive: WARC captures, clean text, catalog, and the tools that read them.

This package never imports Scrapy, so an archive can be read, verified and re-extracted with nothing
but the archive directory and this library.
"""

__version__ = "0.1.0"
