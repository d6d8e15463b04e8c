// Compiled together with assembly/index.ts (scripts/build-firmware.sh) only to learn where the
// module's statics end: the board gives wasm3 that much memory, not the whole 64 KiB page.
export function probeHeapBase(): usize {
  return __heap_base;
}
