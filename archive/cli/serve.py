"""The ``serve`` command: the local web reader (archive.web) on a loopback address."""

from __future__ import annotations

import click

from archive.cli.base import ArchiveContext, main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback exposes the archive to the network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.pass_obj
def serve(obj: ArchiveContext, host: str, port: int) -> None:
    """Read the archive in a web browser: blogs, posts, search, and the captured originals.

    Only reads the archive directory; nothing is fetched from the live web. Stop with Ctrl-C.

    \b
    Example:
      blogarchive --archive ./archive-data serve --port 8000
      # then open http://127.0.0.1:8000/
    """
    from archive.catalog.health import check_catalog
    from archive.catalog.open import has_catalog
    from archive.web import make_server

    if not has_catalog(obj.layout):
        raise click.ClickException(f"no archive at {obj.layout.root} (no catalog.sqlite): run a "
                                   "crawl first, or pass --archive DIR")
    check_catalog(obj.layout.catalog_path)  # a damaged catalog: one line now, not a 500 per page
    try:
        server = make_server(obj.layout.root, host, port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Serving {obj.layout.root} at http://{shown}:{server.server_port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()
