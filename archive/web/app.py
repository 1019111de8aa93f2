"""The WSGI application: routing, GET/HEAD only, error pages, security headers, the server.

Werkzeug gives routing, request parsing and an HTTP/1.1 server with a deep listen queue (here with
a fixed pool of worker threads);
Jinja2 renders every page with autoescaping, so an archived string is always shown as text.
Whatever goes wrong while answering one request (a hostile catalog path, a malformed WARC record)
becomes an error page for that request, never a crash of the server.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, PathConverter, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from archive.layout import Layout
from archive.web import feeds, filters, pages, post
from archive.web.warcindex import IndexCache

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
READER_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
              "form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
READER_HEADERS = {
    "Content-Security-Policy": READER_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
}
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
View = Callable[..., Response]

class TermConverter(PathConverter):
    """A category or tag, slashes included, even a leading one (``/dev/null`` is a real tag):
    werkzeug's ``path`` refuses a first ``/`` and the reader's own links then gave 404."""

    regex = ".+?"
    part_isolating = False  # may span segments (werkzeug guesses from a "/" in the regex)


ROUTES = Map([
    Rule("/", endpoint="home"),
    Rule("/changes.atom", endpoint="changes_feed"),
    Rule("/site/<site>/", endpoint="site"),
    Rule("/site/<site>/changes.atom", endpoint="site_changes_feed"),
    Rule("/site/<site>/category/<term:term>", endpoint="category"),
    Rule("/site/<site>/tag/<term:term>", endpoint="tag"),
    Rule("/site/<site>/<year>/", endpoint="year"),
    Rule("/site/<site>/<year>/<month>/", endpoint="month"),
    Rule("/post/<int:post_id>", endpoint="post"),
    Rule("/post/<int:post_id>/original", endpoint="original"),
    Rule("/search", endpoint="search"),
    Rule("/not-archived", endpoint="not_archived"),
    Rule("/static/<name>", endpoint="static"),
], merge_slashes=False, converters={"term": TermConverter})

VIEWS: dict[str, View] = {
    "home": pages.home, "site": pages.site, "year": pages.year, "month": pages.month,
    "category": pages.category, "tag": pages.tag, "search": pages.search,
    "not_archived": pages.not_archived, "post": post.reading_view, "original": post.original,
    "changes_feed": feeds.archive_feed, "site_changes_feed": feeds.site_feed,
}


class ArchiveProblem(Exception):
    """The archive cannot answer this request (bad path, unreadable file, malformed record)."""


class ReaderApp:
    def __init__(self, root: Path, *, allowed_hosts: frozenset[str] | None = LOOPBACK_NAMES) -> None:
        self.layout = Layout(root)
        self.index = IndexCache(self.layout)
        self.allowed_hosts = allowed_hosts
        self.templates = Environment(loader=PackageLoader("archive.web", "templates"),
                                     autoescape=select_autoescape(default=True),
                                     trim_blocks=True, lstrip_blocks=True)
        filters.install(self.templates)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.answer(request)
        return response(environ, start_response)

    def answer(self, request: Request) -> Response:
        try:
            if request.method not in ("GET", "HEAD"):
                raise MethodNotAllowed(valid_methods=["GET", "HEAD"])
            if not self._host_allowed(request.host):
                return self.error(400, "Unknown host", "This reader only answers to its own address.")
            if request.path.startswith("/replay/"):
                return post.replay_view(self, request)
            endpoint, values = ROUTES.bind_to_environ(request.environ).match()
            if endpoint == "static":
                return self._static(str(values["name"]))
            return VIEWS[str(endpoint)](self, request, **values)
        except HTTPException as error:
            response = self.error(error.code or 500, error.name, error.description or "")
            if isinstance(error, MethodNotAllowed):
                response.headers["Allow"] = "GET, HEAD"
            return response
        except (ArchiveProblem, ValueError, OSError, sqlite3.Error) as error:
            logger.warning("cannot answer %s: %r", request.path, error)
            return self.error(500, "The archive cannot show this", str(error))
        except Exception as error:  # one bad record must not stop the server
            logger.exception("unexpected failure on %s", request.path)
            return self.error(500, "Something went wrong", type(error).__name__)

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        body = self.templates.get_template(template).render(**context)
        return Response(body, status=status, headers=READER_HEADERS,
                        content_type="text/html; charset=utf-8")

    def error(self, status: int, title: str, detail: str) -> Response:
        return self.render("error.html", status=status, title=title, detail=detail,
                           status_code=status)

    def _static(self, name: str) -> Response:
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise NotFound()
        kind = {"css": "text/css; charset=utf-8", "svg": "image/svg+xml"}.get(path.suffix[1:])
        return Response(path.read_bytes(), headers={**READER_HEADERS, "Cache-Control": "max-age=3600"},
                        content_type=kind or "application/octet-stream")

    def _host_allowed(self, host: str) -> bool:
        if self.allowed_hosts is None:
            return True
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.lower() in self.allowed_hosts  # host names are case-insensitive


READER_THREADS = 16  # requests answered at once; more connections wait in the listen queue


class ReaderRequestHandler(WSGIRequestHandler):
    """HTTP/1.1 with keep-alive, but an idle connection gives its worker back after 30 s."""

    protocol_version = "HTTP/1.1"
    timeout = 30


class PooledWSGIServer(BaseWSGIServer):
    """Werkzeug's server with a fixed pool of worker threads instead of one thread per connection.

    One thread per connection let 200 slow clients make 200 threads, each able to hold a page in
    memory; with a pool, memory is bounded by ``threads`` requests and the rest queue.
    """

    multithread = True

    def __init__(self, host: str, port: int, app: Any, threads: int = READER_THREADS) -> None:
        super().__init__(host, port, app, handler=ReaderRequestHandler)
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="reader")

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self._answer, request, client_address)

    def _answer(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=False, cancel_futures=True)


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000,
                threads: int = READER_THREADS) -> BaseWSGIServer:
    """A server with ``threads`` workers for the reader of the archive at ``root``."""
    loopback = host in LOOPBACK_NAMES or host.startswith("127.")
    app = ReaderApp(root, allowed_hosts=(LOOPBACK_NAMES | {host.lower()}) if loopback else None)
    return PooledWSGIServer(host, port, app, threads)
