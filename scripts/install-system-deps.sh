#!/usr/bin/env bash
# Debian packages the kiosk needs: CJK fonts for the pages, ffmpeg for browser audio, espeak-ng as the
# last-resort voice, chromium for the browser tests, postgresql for the tests of the shared database (they start a
# throwaway server of their own). Installs only what is missing.
set -euo pipefail
wanted=(fonts-noto-cjk ffmpeg espeak-ng chromium postgresql)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
