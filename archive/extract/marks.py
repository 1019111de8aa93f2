"""Private-use marks that carry structure through trafilatura, which would otherwise drop it.

trafilatura keeps text and a small XML vocabulary (``p``, ``head``, ``list``, ``quote``, ``code``,
``table``, ``graphic``, ``ref``, ``hi``), so what it has no element for is written into the text as
characters of Unicode's private-use area before extraction (``structure.py``) and read back after
it: by ``markdown.py`` into Markdown, by ``render.py`` into plain text (mostly removed). No real
page uses these code points in its text; if one does, they are removed from both outputs.

- ``START`` + number + ``START`` at the head of an ordered list's first item: ``<ol start=N>``.
- ``DEEPER`` once per extra level at the head of a paragraph inside a nested ``<blockquote>``.
- ``CITE`` at the head of a blockquote's citation, ``CAPTION`` at the head of a figure caption.
- ``NOTE_REF`` + label + ``NOTE_REF``: a footnote reference; ``NOTE`` + label + ``NOTE`` at the
  head of the footnote itself.
- ``IMAGE_LINK`` + URL + ``IMAGE_LINK`` at the head of an image's ``title``: the link the image
  is the whole of (trafilatura moves an image out of its link).
- ``EMBED`` + URL + ``EMBED`` + title: an embedded video, audio, frame or tweet, as the link it
  becomes. A plain paragraph, not an ``<a>``: trafilatura drops a paragraph that is one link.
"""

from __future__ import annotations

import re

START, DEEPER, CITE, CAPTION, NOTE_REF, NOTE, EMBED, IMAGE_LINK = (
    "\ue011", "\ue012", "\ue013", "\ue014", "\ue015", "\ue016", "\ue017", "\ue018")
ALL = START + DEEPER + CITE + CAPTION + NOTE_REF + NOTE + EMBED + IMAGE_LINK

LIST_START = re.compile(f"^\\s*{START}(\\d{{1,9}}){START}")
NOTE_REF_MARK = re.compile(f"{NOTE_REF}([^{NOTE_REF}]{{1,20}}){NOTE_REF}")
NOTE_MARK = re.compile(f"^\\s*{NOTE}([^{NOTE}]{{1,20}}){NOTE}\\s*")
IMAGE_LINK_MARK = re.compile(f"^{IMAGE_LINK}([^{IMAGE_LINK}\\s]+){IMAGE_LINK}")
EMBED_MARK = re.compile(f"{EMBED}([^{EMBED}\\s]+){EMBED}(.*)$", re.DOTALL)
_STRAY = re.compile(f"[{ALL}]")
_START_ANYWHERE = re.compile(f"{START}\\d{{1,9}}{START}")
_NOTE_ANYWHERE = re.compile(f"{NOTE}([^{NOTE}]{{1,20}}){NOTE}\\s*")


def plain(text: str) -> str:
    """Text with the marks read as plain text shows them: ``[1]`` for a note, nothing else."""
    text = re.sub(f"{EMBED}[^{EMBED}]*{EMBED}", "", text)
    text = _START_ANYWHERE.sub("", text)
    text = _NOTE_ANYWHERE.sub(lambda m: f"[{m.group(1)}] ", text)
    text = NOTE_REF_MARK.sub(lambda m: f"[{m.group(1)}]", text)
    return _STRAY.sub("", text)


def stray(text: str) -> str:
    """Marks left where no reader expects them (a page that used the code points itself)."""
    return _STRAY.sub("", text)
