#!/usr/bin/env bash
# Builds the native host, build/native/totpkey-native: boards/common + boards/native + wasm3 0.5.0
# (fetched by scripts/fetch-wasm3.sh), with the system gcc and make. Incremental.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
for tool in gcc make; do
  command -v "$tool" >/dev/null || { echo "build-native: '$tool' is required" >&2; exit 1; }
done
# Test files build in parallel: one make at a time in build/native.
mkdir -p "$root/build/native"
exec 9>"$root/build/native/.build.lock"
flock 9
source_dir="$(bash "$root/scripts/fetch-wasm3.sh")"
make --no-print-directory -s -C "$root/boards/native" -j2 WASM3_SOURCE="$source_dir" >&2
echo "$root/build/native/totpkey-native"
