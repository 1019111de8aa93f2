#!/bin/sh
# Install what the real-WordPress tests (tests/test_wordpress.py, `pytest -m wordpress`) need,
# from Debian's own packages, only if something is missing. Never starts a service: a temporary
# policy-rc.d (exit 101) stops postinst scripts from launching mariadb, php-fpm or nginx; the tests
# start private copies of each in a temp folder. Run as root (or through sudo) on Debian 12.
set -eu

# Three rounds, because apt takes the first alternative of a dependency unless another one is installed
# already: WordPress depends on "apache2 | httpd" and "libapache2-mod-php | php", and php on
# "libapache2-mod-php8.2 | php8.2-fpm | ...". With nginx, then php-fpm, in place no Apache comes along.
SERVERS="nginx php8.2-fpm php8.2-cli php8.2-mysql php8.2-gd php8.2-xml php8.2-mbstring
mariadb-server mariadb-client"
PHP="php"
WORDPRESS="wordpress wordpress-theme-twentytwentyone wordpress-theme-twentytwentythree"
PACKAGES="$SERVERS $PHP $WORDPRESS"

missing_of() {
    for package in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
        [ "$status" = "installed" ] || printf ' %s' "$package"
    done
}
# shellcheck disable=SC2086
missing=$(missing_of $PACKAGES)
if [ -z "$missing" ]; then
    echo "install-packages.sh: all present ($(echo $PACKAGES))"
    exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
POLICY=/usr/sbin/policy-rc.d
if [ -e "$POLICY" ]; then
    echo "install-packages.sh: $POLICY exists already; leaving it as it is" >&2
    own_policy=""
else
    printf '#!/bin/sh\n# blogarchive tests/wordpress/install-packages.sh: no daemon starts\nexit 101\n' \
        | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    own_policy=1
fi
cleanup() { [ -z "$own_policy" ] || $SUDO rm -f "$POLICY"; }
trap cleanup EXIT INT TERM

install() {
    [ -n "$1" ] || return 0
    echo "install-packages.sh: installing$1"
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $1
}
$SUDO apt-get update -qq
# shellcheck disable=SC2086
install "$(missing_of $SERVERS)"
# shellcheck disable=SC2086
install "$(missing_of $PHP)"
# shellcheck disable=SC2086
install "$(missing_of $WORDPRESS)"
