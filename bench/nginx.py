"""Debian's nginx serving a directory on 127.0.0.1, as a plain background process of the benchmark.

Everything it writes (pid file, logs, temporary directories) stays under a private prefix directory;
``daemon off`` keeps it our child so it is stopped with us. Configured like a typical WordPress host:
gzip on (level 5, HTML, CSS, JS, XML, RSS), ``charset utf-8``, keep-alive, one worker process (the
machine has two cores and the crawlers need them). The access log (status, bytes sent, method, URI)
tells what each client fetched.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CONFIG = """\
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{
        text/html html; text/css css; application/javascript js; text/plain txt;
        application/xml xml; application/rss+xml rss; text/xsl xsl;
        image/png png; image/jpeg jpg jpeg; image/gif gif; image/webp webp; image/svg+xml svg;
        image/x-icon ico; font/woff2 woff2; font/woff woff;
    }}
    default_type application/octet-stream;
    log_format bench '$status $body_bytes_sent $request_method $request_uri';
    access_log {prefix}/access.log bench;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    server_tokens on;
    charset utf-8;
    charset_types text/css application/javascript text/plain application/xml
                  application/rss+xml text/xsl;
    gzip on;
    gzip_comp_level 5;
    gzip_min_length 256;
    gzip_vary on;
    gzip_proxied any;
    gzip_types text/css application/javascript text/plain application/xml application/rss+xml
               text/xsl;
    server {{
        listen 127.0.0.1:{port};
        server_name _;
        root {root};
        index index.html index.rss;
        error_page 404 /404.html;
        location / {{ try_files $uri $uri/ =404; }}
        location /avatar/ {{ default_type image/png; try_files $uri =404; }}
    }}
}}
"""


def free_port(preferred: int | None = None) -> int:
    """``preferred`` if it can be bound on 127.0.0.1, else a free ephemeral port."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx does
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise OSError("no free port on 127.0.0.1")


@dataclass
class AccessLog:
    """Read the requests logged since the last mark."""

    path: Path
    offset: int = 0

    def mark(self) -> None:
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def since_mark(self) -> list[tuple[int, int, str]]:
        """(status, bytes sent, URI) of each request since ``mark()``."""
        with self.path.open("rb") as log:
            log.seek(self.offset)
            lines = log.read().decode("utf-8", "replace").splitlines()
        rows = []
        for line in lines:
            status, sent, _method, uri = [*line.split(" ", 3), "", "", ""][:4]
            if status.isdigit():
                rows.append((int(status), int(sent) if sent.isdigit() else 0, uri))
        return rows


class Nginx:
    def __init__(self, root: Path, port: int, prefix: Path) -> None:
        self.root, self.port, self.prefix = root, port, prefix
        self.process: subprocess.Popen[bytes] | None = None
        self.log = AccessLog(prefix / "access.log")

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    def start(self) -> None:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise SystemExit("nginx is not installed: apt-get install nginx-light (or nginx)")
        self.prefix.mkdir(parents=True, exist_ok=True)
        conf = self.prefix / "nginx.conf"
        conf.write_text(CONFIG.format(prefix=self.prefix, port=self.port, root=self.root))
        self.process = subprocess.Popen(
            [binary, "-p", str(self.prefix), "-c", str(conf), "-e", str(self.prefix / "error.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise SystemExit(f"nginx did not start: {error.strip()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("nginx did not answer within 10 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish requests, then exit
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
