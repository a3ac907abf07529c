#!/bin/sh
# Installs Debian's Chromium when it is missing; the browser tests drive it through Playwright.
set -e
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "Chromium is missing: install it with 'sudo apt-get install chromium' and run again." >&2
    exit 1
fi
echo "Installing Chromium from Debian's packages..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
chromium --version
