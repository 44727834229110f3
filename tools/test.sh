#!/usr/bin/env bash
# Sets up and runs every test: unit tests of each module and end-to-end tests of the real `starling` binary on
# real posts from ../shared/data (those skip, saying why, when the folder is absent).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="/opt/swift/usr/bin:$PATH"
tools/setup.sh
swift build --build-tests 2>&1 | tail -3
swift test --skip-build 2>&1
