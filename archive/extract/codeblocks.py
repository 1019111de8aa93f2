"""Code blocks made plain for trafilatura: one ``<pre><code class="language-x">`` a block, one line
per line, without the line numbers highlighters write into the page.

Each highlighter writes its numbers as text (the markup is theirs, as they produce it; real output
of each is in ``tests/fixtures/markdown/``):

- Hexo (highlight.js): ``figure.highlight LANG > table > td.gutter | td.code``, lines as
  ``span.line`` + ``<br>``; Hexo's Prism and Prism's line-numbers plugin: ``span.line-numbers-rows``.
- Rouge (Jekyll's ``{% highlight linenos %}``, kramdown): ``table.rouge-table``, ``td.gutter`` or
  ``td.rouge-gutter``; the language on ``code`` or on kramdown's ``div.language-x``.
- Pygments (Pelican, Python-Markdown's codehilite): ``table.highlighttable td.linenos``, or
  ``span.linenos`` at the head of each line (``linenos="inline"``).
- Chroma (Hugo): ``table.lntable``, numbers in the first ``td.lntd``; inline ``span.ln``/``lnt``.
- highlightjs-line-numbers.js: ``table.hljs-ln``, one row per line, numbers in ``td.hljs-ln-numbers``.

Every other ``<pre>`` becomes code too: trafilatura calls a ``<pre>`` without code-like
characters a quote and flattens its lines. WordPress's verse block is poetry: a paragraph whose
lines are kept as line breaks.
"""

from __future__ import annotations

import re

from lxml.html import Element, HtmlElement

from archive.extract.dom import classes, css, select

_GUTTERS = css("td.gutter, td.rouge-gutter, td.linenos, td.hljs-ln-numbers, "
               "table.lntable td.lntd:first-child, span.linenos, span.lineno, span.ln, span.lnt, "
               "span.line-numbers-rows, .line-number")
_CODE_TABLES = css("table.highlighttable, table.lntable, table.rouge-table, table.hljs-ln, "
                   "figure.highlight > table, table.highlight")
_LINES = css(".line")
_LANGUAGE_CLASS = re.compile(r"^(?:language|lang|highlight|brush)-([\w+#.-]{1,30})$")
_BRUSH = re.compile(r"\bbrush:\s*([\w+#.-]{1,30})")
_NOT_LANGUAGES = frozenset({"highlight", "chroma", "hljs", "line-numbers", "plaintext", "text",
                            "plain", "none", "nohighlight", "highlighter-rouge", "code"})


def code_blocks(root: HtmlElement) -> None:
    """All the rewrites of the module docstring."""
    for gutter in select(root, _GUTTERS):
        if gutter.getparent() is not None and _in_code(gutter):
            gutter.drop_tree()
    for table in select(root, _CODE_TABLES):
        if table.getparent() is not None:
            _replace_table(table)
    for pre in list(root.iter("pre")):
        if "wp-block-verse" in classes(pre):
            _verse(pre)
        elif pre.getparent() is not None:
            _plain_code(pre, language(pre), code_text(pre))


def _in_code(el: HtmlElement) -> bool:
    return any(a.tag in ("pre", "code", "table") for a in el.iterancestors())


def _replace_table(table: HtmlElement) -> None:
    """The table, or the ``pre`` holding it (Rouge, highlightjs-line-numbers), becomes one block."""
    rows = [[c for c in row if c.tag == "td"] for row in table.iter("tr")]
    lines = ["".join(code_text(cell) for cell in row).rstrip("\n") for row in rows if row]
    if len(lines) > 1:  # one row a line: a blank line is written as one space
        lines = [line if line.strip() else "" for line in lines]
    holder = next(table.iterancestors("pre"), table)
    pre = Element("pre")
    pre.tail = holder.tail
    _plain_code(pre, language(table), "\n".join(lines))
    holder.getparent().replace(holder, pre)


def code_text(el: HtmlElement) -> str:
    """Text of a code element, ``<br>`` as a newline, ``.line`` spans one a line when unbroken."""
    lines = select(el, _LINES)
    has_breaks = any(True for _ in el.iter("br"))
    if lines and not has_breaks and "\n" not in "".join(el.itertext()):
        return "\n".join("".join(line.itertext()) for line in lines)
    return _text_with_breaks(el) if has_breaks else "".join(el.itertext())


def _text_with_breaks(el: HtmlElement) -> str:
    parts = [el.text or ""]
    for child in el:
        if child.tag == "br":
            parts.append("\n")
        elif isinstance(child.tag, str):
            parts.append(_text_with_breaks(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _plain_code(pre: HtmlElement, lang: str, text: str) -> None:
    """``pre`` made ``<pre><code class="language-x">text</code></pre>``, which trafilatura keeps."""
    for child in list(pre):
        pre.remove(child)
    pre.attrib.clear()
    pre.text = None
    code = Element("code")
    code.text = text.replace("\r\n", "\n")
    if lang:
        code.set("class", f"language-{lang}")
    pre.append(code)


def language(el: HtmlElement) -> str:
    """The language a block names: ``language-x`` (or ``lang-x``, ``data-lang``, ``brush: x``)
    on its code, itself or a near ancestor; Hexo's ``figure.highlight x``."""
    for node in [*el.iter("code"), el, *list(el.iterancestors())[:3]]:
        found = _named_language(node)
        if found:
            return found
    return ""


def _named_language(node: HtmlElement) -> str:
    names = classes(node)
    for name in names:
        match = _LANGUAGE_CLASS.match(name)
        if match and match.group(1).lower() not in _NOT_LANGUAGES:
            return match.group(1).lower()
    brush = _BRUSH.search(node.get("class") or "")
    if brush:
        return brush.group(1).lower()
    data = (node.get("data-lang") or node.get("data-language") or "").strip().lower()
    if re.fullmatch(r"[\w+#.-]{1,30}", data) and data not in _NOT_LANGUAGES:
        return data
    if node.tag == "figure" and "highlight" in names:
        rest = sorted(n for n in names - {"highlight"} if n.lower() not in _NOT_LANGUAGES)
        return rest[0].lower() if len(rest) == 1 else ""
    return ""


def _verse(pre: HtmlElement) -> None:
    """A verse block: a paragraph, each line of the poem after a ``<br>``."""
    pre.tag = "p"
    pre.attrib.clear()
    for node in [pre, *pre.iterdescendants()]:
        _break_lines(node, "text")
        if node is not pre:
            _break_lines(node, "tail")


def _break_lines(node: HtmlElement, where: str) -> None:
    value = getattr(node, where) or ""
    if "\n" not in value:
        return
    first, *rest = value.split("\n")
    setattr(node, where, first)
    anchor_parent = node if where == "text" else node.getparent()
    index = 0 if where == "text" else anchor_parent.index(node) + 1
    for offset, line in enumerate(rest):
        br = Element("br")
        br.tail = line
        anchor_parent.insert(index + offset, br)
