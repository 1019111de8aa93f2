"""trafilatura's XML body written out as Markdown (CommonMark, GFM tables and footnotes).

The same tree ``render.py`` writes as plain text, so the two never disagree on what the post is.
Everything taken from the page is text to Markdown, never markup: characters that would start
emphasis, links, HTML or a block are backslash-escaped (``escape``), link targets are made absolute
and restricted to http(s) and mailto, and renderers are expected to run with raw HTML off
(``archive/markdown_html.py``). Images are collected in order, each once, with alt text and caption.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace

from lxml import etree

from archive.extract import emphasis, marks
from archive.extract import markdown_syntax as md
from archive.extract.markdown_syntax import escape as escape  # re-exported: readers escape with it
from archive.extract.markdown_syntax import flat
from archive.extract.markdown_syntax import link_target as link_target  # re-exported: exports
from archive.extract.model import Image
from archive.extract.render import inline as plain_inline
from archive.urls import join_url

_SPACES = re.compile(r"[ \t\r\f\v\n]+")
_DASHES = ("\u2014", "\u2013", "\u2015", "-")  # a citation that brings its own dash
_DEFINITION = re.compile(r"^\[\^[\w-]{1,20}\]: ")
_EMPHASIS = {"#b": "**", "#i": "*", "#t": "`", "#s": "~~"}
# ``div`` and ``item`` too: trafilatura's fallback extractors (readability, jusText) return the
# page's own containers, which hold blocks and must not be read as one run of inline text.
_BLOCKS = frozenset({"p", "head", "list", "table", "quote", "code", "graphic", "div", "item"})


def _is_element(node: object) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


@dataclass
class MarkdownWriter:
    """Writes one body; ``images`` holds the images in the order they appear, each once."""

    base: str
    images: list[Image] = field(default_factory=list)
    _after_list: bool = False  # a list follows one written "-" / "1.": write it "*" / "1)"
    _captionable: bool = False  # no text since the last image: a caption now is its caption

    def document(self, body: etree._Element) -> str:
        return "\n\n".join(b for b in self.blocks(body) if b.strip())

    # -- inline ------------------------------------------------------------------------------
    def inline(self, el: etree._Element) -> str:
        """An element's text and inline markup, ``<lb/>`` as hard breaks, lines trimmed."""
        return md.lines(self._inline_raw(el))

    def _inline_raw(self, el: etree._Element) -> str:
        parts = [self._text(el.text)]
        for child in el:
            if _is_element(child):
                parts.append(self._inline_element(child))
            parts.append(self._text(child.tail))
        return "".join(parts)

    def _text(self, text: str | None) -> str:
        if not text:
            return ""
        embed = marks.EMBED_MARK.search(text)
        if embed:  # an embed's link (``media.py``): its URL must not be escaped as text
            head, url, title = text[: embed.start()], embed.group(1), embed.group(2)
            return self._text(head) + self.link(url, self._text(title).strip())
        return escape(_SPACES.sub(" ", text))

    def _inline_element(self, el: etree._Element) -> str:
        tag = el.tag
        if tag == "lb":
            return "\n"
        if tag == "graphic":
            return self.image(el)
        if tag == "code":
            return md.code_span("".join(str(t) for t in el.itertext()))
        inner = flat(self._inline_raw(el))
        if tag == "hi":
            marker = _EMPHASIS.get(el.get("rend") or "", "")
            if marker == "`":
                return md.code_span("".join(str(t) for t in el.itertext()))
            return md.wrap(marker, inner)
        if tag == "del":
            return md.wrap("~~", inner)
        if tag == "ref":
            return self.link(el.get("target") or "", inner)
        return inner

    def link(self, target: str, inner: str) -> str:
        url = join_url(self.base, target.strip()) if target.strip() else ""
        if not inner.strip() or not url.lower().startswith(("http://", "https://", "mailto:")):
            return inner
        lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
        return f"{lead}[{inner.strip()}]({link_target(url)}){trail}"  # spaces stay, as in md.wrap

    def image(self, el: etree._Element) -> str:
        src = (el.get("src") or "").strip()
        url = join_url(self.base, src) if src else ""
        if not url.lower().startswith(("http://", "https://")) or any(
                i.url == url for i in self.images):
            return ""
        alt = " ".join(marks.stray(el.get("alt") or "").split())
        self.images.append(Image(url=url, alt=alt or None, caption=None))
        self._captionable = True
        image = f"![{escape(alt)}]({link_target(url)})"
        link = marks.IMAGE_LINK_MARK.match(el.get("title") or "")
        return self.link(link.group(1), image) if link else image

    # -- blocks ------------------------------------------------------------------------------
    def blocks(self, el: etree._Element) -> list[str]:
        found: list[str] = []
        run = [self._text(el.text)]
        after_list = None  # the style of the list just written, None after anything else
        for child in el:
            if _is_element(child) and child.tag in _BLOCKS:
                text = md.paragraph(md.lines("".join(run)))
                if text.strip():
                    found.append(text)
                    after_list = None
                self._after_list = after_list is False  # alternate from a list just before
                written = [b for b in self.block(child) if b.strip()]
                found.extend(written)
                if written:
                    after_list = self._after_list if child.tag == "list" else None
                run = []
            elif _is_element(child):
                run.append(self._inline_element(child))
            run.append(self._text(child.tail))
        found.append(md.paragraph(md.lines("".join(run))))
        return [b for b in found if b.strip()]

    def block(self, el: etree._Element) -> list[str]:
        written = self._block(el)
        if el.tag not in ("p", "graphic") and not any("![" in b for b in written):
            self._captionable = False  # a code block's or a table's caption is no image's
        return written

    def _block(self, el: etree._Element) -> list[str]:
        tag = el.tag
        if tag == "p":
            return [self.paragraph(el)]
        if tag == "head":
            level = min(max(int((el.get("rend") or "h2")[1:] or 2), 1), 6)
            return [md.heading(level, flat(self.inline(el)))]
        if tag == "graphic":
            return [self.image(el)]
        if tag == "list":
            return ["\n".join(self.list_lines(el, "", self._after_list))]
        if tag == "table":
            return [self.table(el)]
        if tag == "quote" and _only_code(el):
            return [md.code_block(el[0])]  # a fallback extractor's ``<pre>``: code, not a quote
        if tag == "quote":
            return [self.quote(el)]
        if tag == "code":
            return [md.code_block(el)]
        return self.blocks(el)

    def paragraph(self, el: etree._Element) -> str:
        text = self.inline(el)
        bare = text.lstrip().lstrip(marks.DEEPER)
        depth = marks.DEEPER * (len(text.lstrip()) - len(bare))
        if bare.startswith(marks.CAPTION):
            self._caption(el)
            return depth + md.wrap("_", marks.stray(text).strip())
        note = marks.NOTE_MARK.match(text)
        if note:
            return f"[^{note.group(1)}]: {flat(text[note.end():]).strip()}"
        if bare.startswith(marks.CITE):
            cite = marks.stray(text).strip()
            return depth + (cite if cite.startswith(_DASHES) else "— " + cite)
        self._captionable = self._captionable and (not text.strip() or "![" in text)
        return md.paragraph(text)

    def _caption(self, el: etree._Element) -> None:
        """The caption, as plain text, goes to the image it follows (when it has none yet)."""
        caption = " ".join(marks.plain(plain_inline(el)).split())
        if caption and self._captionable and self.images and self.images[-1].caption is None:
            self.images[-1] = replace(self.images[-1], caption=caption)

    def list_lines(self, el: etree._Element, indent: str, other: bool = False) -> list[str]:
        """The list, nested lists indented under their item; ``other``: the second marker style,
        so a list right after another is not read as its continuation."""
        items = [c for c in el if _is_element(c) and c.tag == "item"]
        contents = [self._item_blocks(item) for item in items]
        start = marks.LIST_START.match(contents[0][0]) if contents and contents[0] else None
        number = int(start.group(1)) if start else 1
        lines: list[str] = []
        for item, blocks in zip(items, contents, strict=True):
            blocks = [marks.LIST_START.sub("", b).strip() for b in blocks]
            text = " ".join(flat(b) for b in blocks)
            note = marks.NOTE_MARK.match(text)
            if note:
                lines.append(f"[^{note.group(1)}]: {text[note.end():].strip()}")
                continue
            if _DEFINITION.match(text):  # a note written by ``paragraph`` (``<li><p>``)
                lines.append(text)
                continue
            marker = f"{number}{'.)'[other]}" if el.get("rend") == "ol" else "-*"[other]
            number += 1
            pad = indent + " " * (len(marker) + 1)
            lines.extend(md.item_lines(f"{indent}{marker} ", pad, blocks))
            for sub in (c for c in item if _is_element(c) and c.tag == "list"):
                lines.extend(self.list_lines(sub, pad))
        return lines

    def _item_blocks(self, item: etree._Element) -> list[str]:
        clone = etree.Element("item")
        clone.text = item.text
        for child in item:
            if not (_is_element(child) and child.tag == "list"):
                clone.append(_copy(child))
            elif child.tail:
                clone.append(etree.Element("lb"))
                clone[-1].tail = child.tail
        return self.blocks(clone)

    def table(self, el: etree._Element) -> str:
        rows = [[" ".join(flat(b) for b in self.blocks(c)).replace("|", "\\|") or " "
                 for c in row if _is_element(c) and c.tag == "cell"] for row in el.iter("row")]
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [" "] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(r) + " |" for r in rows]
        lines.insert(1, "|" + "|".join([" --- "] * width) + "|")
        return "\n".join(lines)

    def quote(self, el: etree._Element) -> str:
        out: list[str] = []
        previous = 0
        for block in self.blocks(el):
            depth = 1 + max((len(r) for r in re.findall(f"{marks.DEEPER}+", block)), default=0)
            block = block.replace(marks.DEEPER, "")
            if out:
                out.append(("> " * min(previous, depth)).rstrip())
            out.extend(("> " * depth + line).rstrip() for line in block.split("\n"))
            previous = depth
        return "\n".join(out)


def _copy(el: etree._Element) -> etree._Element:
    clone = copy.deepcopy(el)
    clone.tail = el.tail
    return clone


def _only_code(el: etree._Element) -> bool:
    """A quote holding one code element and no text of its own."""
    children = [c for c in el if _is_element(c)]
    return (len(children) == 1 and children[0].tag == "code" and not (el.text or "").strip()
            and not (children[0].tail or "").strip())


def render_markdown(body: etree._Element, base: str) -> tuple[str, tuple[Image, ...]]:
    """The body as Markdown, and its images in order (each once)."""
    emphasis.settle(body)
    writer = MarkdownWriter(base)
    text = writer.document(body)
    text = marks.NOTE_REF_MARK.sub(lambda m: f"[^{m.group(1)}]", text)
    return marks.stray(text), tuple(writer.images)
