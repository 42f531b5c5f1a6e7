#!/usr/bin/env bash
# Installs what the browser tests need: Debian's chromium (as root, with apt) and web-ext (npm)
# for the extension. Without root and without chromium it says the tests will be skipped and
# why, and exits 0: `make test` goes on and pytest reports those tests as skipped.
# Playwright never downloads a browser here; the tests use /usr/bin/chromium.
set -euo pipefail

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
CHROMIUM=${SUMMARIZER_TEST_CHROMIUM:-/usr/bin/chromium}
EXT_DIR="$(cd "$(dirname "$0")/.." && pwd)/extension/browser"

if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup_browser: installing chromium with apt-get"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "setup_browser: $CHROMIUM is missing and installing it needs root (apt-get install chromium):" \
             "the browser tests (extension, Word add-in) will be SKIPPED."
    fi
fi

if command -v npm >/dev/null; then
    if [ ! -x "$EXT_DIR/node_modules/.bin/web-ext" ]; then
        echo "setup_browser: installing web-ext in extension/browser"
        (cd "$EXT_DIR" && { npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error; })
    fi
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup_browser: installing nodejs and npm with apt-get for web-ext"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    (cd "$EXT_DIR" && npm ci --no-audit --no-fund --loglevel=error)
else
    echo "setup_browser: npm is missing: the web-ext lint test will be SKIPPED (apt-get install nodejs npm)."
fi
