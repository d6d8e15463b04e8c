#!/usr/bin/env bash
# Installs the Debian packages the tests and builds need, only those missing. Idempotent; needs root
# (or sudo). The package list is the single source: add a package here, with the reason, not elsewhere.
set -euo pipefail

PACKAGES=(
  gcc                      # the native wasm3 host (boards/native) and the pcsclite addon build
  g++                      # node-gyp builds the pcsclite addon as C++
  make                     # boards/native's Makefile, node-gyp
  python3-pip              # fetch-wasm3.sh downloads the wasm3 source from PyPI with pip
  oathtool                 # independent oracle for HOTP/TOTP codes in tests
  gcc-arm-none-eabi        # cross compiler for the RP2040 firmware (boards/rp2040, npm run build:firmware)
  binutils-arm-none-eabi   # its assembler, linker and objcopy (ELF -> .bin for the UF2)
  libnewlib-arm-none-eabi  # the C library and libgcc multilibs (thumb/v6-m) the firmware links
  libpcsclite-dev          # headers the pcsclite npm addon builds against (the CLI's PC/SC transport)
  pcscd                    # the PC/SC daemon: the ykman acceptance tests start it (test/ykman-kit.ts)
  vsmartcard-vpcd          # pcscd reader driver the simulator connects to as a card (totpkey-sim --vpcd)
  pcsc-tools               # pcsc_scan, for looking at the simulated card by hand
  yubikey-manager          # ykman: the real YKOATH client of the acceptance tests (test/ykman-*.test.ts)
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup-system: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "setup-system: missing packages (${missing[*]}) and not root, with no sudo: install them as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
