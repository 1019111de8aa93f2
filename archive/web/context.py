"""What a view needs from the reader application, as a ``Protocol``.

Views are called by the application (``app.py`` routes to them), so they must not import it back:
they see the application only through this small interface.
"""

from __future__ import annotations

from typing import Any, Protocol

from werkzeug.wrappers import Response

from archive.layout import Layout
from archive.web.warcindex import IndexCache


class Reader(Protocol):
    layout: Layout
    index: IndexCache

    def render(self, template: str, status: int = 200, **context: Any) -> Response: ...

    def error(self, status: int, title: str, detail: str) -> Response: ...
