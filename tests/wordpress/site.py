"""A real Debian WordPress behind nginx and PHP-FPM, installed and filled in a temporary folder.

Debian's ``/usr/share/wordpress/wp-config.php`` reads ``/etc/wordpress/config-HOST.php``; to change
nothing outside the folder, the site is served from a private document root instead:

    ROOT/docroot/wp-config.php          our own configuration (database socket, URLs, content dir)
    ROOT/docroot/*.php                  copies of Debian's top-level files (they find wp-config.php
                                        through their own directory, which a symlink would resolve
                                        to /usr/share/wordpress)
    ROOT/docroot/wp-includes, wp-admin  symlinks to Debian's (loaded through ABSPATH)
    ROOT/docroot/wp-content/themes/X    symlinks to Debian's theme packages
    ROOT/docroot/wp-content/uploads     real, private

Only the front end is wired up this way: ``/wp-admin/`` pages load Debian's configuration and
answer 404, which a crawler must never ask for anyway.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from tests.wordpress.content import plan
from tests.wordpress.servers import MariaDB, Nginx, PhpFpm, SetupError, need, run, tail

WORDPRESS = Path("/usr/share/wordpress")
THEMES = WORDPRESS / "wp-content" / "themes"
CLASSIC_THEME = "twentytwentyone"
BLOCK_THEME = "twentytwentythree"
TIMEZONE = "Europe/Berlin"
PERMALINKS = "/%year%/%monthnum%/%day%/%postname%/"
TOOL = Path(__file__).resolve().parent / "wp.php"


class WordPressSite:
    """Start with :meth:`start`, always :meth:`stop` (also after a failed start)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.docroot = root / "docroot"
        self.db = MariaDB(root)
        self.fpm = PhpFpm(root)
        self.web = Nginx(root, self.docroot, self.fpm.socket)
        self.password = secrets.token_hex(12)
        self.timings: dict[str, float] = {}
        self.ids: dict[str, Any] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web.port}/"

    def start(self) -> None:
        for program in ("php", "php-fpm8.2", "nginx", "mariadbd"):
            need(program)
        if not (WORDPRESS / "wp-settings.php").exists():
            raise SetupError("Debian's wordpress package is missing: run "
                             "tests/wordpress/install-packages.sh first")
        self._timed("mariadb", self.db.start)
        self.db.sql("CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
                    f"CREATE USER 'wordpress'@'localhost' IDENTIFIED BY '{self.password}';"
                    "GRANT ALL ON wordpress.* TO 'wordpress'@'localhost';")
        self._timed("docroot", self._docroot)
        self._timed("php-fpm", self.fpm.start)
        self._timed("nginx", self.web.start)
        self._timed("wp_install", lambda: self.php("install", {
            "title": "Real WordPress", "password": self.password, "timezone": TIMEZONE,
            "permalink": PERMALINKS}))
        self._timed("populate", lambda: self.ids.update(self.php("populate", plan())))

    def stop(self) -> None:
        """Terminate what was started, web server first; keep going if one of them fails."""
        errors = []
        for server in (self.web, self.fpm, self.db):
            try:
                server.stop()
            except Exception as error:  # report every failure, still stop the others
                errors.append(f"{type(server).__name__}: {error}")
        if errors:
            raise SetupError("; ".join(errors))

    def _timed(self, step: str, action: Any) -> None:
        started = time.monotonic()
        action()
        self.timings[step] = round(time.monotonic() - started, 2)

    def _docroot(self) -> None:
        self.docroot.mkdir()
        for entry in WORDPRESS.iterdir():
            if entry.name in ("wp-config.php", "wp-content", ".htaccess"):
                continue
            if entry.is_dir():
                (self.docroot / entry.name).symlink_to(entry)
            else:
                shutil.copy2(entry, self.docroot / entry.name)
        content = self.docroot / "wp-content"
        for sub in ("themes", "plugins", "uploads", "upgrade", "languages"):
            (content / sub).mkdir(parents=True)
        for theme in (CLASSIC_THEME, BLOCK_THEME):
            if not (THEMES / theme / "style.css").exists():
                raise SetupError(f"theme {theme} missing in {THEMES}: run install-packages.sh")
            (content / "themes" / theme).symlink_to(THEMES / theme)
        (self.docroot / "wp-config.php").write_text(self._config())

    def _config(self) -> str:
        keys = "".join(f"define('{name}', '{secrets.token_hex(32)}');\n" for name in (
            "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT",
            "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"))
        url = self.url.rstrip("/")
        return f"""<?php
// Written by tests/wordpress/site.py for one test session; replaces Debian's /etc/wordpress lookup.
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', '{self.password}');
define('DB_HOST', 'localhost:{self.db.socket}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{keys}$table_prefix = 'wp_';
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('WP_CONTENT_DIR', '{self.docroot / "wp-content"}');
define('WP_CONTENT_URL', '{url}/wp-content');
define('WP_HTTP_BLOCK_EXTERNAL', true);   // no update checks or pings leave the machine
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_DEBUG', false);
if (!defined('ABSPATH')) {{
    define('ABSPATH', __DIR__ . '/');
}}
require_once ABSPATH . 'wp-settings.php';
"""

    def php(self, command: str, data: dict[str, Any] | None = None) -> Any:
        """Run one ``wp.php`` command with WordPress loaded; its JSON answer."""
        args = [need("php"), "-d", "memory_limit=512M", str(TOOL), str(self.docroot),
                f"127.0.0.1:{self.web.port}", command]
        if data is not None:
            path = self.root / f"{command}-input.json"
            path.write_text(json.dumps(data))
            args.append(str(path))
        try:
            output = run(args, f"wp.php {command}", timeout=300, cwd=self.root)
        except SetupError as error:
            raise SetupError(f"{error}\n{self.diagnostics()}") from error
        return json.loads(output.strip().splitlines()[-1])

    def switch_theme(self, theme: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.php("theme", {"theme": theme})
        return answer

    def refuse_rest(self, refuse: bool) -> None:
        """A must-use plugin answering 401 to the crawler's REST requests (as the "Disable REST
        API" plugins do for visitors), or none; the tests' own REST reads still work."""
        plugin = self.docroot / "wp-content" / "mu-plugins" / "refuse-rest.php"
        if not refuse:
            plugin.unlink(missing_ok=True)
            return
        plugin.parent.mkdir(exist_ok=True)
        plugin.write_text("""<?php
add_filter('rest_authentication_errors', function ($result) {
    if (strpos($_SERVER['HTTP_USER_AGENT'] ?? '', 'blogarchive') === 0) {
        return new WP_Error('rest_not_logged_in', 'You are not currently logged in.',
                            ['status' => 401]);
    }
    return $result;
});
""")

    def export(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.php("export")
        return answer

    def diagnostics(self) -> str:
        logs = [self.web.errors, self.fpm.errors, self.fpm.php_errors, self.db.errors]
        return "\n".join(tail(path, 20) for path in logs if path.exists())
