"""The local web reader behind ``blogarchive serve``: reading view, browsing, search and replay.

It only reads the archive directory: the catalog (opened read-only), the reading copies and the
WARCs. Nothing is ever fetched from the live web; archived pages are replayed from the WARCs inside
a sandbox, so their scripts never run with the reader's privileges.
"""

from archive.web.app import ReaderApp, make_server

__all__ = ["ReaderApp", "make_server"]
