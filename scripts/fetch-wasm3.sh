#!/usr/bin/env bash
# Puts the wasm3 v0.5.0 C source in .vendor/wasm3-0.5.0/source (gitignored), fetched by pip from
# PyPI: the pywasm3 0.5.0 source distribution bundles wasm3's source/ folder of that release.
# Why PyPI: crates.io's wasm3-sys stops at 0.3.0 (wasm3 0.4.7); pywasm3 0.5.0 is the registry package
# that carries the 0.5.0 source. The sdist's SHA-256 is pinned twice: in boards/wasm3/requirements.txt
# (pip --require-hashes refuses anything else) and below (checked again before unpacking).
# Idempotent: does nothing when the verified source is already there. Prints the source folder.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
version="0.5.0"
sdist="pywasm3-${version}.tar.gz"
sdist_sha256="5a47c8a39f7f6ae71b3316b2e5d86c9d0db6e771a65f09a86e4d4aa3a19aefcc"
vendor="$root/.vendor"
target="$vendor/wasm3-${version}"
stamp="$target/.verified-sha256"

# Builds may run this at the same time (test files in parallel, native and firmware builds): one at a time.
mkdir -p "$vendor"
exec 8>"$vendor/.fetch-wasm3.lock"
flock 8

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sdist_sha256" ] && [ -f "$target/source/wasm3.h" ]; then
  echo "$target/source"
  exit 0
fi

python="$(command -v python3 || true)"
if [ -z "$python" ] || ! "$python" -m pip --version >/dev/null 2>&1; then
  echo "fetch-wasm3: python3 with pip is required to fetch the wasm3 source from PyPI" >&2
  exit 1
fi

download="$vendor/download"
mkdir -p "$download"
if [ ! -f "$download/$sdist" ]; then
  # --no-binary: the source distribution, not a prebuilt wheel; --no-deps: nothing else is wanted.
  # pip prepares the sdist's metadata in an isolated build environment (setuptools, from PyPI).
  "$python" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary pywasm3 \
    --require-hashes -r "$root/boards/wasm3/requirements.txt" -d "$download" >&2
fi

actual="$(sha256sum "$download/$sdist" | cut -d' ' -f1)"
if [ "$actual" != "$sdist_sha256" ]; then
  echo "fetch-wasm3: $sdist has SHA-256 $actual, expected $sdist_sha256; refusing it" >&2
  rm -f "$download/$sdist"
  exit 1
fi

unpack="$(mktemp -d "$vendor/unpack.XXXXXX")"
trap 'rm -rf "$unpack"' EXIT
tar -xzf "$download/$sdist" -C "$unpack"
grep -q "#define M3_VERSION       \"${version}\"" "$unpack/pywasm3-${version}/wasm3/wasm3.h" || {
  echo "fetch-wasm3: the unpacked source does not say wasm3 ${version}" >&2
  exit 1
}
rm -rf "$target"
mkdir -p "$target"
mv "$unpack/pywasm3-${version}/wasm3" "$target/source"
cp "$unpack/pywasm3-${version}/LICENSE" "$target/LICENSE"
echo "$sdist_sha256" > "$stamp"
echo "$target/source"
