#!/usr/bin/env bash
# Installs what Starling needs to build and run, idempotently: Debian packages for Xapian, ICU, utf8proc, CLD2,
# the Unicode/CLDR data files and the public suffix list. Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(libxapian-dev xapian-tools libicu-dev libutf8proc-dev libcld2-dev unicode-data unicode-cldr-core
          publicsuffix pkg-config unzip wamerican)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: system packages present" >&2
fi

if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "setup: swift is at /opt/swift/usr/bin; add it to PATH" >&2
  else
    echo "setup: Swift 6.1 or later is required (https://www.swift.org/install/linux/)" >&2
    exit 1
  fi
fi
