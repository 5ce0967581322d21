#!/usr/bin/env bash
# Debian's chromium for the browser check, and a CJK font so screenshots show the Chinese
# terms. No-op when both are present. Needs root or sudo (apt-get).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "wenquanyi"; then
  exit 0
fi
SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo "sudo")
echo "installing chromium and fonts-wqy-zenhei with apt-get"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
