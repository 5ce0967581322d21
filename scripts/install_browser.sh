#!/usr/bin/env bash
# Debian's chromium for the browser check, and a CJK font so screenshots show the Chinese
# terms. No-op when both are present. Installing needs apt-get and root or passwordless
# sudo; otherwise this stops at once with what to install (it never waits for a password).
set -euo pipefail

PKGS=(chromium fonts-wqy-zenhei)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

have_chromium() { [ -x "$CHROMIUM" ] || command -v chromium >/dev/null 2>&1; }
have_font() { command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "wenquanyi"; }

if have_chromium && have_font; then
  exit 0
fi

missing=()
have_chromium || missing+=(chromium)
have_font || missing+=(fonts-wqy-zenhei)

cannot_install() {
  cat >&2 <<EOF
install_browser.sh: cannot install ${missing[*]}: $1.
The browser check (make browser-check / make test) needs Debian's chromium at $CHROMIUM
and the CJK font fonts-wqy-zenhei. Install them once, then rerun make:
  as root:        apt-get update && apt-get install -y ${PKGS[*]}
  or with sudo:   sudo apt-get update && sudo apt-get install -y ${PKGS[*]}
Without apt-get (not Debian/Ubuntu), install Chromium and the WenQuanYi Zen Hei font with
your package manager and point the check at the browser: CHROMIUM=/path/to/chromium make test
EOF
  exit 1
}

if ! command -v apt-get >/dev/null 2>&1; then
  cannot_install "apt-get not found"
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true </dev/null >/dev/null 2>&1; then
  SUDO=(sudo -n) # -n: fail instead of prompting, so this can never hang on a password
else
  cannot_install "not root and no passwordless sudo (sudo -n true fails)"
fi

echo "installing ${PKGS[*]} with apt-get"
# stdin from /dev/null and noninteractive frontend: nothing can prompt; bounded network
# timeouts and apt-lock wait so a stuck mirror or a concurrent apt fails instead of hanging.
APT_OPTS=(-o Acquire::http::Timeout=60 -o Acquire::Retries=2 -o DPkg::Lock::Timeout=300)
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update -qq </dev/null
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq "${PKGS[@]}" </dev/null >/dev/null

if ! have_chromium; then
  echo "install_browser.sh: apt-get finished but no chromium at $CHROMIUM" >&2
  exit 1
fi
echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
