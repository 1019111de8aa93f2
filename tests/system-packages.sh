#!/bin/sh
# Debian packages the test suite runs for real: Chromium (web reader tests), Redis (scale-out
# tests), epubcheck (EPUB export validation), the Hugo and Jekyll static site generators with
# Jekyll's theme and plugins (tests/test_generators_hugo_jekyll.py), and WordPress with MariaDB,
# PHP-FPM and nginx (tests/wordpress/install-packages.sh).
# Installs only what is missing; `apt-get update` first when something is. Starts no service.
set -eu
cd "$(dirname "$0")"

PACKAGES="chromium redis-server epubcheck"
GENERATORS="hugo jekyll jekyll-theme-minima ruby-jekyll-feed ruby-jekyll-seo-tag ruby-jekyll-sitemap
ruby-jekyll-paginate ruby-jekyll-archives"
PACKAGES="$PACKAGES $GENERATORS"
missing=""
for package in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing="$missing $package"
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ -n "$missing" ]; then
    echo "system-packages.sh: installing$missing"
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
sh wordpress/install-packages.sh
