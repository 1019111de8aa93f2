"""The on-disk archive: WARC captures, clean text, catalog, and the tools that read them.

This package never imports Scrapy, so an archive can be read, verified and re-extracted with nothing
but the archive directory and this library. Its folders follow the data, bytes first:

- ``warc/``      the bytes as the server sent them: ``capture`` (one exchange), ``records`` (WARC
                 record builder), ``writer`` (rotating writer, ``.open`` while writing), ``files``
                 (the one list of an archive's WARC files), ``reader`` (the one record reader and its
                 damage policy), ``cdxj`` (index for pywb).
- ``catalog/``   derived data, every SQL statement: ``db`` (schema, ``Catalog``), ``shards`` and
                 ``combined`` (scale-out catalogs, read as one), ``open`` (the one opener readers use),
                 ``fulltext`` and ``searchsql`` (FTS5 index and its queries), ``browse`` and
                 ``selection`` (read-only queries for the reader and the exports).
- ``extract/``   interpretation: HTML -> ``Extraction`` (body, metadata, dates, comments), and the
                 worker ``pool`` that runs it off the crawler's event loop.
- ``store``      one extracted post -> clean-text file, JSON sidecar and catalog row.
- ``maintain/``  rebuild derived data from the bytes: ``recovery`` (after a crash), ``reextract``,
                 ``reindex``, ``rebuild``, ``verify``, ``merge`` (shards into the catalog).
- ``search/``, ``export/``, ``web/``, ``cli/``: the readers, thin layers over the above.
- Shared by all: ``config`` (settings read by crawler and CLI alike), ``layout`` (where files live),
  ``urls``, ``when`` (dates people type, ISO dates), ``lock`` (one writer), ``history`` (word diffs).
"""

__version__ = "0.1.0"
