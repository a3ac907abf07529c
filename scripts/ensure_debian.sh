#!/bin/sh
# Installs Debian packages for the commands the build and the tests need, when missing:
#   sh scripts/ensure_debian.sh COMMAND:PACKAGE [COMMAND:PACKAGE ...]
# node:nodejs runs the pinned Pyodide to compile its Python files (scripts/runtime/vendor.py) and the
# parity test; chromium:chromium is the browser the browser tests drive (Playwright's own
# browser download is not reachable from every machine); java:default-jre-headless runs the
# Nu HTML checker (scripts/runtime/checkers.py).
set -e
missing=""
for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "Missing:$missing. Install with 'sudo apt-get install$missing' and run again." >&2
    exit 1
fi
echo "Installing$missing from Debian's packages..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
