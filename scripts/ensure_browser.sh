#!/bin/sh
# Installs what the browser tests drive when it is missing: Debian's Chromium (through
# Playwright) and Node.js (the Pyodide parity test runs the runtime under Node).
set -e
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "Missing for the browser tests:$missing. Install with 'sudo apt-get install$missing' and run again." >&2
    exit 1
fi
echo "Installing$missing from Debian's packages..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
