"""Keeping an archive whole: crash recovery, re-extraction, catalog rebuild, verification, shard merge.

Each job reads the bytes (``archive.warc``) and rewrites derived data (``archive.catalog``), never the
other way round: nothing here deletes or changes a WARC record.
"""
