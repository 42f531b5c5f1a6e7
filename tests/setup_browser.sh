#!/usr/bin/env bash
# Installs what the browser tests need: Debian's chromium and firefox-esr (as root, with apt) and
# web-ext (npm) for the extension. Without root and without a browser it says which tests will be
# skipped and why, and exits 0: `make test` goes on and pytest reports those tests as skipped.
# No tool downloads a browser of its own here: Playwright drives /usr/bin/chromium and
# marionette-driver (a Python package) drives /usr/bin/firefox-esr.
set -euo pipefail

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
CHROMIUM=${SUMMARIZER_TEST_CHROMIUM:-/usr/bin/chromium}
FIREFOX=${SUMMARIZER_TEST_FIREFOX:-/usr/bin/firefox-esr}
EXT_DIR="$(cd "$(dirname "$0")/.." && pwd)/extension/browser"

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
[ -x "$FIREFOX" ] || missing+=(firefox-esr)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup_browser: installing ${missing[*]} with apt-get"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "setup_browser: ${missing[*]} missing and installing needs root (apt-get install ${missing[*]}):" \
             "the browser tests that need them (chromium: extension, Word add-in; firefox-esr: test_firefox) will be SKIPPED."
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
