"""Turn the bytes a server sent into text without mojibake.

Order of evidence (WHATWG "encoding sniffing", simplified): a byte-order mark is unambiguous, so it
wins; then the HTTP header's charset; then ``<meta charset>`` / ``http-equiv`` in the first bytes;
then strict UTF-8; then statistical detection. Labels are mapped as browsers map them
(``iso-8859-1`` and ``ascii`` mean windows-1252), because that is what the page's author saw when
they wrote it. A declared charset that does not decode cleanly is treated as a lie and detection
takes over.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import CharsetMatch, from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Browsers treat these labels as windows-1252 (WHATWG Encoding Standard, "windows-1252" labels).
_WHATWG_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
    "x-user-defined": "cp1252",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
}
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.IGNORECASE
)
_SNIFF_BYTES = 4096
UTF16 = frozenset({"utf-16", "utf-16-le", "utf-16-be"})


@dataclass(frozen=True)
class Decoded:
    """Text plus the codec that produced it and where that choice came from (for diagnostics)."""

    text: str
    encoding: str
    source: str  # "bom", "header", "meta", "utf-8", "detected", "fallback"


def normalize_label(label: str | None) -> str | None:
    """Python codec name for an HTTP/HTML charset label, or None when Python does not know it."""
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    cleaned = _WHATWG_ALIASES.get(cleaned, cleaned)
    try:
        return codecs.lookup(cleaned).name
    except LookupError:
        return None


def utf16_codec(data: bytes, label: str | None) -> str | None:
    """The UTF-16 codec of a body, by its byte-order mark or its declared charset, else None.

    Its ASCII characters are half NUL bytes: a sniff for binary data must read it decoded."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    codec = normalize_label(label)
    return codec if codec in UTF16 else None


def meta_charset(data: bytes) -> str | None:
    """The charset a page declares in its first bytes (``<meta charset>`` or ``http-equiv``)."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return match.group(1).decode("ascii", "replace") if match else None


def _try(data: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(data: str | bytes, encoding: str | None = None) -> Decoded:
    """Decode a page body; ``encoding`` is the HTTP header's charset when there was one."""
    if isinstance(data, str):
        return Decoded(data, "str", "str")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom):].decode(codec, "replace"), codec, "bom")
    for source, label in (("header", encoding), ("meta", meta_charset(data))):
        declared = normalize_label(label)
        if source == "meta" and declared in UTF16:
            declared = "utf-8"  # WHATWG: a meta that could be read as ASCII was not UTF-16
        decoded = _try(data, declared)
        if declared is not None and decoded is not None:
            return Decoded(decoded, declared, source)
    as_utf8 = _try(data, "utf-8")
    if as_utf8 is not None:
        return Decoded(as_utf8, "utf-8", "utf-8")
    best = _best_guess(data)
    if best is not None:
        guessed = normalize_label(best.encoding) or best.encoding
        detected = _try(data, guessed)
        if detected is not None:
            return Decoded(detected, guessed, "detected")
    return Decoded(data.decode("cp1252", "replace"), "cp1252", "fallback")


def _best_guess(data: bytes) -> CharsetMatch | None:
    """charset_normalizer's best match; on a tie, windows-1252, the web's usual legacy charset
    (a Latin-1 page mislabelled UTF-8 scores the same as windows-1250 and would read "naďve")."""
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    return next((m for m in tied if "cp1252" in m.could_be_from_charset), best)
