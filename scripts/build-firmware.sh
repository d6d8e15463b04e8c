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

# One build at a time in build/firmware (test files build in parallel).
exec 9>"$out/.build.lock"
flock 9

# The module the board runs: the release build, embedded as bytes.
module="$root/build/totpkey.wasm"
if [ ! -f "$module" ]; then
  node "$root/scripts/build-module.mjs"
fi
[ -f "$module" ] || { echo "build-firmware: $module missing (npm run build:module failed)" >&2; exit 1; }
wasm3_source="$(bash "$root/scripts/fetch-wasm3.sh")"

# Up to date when the UF2 (written last) is newer than every input: nothing to do.
final="$out/totpkey-rp2040.uf2"
if [ -f "$final" ] && [ -f "$out/totpkey-rp2040.bin" ] && [ -z "$(find "$board" "$root/boards/common" \
     "$root/scripts/build-firmware.sh" "$module" -type f -newer "$final" -print -quit)" ]; then
  echo "build-firmware: up to date ($out)" >&2
  exit 0
fi

cpu=(-mcpu=cortex-m0plus -mthumb)
config=(-include "$root/boards/common/wasm3_config.h")
includes=(-I"$board" -I"$root/boards/common" -I"$wasm3_source")
# Lazy compilation; a 3 KiB wasm value stack (1.9 KiB high-water on the heaviest paths); compiled code
# dropped after init and past 64 KiB after an event (the everyday working set is 59 KB with shrinkLevel 2). docs/wasm3.md.
cflags=("${cpu[@]}" -Os -g -std=gnu11 -ffunction-sections -fdata-sections
        -Wall -Wextra -Werror -Wno-override-init -DTK_COMPILE_AT_BOOT=0 -DTK_WASM_STACK_BYTES=3072 -DTK_CODE_BUDGET_BYTES=65536 "${config[@]}" "${includes[@]}")
# wasm3's interpreter chains its operations by tail calls: it needs optimisation that keeps them.
wasm3_flags=("${cpu[@]}" -O2 -g -std=gnu11 -ffunction-sections -fdata-sections -fomit-frame-pointer -w
             "${config[@]}" -include "$board/wasm3_rp2040.h" -I"$wasm3_source")

# boot2: assembled alone, padded to 252 bytes, CRC32 appended, then linked in as raw bytes.
arm-none-eabi-gcc "${cpu[@]}" -c "$board/boot2.S" -o "$out/boot2.o"
arm-none-eabi-objcopy -O binary --only-section=.boot2_code "$out/boot2.o" "$out/boot2.bin"
node "$board/tools/boot2-checksum.mjs" "$out/boot2.bin" "$out/boot2-checksummed.bin"
printf '.section .boot2, "a"\n.incbin "%s"\n' "$out/boot2-checksummed.bin" > "$out/boot2-image.S"
arm-none-eabi-gcc "${cpu[@]}" -c "$out/boot2-image.S" -o "$out/boot2-image.o"

# The module bytes, 4-byte aligned in flash (wasm3 reads them in place).
printf '.section .rodata.totpkey_wasm, "a"\n.balign 4\n.global totpkey_wasm_start, totpkey_wasm_end\ntotpkey_wasm_start:\n.incbin "%s"\ntotpkey_wasm_end:\n' \
  "$module" > "$out/module-image.S"
# Its SHA-256, reported at boot and in host_info, computed here rather than on the chip (15 ms of boot).
module_sha256="$(sha256sum "$module" | cut -c1-64 | sed 's/../0x&,/g; s/,$//')"
printf '.section .rodata.totpkey_wasm_sha256, "a"\n.global totpkey_wasm_sha256\ntotpkey_wasm_sha256:\n.byte %s\n' \
  "$module_sha256" >> "$out/module-image.S"
# The memory it can touch: the end of its statics (a probe build exports __heap_base). wasm3 gets
# that much instead of the whole 64 KiB page; an access above it traps (bounds checks stay on).
(cd "$root" && node_modules/.bin/asc assembly/index.ts boards/rp2040/tools/heap-base-probe.ts --config asconfig.json --target release \
  --transform ./scripts/cold-functions.mjs \
  -o "$out/heap-base-probe.wasm" -t "$out/heap-base-probe.wat")
module_memory_bytes="$(node "$board/tools/module-memory.mjs" "$module" "$out/heap-base-probe.wasm" "$out/heap-base-probe.wat")"
printf '.section .rodata.totpkey_wasm_memory_bytes, "a"\n.balign 4\n.global totpkey_wasm_memory_bytes\ntotpkey_wasm_memory_bytes:\n.word %s\n' \
  "$module_memory_bytes" >> "$out/module-image.S"
arm-none-eabi-gcc "${cpu[@]}" -c "$out/module-image.S" -o "$out/module-image.o"

objects=("$out/boot2-image.o" "$out/module-image.o")
mkdir -p "$out/wasm3"
# wasm3 objects are kept between builds; rebuilt (two at a time) when the source or our
# configuration is newer than the object.
stale=()
for source in "$wasm3_source"/m3_*.c; do
  object="$out/wasm3/$(basename "${source%.c}").o"
  objects+=("$object")
  if [ ! -f "$object" ] || [ "$source" -nt "$object" ] || [ "$root/boards/common/wasm3_config.h" -nt "$object" ] ||
     [ "$board/wasm3_rp2040.h" -nt "$object" ]; then
    stale+=("$source" "$object")
  fi
done
if [ ${#stale[@]} -gt 0 ]; then
  printf '%s\0' "${stale[@]}" |
    xargs -0 -n2 -P2 bash -c 'n=$#; exec arm-none-eabi-gcc "${@:1:n-2}" -c "${@:n-1:1}" -o "${@:n:1}"' \
      compile "${wasm3_flags[@]}"
fi

for source in "$board"/*.c "$root"/boards/common/*.c; do
  object="$out/$(basename "$(dirname "$source")")-$(basename "${source%.c}").o"
  arm-none-eabi-gcc "${cflags[@]}" -c "$source" -o "$object"
  objects+=("$object")
done

# Outputs are written beside their final names and renamed into place, so a reader (another test
# process) never sees a half-written file.
arm-none-eabi-gcc "${cpu[@]}" -nostartfiles -Wl,--gc-sections -Wl,-T,"$board/memmap.ld" \
  -Wl,-Map,"$out/totpkey-rp2040.map" --specs=nano.specs --specs=nosys.specs \
  "${objects[@]}" -lc -lgcc -o "$out/totpkey-rp2040.elf.tmp"
arm-none-eabi-objcopy -O binary "$out/totpkey-rp2040.elf.tmp" "$out/totpkey-rp2040.bin.tmp"
node "$board/tools/uf2.mjs" "$out/totpkey-rp2040.bin.tmp" "$out/totpkey-rp2040.uf2.tmp"
mv -f "$out/totpkey-rp2040.elf.tmp" "$out/totpkey-rp2040.elf"
mv -f "$out/totpkey-rp2040.bin.tmp" "$out/totpkey-rp2040.bin"
mv -f "$out/totpkey-rp2040.uf2.tmp" "$out/totpkey-rp2040.uf2"
echo "build-firmware: $(stat -c %s "$out/totpkey-rp2040.bin") bytes -> $out/totpkey-rp2040.{elf,bin,uf2}" >&2
