"""Turn what a user types into a safe FTS5 MATCH expression plus filters.

Why a parser instead of passing the text to SQLite: FTS5's own syntax fails on ordinary input
(``C++``, ``don't``, a lone ``NOT``, an unbalanced quote) with an SQL error. Here every word is
re-quoted, so nothing a user types reaches FTS5 as syntax except what this grammar accepts:

    query   := or
    or      := and ("OR" and)*
    and     := not (["AND"] not)*          words side by side mean AND
    not     := primary ("NOT" primary)*    also ``-word``: "a -b" is "a NOT b"
    primary := word | word* | "a phrase" | ( or )
    filters := site:HOST author:NAME category:NAME tag:NAME title:WORDS comment:WORDS
               since:WHEN until:WHEN

Operators are recognised in capitals only (``and`` is a word). ``-word`` may stand anywhere in a
group (``-tariff budget`` is ``budget NOT tariff``), but a group of excluded words only is an error:
FTS5 cannot list "everything but", and a user who typed it is better told than shown nothing.
Filter values may be quoted (``author:"Jane Doe"``). ``site:HOST`` without a port matches the host
on any port (``site:127.0.0.1`` finds ``127.0.0.1:8080``). An unknown ``field:`` and an unclosed
quote are errors (a typo such as ``autor:ada`` would otherwise search for the text "autor:ada" and
find nothing); ``http://...`` stays a word. A query that breaks the grammar raises ``QueryError``
with a message meant for the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from archive.config import ConfigError
from archive.urls import BadURL, site_of, split_url
from archive.when import parse_iso, parse_when

FILTER_KEYS = ("site", "author", "category", "tag", "title", "comment", "since", "until")
COLUMN_OF = {"author": "author", "category": "categories", "tag": "tags", "title": "title",
             "comment": "comments"}
POST_COLUMNS = "{title categories tags author body}"  # every column but the comments
OPERATORS = ("AND", "OR", "NOT")
KNOWN_FIELDS = " ".join(f"{key}:" for key in FILTER_KEYS)
_TOKEN = re.compile(r'''
    (?P<filter>(?P<key>[A-Za-z]+):(?:"(?P<fquoted>[^"]*)(?P<fclose>")?|(?P<fvalue>[^\s()"]+)))
  | "(?P<phrase>[^"]*)(?P<pclose>")?
  | (?P<paren>[()])
  | (?P<word>[^\s()"]+)
''', re.VERBOSE)
_WORDY = re.compile(r"\w")


class QueryError(ValueError):
    """The query cannot be understood; the message says why, for the user."""


@dataclass
class ParsedQuery:
    """A query split into the FTS5 expression and the filters applied beside it."""

    match: str | None = None
    site: str | None = None
    site_any_port: bool = False     # site: gave no port: the host on any port matches
    since: datetime | None = None
    until: datetime | None = None
    columns: list[str] = field(default_factory=list)   # FTS5 column filters, ANDed with match

    def fts(self, comments: bool = True) -> str | None:
        """The whole MATCH expression: the user's words and the column filters, ANDed; with
        ``comments=False`` the words are looked for in the post only (``comment:`` still works)."""
        parts = [f"({self.match})"] if self.match else []
        if parts and not comments:
            parts = [f"{POST_COLUMNS} : {parts[0]}"]
        parts.extend(self.columns)
        return " AND ".join(parts) or None


def parse_query(text: str) -> ParsedQuery:
    """Parse a user's query; raise ``QueryError`` when it cannot be turned into a search."""
    parsed = ParsedQuery()
    tokens: list[tuple[str, str]] = []
    for token in _TOKEN.finditer(text):
        key = (token.group("key") or "").lower()
        _closed(token)
        if token.group("filter") and key in FILTER_KEYS:
            value = token.group("fquoted") if token.group("fquoted") is not None else (
                token.group("fvalue") or "")
            _apply_filter(parsed, key, value.strip())
        elif token.group("filter"):
            tokens.append(("word", _not_a_field(token.group("filter"), key)))
        elif token.group("phrase") is not None:
            tokens.append(("phrase", token.group("phrase")))
        elif token.group("paren"):
            tokens.append((token.group("paren"), token.group("paren")))
        else:
            word = token.group("word")
            if word.startswith("-") and len(word) > 1:
                tokens.extend([("op", "-"), ("word", word[1:])])
            else:
                tokens.append(("op", word) if word in OPERATORS else ("word", word))
    if tokens:
        parsed.match = _Parser(tokens).parse()
    if parsed.match is None and not parsed.columns and parsed.site is None and (
            parsed.since is None and parsed.until is None):
        raise QueryError("empty query: give words to look for, or a filter such as site:HOST")
    return parsed


def _closed(token: re.Match[str]) -> None:
    """An unclosed quote is a typo: guessing where the phrase ends would search for the wrong text."""
    for opened, closed in (("phrase", "pclose"), ("fquoted", "fclose")):
        if token.group(opened) is not None and token.group(closed) is None:
            raise QueryError('a quote (") is never closed: add the closing " or drop the quote')


