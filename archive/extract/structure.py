"""Structure trafilatura would lose, written into the tree as marks (``marks.py``) before it runs.

- ``<ol start=N>``: the number goes into the first item.
- Nested block quotes: trafilatura flattens them; each paragraph says how much deeper it is.
- Citations and figure captions: marked so Markdown can show them as such (``prepare`` then
  makes them paragraphs trafilatura keeps).
- Footnotes (WordPress's footnotes block, Markdown's ``.footnotes`` of Hugo, Jekyll, Pelican,
  Hexo): each reference becomes a mark with its label, each note a marked paragraph, and the
  "back to text" arrows go.
- Code blocks: highlighters' line-number gutters (Hexo, Rouge, Pygments, Chroma, Prism,
  highlight.js) are removed and their line tables become one ``<pre>``, one line per line.
"""

from __future__ import annotations

from lxml.html import Element, HtmlElement

from archive.extract import marks
from archive.extract.dom import css, select

_GUTTERS = css(".gutter, .linenos, .lineno, .ln, .lnt, .line-numbers-rows, .hljs-ln-numbers, "
               ".rouge-gutter, .lntd:first-child, .line-number, .line-numbers")
_CODE_TABLES = css("figure.highlight, table.highlighttable, table.lntable, table.rouge-table, "
                   "table.hljs-ln, table.highlight")
_CODE_CELLS = css("td.code, td.lntd, td.rouge-code, td.hljs-ln-code, td")
_LINES = css(".line")
_CAPTIONS = css("figcaption, .wp-caption-text, .gallery-caption")
_CITES = css("blockquote cite, blockquote footer")
_NOTE_REFS = css("sup a[href^='#'], a.footnote-ref, a[rel='footnote'], a[href^='#fn']")
_BACKREFS = css("a.footnote-backref, a.reversefootnote, a[rev='footnote'], a[href^='#fnref']")


def _prefix(el: HtmlElement, mark: str) -> None:
    el.text = mark + (el.text or "")


def mark_structure(root: HtmlElement) -> None:
    """All the rewrites of the module docstring, in an order where none undoes another."""
    _code_blocks(root)
    _footnotes(root)
    for ol in root.iter("ol"):
        start = (ol.get("start") or "").strip()
        first = next((li for li in ol if li.tag == "li"), None)
        if start.isdigit() and start != "1" and first is not None:
            _prefix(first, f"{marks.START}{int(start)}{marks.START}")
    for el in select(root, _CITES):
        _prefix(el, marks.CITE)
    for el in select(root, _CAPTIONS):
        _prefix(el, marks.CAPTION)
    _nested_quotes(root)


def _nested_quotes(root: HtmlElement) -> None:
    for quote in root.iter("blockquote"):
        depth = sum(1 for a in quote.iterancestors() if a.tag == "blockquote")
        if not depth:
            continue
        own = [p for p in quote.iter("p", "li", "cite", "footer")
               if next(p.iterancestors("blockquote")) is quote]
        for el in own or [quote]:
            _prefix(el, marks.DEEPER * depth)


def _code_text(el: HtmlElement) -> str:
    """Text of a code element, ``<br>`` as a newline, ``.line`` spans one a line when unbroken."""
    lines = select(el, _LINES)
    if lines and "\n" not in "".join(el.itertext()) and not any(True for _ in el.iter("br")):
        return "\n".join("".join(line.itertext()) for line in lines)
    for br in list(el.iter("br")):
        br.tail = "\n" + (br.tail or "")
        br.drop_tree()
    return "".join(el.itertext())


def _code_blocks(root: HtmlElement) -> None:
    for gutter in select(root, _GUTTERS):
        if gutter.getparent() is not None and _in_code(gutter):
            gutter.drop_tree()
    for table in select(root, _CODE_TABLES):
        if table.getparent() is None:
            continue
        cells = [c for c in select(table, _CODE_CELLS) if c.tag == "td"] or [table]
        pre = Element("pre")
        pre.text = "\n".join(_code_text(c).rstrip("\n") for c in cells)
        pre.tail = table.tail
        table.getparent().replace(table, pre)
    for pre in list(root.iter("pre")):
        if any(True for _ in pre.iter("br")) or select(pre, _LINES):
            text = _code_text(pre)
            for child in list(pre):
                pre.remove(child)
            pre.text = text


def _in_code(el: HtmlElement) -> bool:
    return any(a.tag in ("pre", "table", "figure") or "highlight" in (a.get("class") or "")
               for a in el.iterancestors())


def _footnotes(root: HtmlElement) -> None:
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for back in select(root, _BACKREFS):
        back.drop_tree()
    numbered = 0
    for ref in select(root, _NOTE_REFS):
        note = ids.get((ref.get("href") or "")[1:])
        if note is None or ref.getparent() is None:
            continue
        note = note if note.tag == "li" else next(note.iterancestors("li"), note)
        numbered += 1
        label = "".join(ref.itertext()).strip().strip("[]") or str(numbered)
        holder = ref.getparent() if ref.getparent().tag == "sup" else ref
        _replace_with_text(holder, f"{marks.NOTE_REF}{label}{marks.NOTE_REF}")
        for arrow in [a for a in note.iter("a") if (a.text or "").strip() in ("↩", "↩︎", "↑", "^")]:
            arrow.drop_tree()
        target = next(iter(note.iter("p")), note)
        if marks.NOTE not in (target.text or ""):
            _prefix(target, f"{marks.NOTE}{label}{marks.NOTE}")


def _replace_with_text(el: HtmlElement, text: str) -> None:
    """Put ``text`` where ``el`` was, joined to the text around it."""
    el.tail = text + (el.tail or "")
    for child in list(el):
        el.remove(child)
    el.text = None
    el.drop_tag()
