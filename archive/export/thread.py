"""A post's comments as readers follow them: each reply right under the comment it answers.

The catalog keeps comments flat, in page order, each naming its parent; every reader (``show``,
the exports, the web reader) wants the thread, with the depth to indent by.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Comment:
    comment_id: str
    parent: str | None
    author: str | None
    published: str | None
    text: str
    depth: int = 0
    markdown: str = ""  # the comment as Markdown (links, quotes); empty in older archives


def thread(rows: list[sqlite3.Row]) -> list[Comment]:
    """Comments in reading order, each replies right under its parent, with its depth."""
    children: dict[str | None, list[sqlite3.Row]] = {}
    known = {row["comment_id"] for row in rows}
    for row in rows:
        parent = row["parent"] if row["parent"] in known else None
        children.setdefault(parent, []).append(row)
    ordered: list[Comment] = []
    seen: set[str] = set()

    def walk(parent: str | None, depth: int) -> None:
        for row in children.get(parent, []):
            if row["comment_id"] in seen:
                continue  # a cycle in bad markup must not loop forever
            seen.add(row["comment_id"])
            ordered.append(Comment(row["comment_id"], row["parent"], row["author"],
                                   row["published"], row["text"], depth, _markdown_of(row)))
            walk(row["comment_id"], depth + 1)

    walk(None, 0)
    return ordered


def _markdown_of(row: sqlite3.Row) -> str:
    """A comment row's Markdown: catalogs from before it have no such column."""
    columns = row.keys()  # ``in row`` would look among the values
    return str(row["markdown"] or "") if "markdown" in columns else ""
