#!/usr/bin/env bash
# Builds the RP2040 firmware: build/firmware/totpkey-rp2040.elf, .bin and .uf2.
# Needs Debian's gcc-arm-none-eabi and newlib (scripts/setup-system.sh installs them when missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
board="$root/boards/rp2040"
out="$root/build/firmware"
mkdir -p "$out"

if ! command -v arm-none-eabi-gcc >/dev/null; then
  bash "$root/scripts/setup-system.sh"
fi
command -v arm-none-eabi-gcc >/dev/null || { echo "build-firmware: arm-none-eabi-gcc missing after setup" >&2; exit 1; }

cpu=(-mcpu=cortex-m0plus -mthumb)
cflags=("${cpu[@]}" -Os -g -std=gnu11 -ffreestanding -ffunction-sections -fdata-sections
        -Wall -Wextra -Werror -Wno-override-init -I"$board")

# boot2: assembled alone, padded to 252 bytes, CRC32 appended, then linked in as raw bytes.
arm-none-eabi-gcc "${cpu[@]}" -c "$board/boot2.S" -o "$out/boot2.o"
arm-none-eabi-objcopy -O binary --only-section=.boot2_code "$out/boot2.o" "$out/boot2.bin"
node "$board/tools/boot2-checksum.mjs" "$out/boot2.bin" "$out/boot2-checksummed.bin"
printf '.section .boot2, "a"\n.incbin "%s"\n' "$out/boot2-checksummed.bin" > "$out/boot2-image.S"
arm-none-eabi-gcc "${cpu[@]}" -c "$out/boot2-image.S" -o "$out/boot2-image.o"

sources=("$board"/*.c)
objects=("$out/boot2-image.o")
for source in "${sources[@]}"; do
  object="$out/$(basename "${source%.c}").o"
  arm-none-eabi-gcc "${cflags[@]}" -c "$source" -o "$object"
  objects+=("$object")
done
for extra in "${EXTRA_OBJECTS[@]:-}"; do [ -n "$extra" ] && objects+=("$extra"); done

arm-none-eabi-gcc "${cpu[@]}" -nostartfiles -Wl,--gc-sections -Wl,-T,"$board/memmap.ld" \
  -Wl,-Map,"$out/totpkey-rp2040.map" --specs=nano.specs --specs=nosys.specs \
  "${objects[@]}" -lc -lgcc -o "$out/totpkey-rp2040.elf"
arm-none-eabi-objcopy -O binary "$out/totpkey-rp2040.elf" "$out/totpkey-rp2040.bin"
node "$board/tools/uf2.mjs" "$out/totpkey-rp2040.bin" "$out/totpkey-rp2040.uf2"
echo "build-firmware: $(stat -c %s "$out/totpkey-rp2040.bin") bytes -> $out/totpkey-rp2040.{elf,bin,uf2}"
