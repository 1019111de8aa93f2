#!/bin/sh
# The npm generators and themes of the test suite (Hexo with landscape, Eleventy, the Doks Hugo
# theme), exactly as locked in
# tests/generators/npm/package-lock.json, into .cache/generators/npm/ (gitignored). Pelican comes
# with the venv (pyproject's `test` extra). Idempotent: nothing is done while the installed lock
# is the committed one; `npm ci` starts afresh otherwise.
set -eu
cd "$(dirname "$0")/../.."
SOURCE=tests/generators/npm
CACHE=.cache/generators/npm
if cmp -s "$SOURCE/package-lock.json" "$CACHE/.installed-lock.json" && [ -d "$CACHE/node_modules" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "tests/generators/install.sh: installing nodejs and npm"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
mkdir -p "$CACHE"
rm -f "$CACHE/.installed-lock.json"
cp "$SOURCE/package.json" "$SOURCE/package-lock.json" "$CACHE/"
(cd "$CACHE" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
cp "$SOURCE/package-lock.json" "$CACHE/.installed-lock.json"
