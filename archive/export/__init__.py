"""Exports of an archive for people and other tools: Markdown, EPUB, JSON Lines and WACZ.

Every exporter reads the catalog and files through the same selection (``PostFilter``) and post
view (``PostView``), so each format shows the same posts with the same metadata:

- ``markdown.export_markdown``: one ``.md`` per post with YAML front matter in
  ``DIR/<site>/<year>/``; its images, when the WARCs hold them, are copied to ``DIR/assets/``
  and links between exported posts lead to their files, all relative (readable offline);
- ``epub.export_epub``: one EPUB 3 book of the selected posts, images embedded, links between
  chapters, contents by year and month;
- ``jsonl.export_jsonl``: one JSON object per post (metadata, text, Markdown, images with where
  they were archived, comments);

``images`` finds images in the WARCs (revisits followed to their bytes) and ``links`` decides
where each URL of a post leads inside an export.
- ``wacz.export_wacz``: the WARCs packaged as WACZ (CDXJ index, pages list of the posts) for
  ReplayWeb.page and pywb.
"""

from archive.catalog.selection import PostFilter

__all__ = ["PostFilter"]
