"""Structure trafilatura would lose, written into the tree as marks (``marks.py``) before it runs.

- ``<ol start=N>``: the number goes into the first item.
- Nested block quotes: trafilatura flattens them; each paragraph says how much deeper it is.
- Citations (a quote's own ``cite`` or ``footer``, a paragraph that is only a ``cite``, the
  ``figcaption`` of a figure that holds a quote) and figure captions: marked so Markdown can show
  them as such; a citation outside its quote is moved into it, a ``footer`` becomes a paragraph
  (``prepare`` makes the others paragraphs trafilatura keeps).
- Footnotes (WordPress's footnotes block, Markdown's ``.footnotes`` of Hugo, Jekyll, Pelican,
  Hexo): each reference becomes a mark with its label, each note a marked paragraph, and the
  "back to text" arrows go.
- Code blocks: ``codeblocks.py`` (line numbers removed, one ``<pre><code>`` a block).
- Generator themes' chrome inside the container (term lists, bare datelines, title blocks with
  the byline): ``themechrome.py``, first, so nothing above reads it.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from archive.extract import marks
from archive.extract.codeblocks import code_blocks
from archive.extract.dom import css, select
from archive.extract.themechrome import remove_theme_chrome

_CAPTIONS = css("figcaption, .wp-caption-text, .gallery-caption")
_NOTE_LABEL = re.compile(r"[^\w-]")
_NOTE_REFS = css("sup a[href^='#'], a.footnote-ref, a[rel='footnote'], a[href^='#fn']")
_BACKREFS = css("a.footnote-backref, a.reversefootnote, a[rev='footnote'], a[href^='#fnref']")


def _prefix(el: HtmlElement, mark: str) -> None:
    el.text = mark + (el.text or "")


def mark_structure(root: HtmlElement) -> None:
    """All the rewrites of the module docstring, in an order where none undoes another."""
    remove_theme_chrome(root)
    code_blocks(root)
    _footnotes(root)
    for ol in root.iter("ol"):
        start = (ol.get("start") or "").strip()
        first = next((li for li in ol if li.tag == "li"), None)
        if start.isdigit() and start != "1" and first is not None:
            _prefix(first, f"{marks.START}{int(start)}{marks.START}")
    _citations(root)
    for el in select(root, _CAPTIONS):
        if marks.CITE not in (el.text or ""):
            _prefix(el, marks.CAPTION)
    _nested_quotes(root)


def _citations(root: HtmlElement) -> None:
    for quote in list(root.iter("blockquote")):
        figure = quote.getparent()
        if figure is not None and figure.tag == "figure" and not any(True for _ in figure.iter("img")):
            for caption in [c for c in figure if c.tag == "figcaption"]:
                caption.tag = "cite"
                quote.append(caption)  # moved into the quote, where the citation belongs
        for child in quote:
            if child.tag in ("cite", "footer") or (child.tag == "p" and _only_cite(child)):
                child.tag = "p" if child.tag == "footer" else child.tag
                _prefix(child, marks.CITE)


def _only_cite(paragraph: HtmlElement) -> bool:
    """``<p><cite>Author</cite></p>``: a paragraph that is a citation and nothing else."""
    return (len(paragraph) == 1 and paragraph[0].tag == "cite" and not (paragraph.text or "").strip()
            and not (paragraph[0].tail or "").strip())


def _nested_quotes(root: HtmlElement) -> None:
    for quote in root.iter("blockquote"):
        depth = sum(1 for a in quote.iterancestors() if a.tag == "blockquote")
        if not depth:
            continue
        own = [p for p in quote.iter("p", "li", "cite", "footer")
               if next(p.iterancestors("blockquote")) is quote]
        for el in own or [quote]:
            _prefix(el, marks.DEEPER * depth)


def _footnotes(root: HtmlElement) -> None:
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for back in select(root, _BACKREFS):
        _drop_backref(back)
    numbered = 0
    for ref in select(root, _NOTE_REFS):
        note = ids.get((ref.get("href") or "")[1:])
        if note is None or ref.getparent() is None:
            continue
        note = note if note.tag == "li" else next(note.iterancestors("li"), None)
        if note is None:  # a link to a heading or an anchor, not to a note
            continue
        numbered += 1
        label = _NOTE_LABEL.sub("", "".join(ref.itertext()))[:20] or str(numbered)
        holder = ref.getparent() if ref.getparent().tag == "sup" else ref
        _replace_with_text(holder, f"{marks.NOTE_REF}{label}{marks.NOTE_REF}")
        for arrow in [a for a in note.iter("a") if (a.text or "").strip() in ("↩", "↩︎", "↑", "^")]:
            _drop_backref(arrow)
        target = next(iter(note.iter("p")), note)
        if marks.NOTE not in (target.text or ""):
            _prefix(target, f"{marks.NOTE}{label}{marks.NOTE}")


def _drop_backref(link: HtmlElement) -> None:
    """Remove a "back to the text" link and the no-break space that tied it to the note."""
    previous, parent = link.getprevious(), link.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "").rstrip(" \u00a0")
    elif parent is not None:
        parent.text = (parent.text or "").rstrip(" \u00a0")
    link.drop_tree()


def _replace_with_text(el: HtmlElement, text: str) -> None:
    """Put ``text`` where ``el`` was, joined to the text around it."""
    el.tail = text + (el.tail or "")
    for child in list(el):
        el.remove(child)
    el.text = None
    el.drop_tag()
