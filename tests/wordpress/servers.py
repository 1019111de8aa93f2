"""Private MariaDB, PHP-FPM and nginx processes, each confined to one temporary folder.

Every daemon runs in the foreground as a child of the test session, listens on 127.0.0.1 (or a
socket in the folder) and writes its data, pid, socket and logs there. Nothing outside the folder is
changed; stopping a :class:`Daemon` terminates exactly the process it started.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


class SetupError(RuntimeError):
    """A step of the WordPress set-up failed; the message carries the relevant log tail."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        return f"({path}: {error})"
    return f"--- last lines of {path} ---\n" + "\n".join(text.splitlines()[-lines:])


def need(program: str) -> str:
    found = shutil.which(program, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if not found:
        raise SetupError(f"{program} not found: run tests/wordpress/install-packages.sh first")
    return found


def run(command: Sequence[str], what: str, timeout: float = 300, **kwargs: object) -> str:
    """Run a set-up command; on failure raise with its output, not a bare exit status."""
    try:
        result = subprocess.run(list(command), capture_output=True, text=True, timeout=timeout,
                                check=False, **kwargs)  # type: ignore[call-overload]
    except subprocess.TimeoutExpired as error:
        raise SetupError(f"{what}: timed out after {timeout}s: {command}") from error
    if result.returncode != 0:
        raise SetupError(f"{what} failed (exit {result.returncode}): {' '.join(command)}\n"
                         f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return str(result.stdout)


@dataclass
class Daemon:
    """One foreground server process with its own log; ``ready`` says when it serves."""

    name: str
    command: list[str]
    log: Path
    ready: Callable[[], bool]
    logs: list[Path] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SetupError(f"{self.name} exited with {self.process.returncode} on start: "
                                 f"{' '.join(self.command)}\n{self.diagnostics()}")
            if self.ready():
                return
            time.sleep(0.1)
        raise SetupError(f"{self.name} not ready after {timeout}s\n{self.diagnostics()}")

    def diagnostics(self) -> str:
        return "\n".join(tail(path) for path in [self.log, *self.logs] if path.exists())

    def stop(self, timeout: float = 20) -> None:
        """Terminate this process (SIGTERM, then SIGKILL); never anything else."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


def port_open(port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False
    return check


def socket_open(path: Path) -> Callable[[], bool]:
    def check() -> bool:
        if not path.exists():
            return False
        with socket.socket(socket.AF_UNIX) as probe:
            probe.settimeout(0.5)
            try:
                probe.connect(str(path))
            except OSError:
                return False
            return True
    return check


class MariaDB:
    """A throw-away MariaDB: own datadir, socket and port, root by unix-socket authentication."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "mariadb"
        self.datadir = self.dir / "data"
        self.socket = self.dir / "mysqld.sock"
        self.port = free_port()
        self.errors = self.dir / "error.log"
        self.daemon: Daemon | None = None

    def start(self) -> None:
        self.datadir.mkdir(parents=True)
        user = ["--user=root"] if os.geteuid() == 0 else []
        run([need("mariadb-install-db"), "--no-defaults", f"--datadir={self.datadir}", *user,
             "--auth-root-authentication-method=socket", "--skip-test-db",
             f"--socket={self.socket}"], "mariadb-install-db")
        self.daemon = Daemon("mariadbd", [
            need("mariadbd"), "--no-defaults", f"--datadir={self.datadir}", *user,
            "--skip-networking=0", "--bind-address=127.0.0.1", f"--port={self.port}",
            f"--socket={self.socket}", f"--pid-file={self.dir / 'mariadbd.pid'}",
            f"--log-error={self.errors}", "--skip-log-bin", "--innodb-buffer-pool-size=64M",
            "--innodb-flush-log-at-trx-commit=0", "--skip-name-resolve",
        ], self.dir / "stdout.log", socket_open(self.socket), logs=[self.errors])
        self.daemon.start()

    def sql(self, statements: str) -> str:
        return run([need("mariadb"), "--no-defaults", f"--socket={self.socket}", "-uroot",
                    "--batch", "--skip-column-names", "-e", statements], "mariadb client")

    def stop(self) -> None:
        if self.daemon:
            self.daemon.stop(timeout=60)


class PhpFpm:
    """php-fpm8.2 in the foreground with one static pool on a unix socket in the folder."""

    def __init__(self, root: Path, children: int = 8) -> None:
        self.dir = root / "php-fpm"
        self.socket = self.dir / "php-fpm.sock"
        self.errors = self.dir / "php-fpm.log"
        self.php_errors = self.dir / "php-errors.log"
        self.children = children
        self.daemon: Daemon | None = None

    def config(self) -> str:
        user = "user = root\ngroup = root\n" if os.geteuid() == 0 else ""
        return (f"[global]\npid = {self.dir / 'php-fpm.pid'}\nerror_log = {self.errors}\n"
                f"daemonize = no\n\n[blogarchive]\n{user}listen = {self.socket}\n"
                f"pm = static\npm.max_children = {self.children}\n"
                f"catch_workers_output = yes\nclear_env = no\n"
                f"php_admin_value[error_log] = {self.php_errors}\n"
                f"php_admin_flag[log_errors] = on\nphp_admin_value[memory_limit] = 256M\n")

    def start(self) -> None:
        self.dir.mkdir(parents=True)
        conf = self.dir / "php-fpm.conf"
        conf.write_text(self.config())
        root = ["-R"] if os.geteuid() == 0 else []
        self.daemon = Daemon("php-fpm", [need("php-fpm8.2"), "-F", "-y", str(conf), *root],
                             self.dir / "stdout.log", socket_open(self.socket),
                             logs=[self.errors, self.php_errors])
        self.daemon.start()

    def stop(self) -> None:
        if self.daemon:
            self.daemon.stop()


# Self-contained rather than `include /etc/nginx/...`: a host's edited fastcgi_params (one seen in CI
# passes HTTP_HOST as $host, without the port) makes WordPress redirect every URL to itself.
FASTCGI_PARAMS = (
    ("QUERY_STRING", "$query_string"), ("REQUEST_METHOD", "$request_method"),
    ("CONTENT_TYPE", "$content_type"), ("CONTENT_LENGTH", "$content_length"),
    ("SCRIPT_NAME", "$fastcgi_script_name"), ("REQUEST_URI", "$request_uri"),
    ("DOCUMENT_URI", "$document_uri"), ("DOCUMENT_ROOT", "$document_root"),
    ("SERVER_PROTOCOL", "$server_protocol"), ("REQUEST_SCHEME", "$scheme"),
    ("GATEWAY_INTERFACE", "CGI/1.1"), ("SERVER_SOFTWARE", "nginx/$nginx_version"),
    ("REMOTE_ADDR", "$remote_addr"), ("REMOTE_PORT", "$remote_port"),
    ("SERVER_ADDR", "$server_addr"), ("SERVER_PORT", "$server_port"),
    ("SERVER_NAME", "$server_name"), ("REDIRECT_STATUS", "200"),
)
MIME_TYPES = " ".join(f"{kind} {ext};" for kind, ext in (
    ("text/html", "html"), ("text/css", "css"), ("application/javascript", "js"),
    ("text/plain", "txt"), ("application/json", "json"), ("text/xml", "xml"),
    ("image/jpeg", "jpg jpeg"), ("image/png", "png"), ("image/gif", "gif"),
    ("image/svg+xml", "svg"), ("image/x-icon", "ico"), ("font/woff2", "woff2"),
    ("font/woff", "woff")))


class Nginx:
    """nginx with ``daemon off``, every path (pid, temp dirs, logs) inside the folder."""

    def __init__(self, root: Path, docroot: Path, fpm_socket: Path) -> None:
        self.dir = root / "nginx"
        self.docroot = docroot
        self.fpm_socket = fpm_socket
        self.port = free_port()
        self.access_log = self.dir / "access.log"
        self.errors = self.dir / "error.log"
        self.daemon: Daemon | None = None

    def config(self) -> str:
        user = "user root;\n" if os.geteuid() == 0 else ""
        params = "".join(f"            fastcgi_param {name} {value};\n"
                         for name, value in FASTCGI_PARAMS)
        temps = "".join(f"    {kind}_temp_path {self.dir / 'tmp' / kind};\n"
                        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        return f"""{user}daemon off;
worker_processes 2;
pid {self.dir / 'nginx.pid'};
error_log {self.errors} warn;
events {{ worker_connections 256; }}
http {{
    types {{ {MIME_TYPES} }}
    default_type application/octet-stream;
{temps}    log_format blogarchive
        '$request_method\\t$request_uri\\t$status\\t$body_bytes_sent\\t$http_user_agent';
    access_log {self.access_log} blogarchive;
    sendfile on;
    gzip on;
    gzip_types text/css application/javascript application/json application/xml text/xml
               application/rss+xml application/atom+xml;
    server {{
        listen 127.0.0.1:{self.port};
        server_name 127.0.0.1;
        root {self.docroot};
        index index.php;
        location / {{ try_files $uri $uri/ /index.php?$args; }}
        location ~ \\.php$ {{
            try_files $uri =404;
{params}            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_pass unix:{self.fpm_socket};
        }}
    }}
}}
"""

    def start(self) -> None:
        (self.dir / "tmp").mkdir(parents=True)
        conf = self.dir / "nginx.conf"
        conf.write_text(self.config())
        command = [need("nginx"), "-c", str(conf), "-p", f"{self.dir}/", "-e", str(self.errors)]
        run([*command, "-t"], "nginx -t")
        self.daemon = Daemon("nginx", command, self.dir / "stdout.log", port_open(self.port),
                             logs=[self.errors])
        self.daemon.start()

    def log_size(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def requests_since(self, offset: int) -> list[dict[str, str]]:
        """Access-log lines written after ``offset`` (a :meth:`log_size` taken earlier)."""
        with self.access_log.open("rb") as log:
            log.seek(offset)
            lines = log.read().decode("utf-8", "replace").splitlines()
        keys = ("method", "uri", "status", "bytes", "agent")
        return [dict(zip(keys, line.split("\t"), strict=False)) for line in lines if line]

    def stop(self) -> None:
        if self.daemon:
            self.daemon.stop()
