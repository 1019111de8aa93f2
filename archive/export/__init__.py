"""Exports of an archive for people and other tools: Markdown, EPUB, JSON Lines and WACZ.

Every exporter reads the catalog and files through the same selection (``PostFilter``) and post
view (``PostView``), so each format shows the same posts with the same metadata:

- ``markdown.export_markdown``: one ``.md`` per post with YAML front matter in
  ``DIR/<site>/<year>/``; a post's image, when its capture is in the WARCs, is extracted to
  ``DIR/assets/`` and linked relatively (files stay readable offline, with no server);
- ``epub.export_epub``: one EPUB 3 book of the selected posts, table of contents by date;
- ``jsonl.export_jsonl``: one JSON object per post (metadata, text, comments);
- ``wacz.export_wacz``: the WARCs packaged as WACZ (CDXJ index, pages list of the posts) for
  ReplayWeb.page and pywb.
"""

from archive.catalog.selection import PostFilter

__all__ = ["PostFilter"]
