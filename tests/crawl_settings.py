"""The project's settings for every crawl the test suite starts (``SCRAPY_SETTINGS_MODULE``, set
in ``tests/conftest.py``): the same as a user's, except that page requisites are only asked from
the blog's own host and ``localhost`` (the fixtures' stand-in CDN). Fixture pages copy real
WordPress markup, which names Gravatar, i0.wp.com and other hosts on the internet: a test never
sends them a request."""

from crawler.settings import *  # noqa: F403 - the product's settings, unchanged

ARCHIVE_REQUISITE_HOSTS = ["localhost"]