def quote(text: str) -> str:
    """An FTS5 string: double quotes inside are doubled, so it is always one phrase."""
    return '"' + text.replace('"', '""') + '"'


def _not_a_field(text: str, key: str) -> str:
    """``http://x`` is a word; ``autor:ada`` is a typo the user must hear about."""
    if text[len(key) + 1:].startswith("//"):
        return text
    raise QueryError(f"unknown field {key}: (known: {KNOWN_FIELDS}); to look for the text itself, "
                     f"quote it: '\"{text}\"'")


def _apply_filter(parsed: ParsedQuery, key: str, value: str) -> None:
    if not value:
        raise QueryError(f"{key}: needs a value, e.g. {key}:example")
    if key == "site":
        url = value if "://" in value else f"http://{value}"
        try:
            parsed.site_any_port = split_url(url).port is None
            parsed.site = site_of(url)
        except BadURL as error:
            raise QueryError(f"site:{value} is not a host: {error}") from None
    elif key in ("since", "until"):
        setattr(parsed, key, _date(value, key))
    elif not _WORDY.search(value):
        raise QueryError(f"{key}:{value} has no letters or digits to look for")
    else:
        parsed.columns.append(f"{COLUMN_OF[key]} : {quote(value)}")


def _date(value: str, key: str) -> datetime | None:
    """ISO dates directly (dateparser takes tens of ms to start); anything else via dateparser."""
    moment = parse_iso(value)
    if moment is None:
        try:
            return parse_when(value, key)
        except ConfigError as error:
            raise QueryError(str(error)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Parser:
    """Recursive descent over the grammar in the module docstring; renders FTS5 as it goes."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def parse(self) -> str | None:
        expression = self._or()
        if self.position < len(self.tokens):
            kind, value = self.tokens[self.position]
            raise QueryError(f"unexpected {value!r}: " + (
                "a ')' without its '('" if kind == ")" else "check the operators"))
        return expression

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _or(self) -> str | None:
        parts = [self._and()]
        while self._peek() == ("op", "OR"):
            self.position += 1
            parts.append(self._and())
        if len(parts) > 1 and None in parts:
            raise QueryError("OR needs words on both sides: try 'cats OR dogs'")
        return " OR ".join(f"({p})" for p in parts) if len(parts) > 1 else parts[0]

    def _and(self) -> str | None:
        parts: list[str] = []
        excluded: list[str] = []  # -word, wherever it stands in the group
        while (token := self._peek()) is not None and token not in (("op", "OR"), (")", ")")):
            if token == ("op", "AND"):
                self.position += 1
                if not parts:
                    raise QueryError("AND needs words on both sides: try 'cats AND dogs'")
                continue
            if token == ("op", "-"):
                self.position += 1
                if (term := self._primary()) is not None:
                    excluded.append(term)
                continue
            if token == ("op", "NOT") and not parts:
                raise QueryError("NOT needs words before it: try 'cats NOT dogs'")
            term = self._not(parts)
            if term is not None:
                parts.append(term)
        if self.position and self.tokens[self.position - 1] == ("op", "AND"):
            raise QueryError("AND needs words on both sides: try 'cats AND dogs'")
        if excluded and not parts:
            raise QueryError("-word only leaves words out: add a word to look for, e.g. "
                             "'budget -tariff'")
        expression = " AND ".join(parts) if parts else None
        for term in excluded:
            expression = f"({expression}) NOT ({term})"
        return expression

    def _not(self, before: list[str]) -> str | None:
        if self._peek() == ("op", "NOT"):
            self.position += 1
            excluded = self._primary()
            if excluded is None:
                raise QueryError("NOT needs a word after it: try 'cats NOT dogs'")
            before[-1] = f"({before[-1]}) NOT ({excluded})"
            return None
        return self._primary()

    def _primary(self) -> str | None:
        token = self._peek()
        if token is None:
            return None
        self.position += 1
        kind, value = token
        if kind == "(":
            inner = self._or()
            if self._peek() != (")", ")"):
                raise QueryError("a '(' is never closed: add the matching ')'")
            self.position += 1
            return f"({inner})" if inner else None
        if kind == "phrase":
            return quote(value) if _WORDY.search(value) else None
        if kind == "op" or kind == ")":
            raise QueryError(f"unexpected {value!r}: check the operators")
        return _word(value)


def _word(word: str) -> str | None:
    """One word: ``-word`` is handled by the caller's NOT; ``word*`` is a prefix search."""
    prefix = word.endswith("*")
    core = word.rstrip("*")
    if not _WORDY.search(core):
        if prefix and core == "":
            raise QueryError("a '*' needs a word start before it, e.g. archiv*")
        return None
    return quote(core) + (" *" if prefix else "")
