#!/usr/bin/env node
// Prints the bytes of linear memory the token module can touch: the end of its statics
// (__heap_base, read from a probe build of the same source, which exports it), rounded up to 256.
// The module allocates nothing at run time (--runtime stub, no `new` after init: docs/DESIGN.md),
// so nothing lives above it. Refuses (exit 1) when the probe's data segments differ from the
// release module's: the probe would then describe another layout (a stale build/totpkey.wasm).
// Usage: module-memory.mjs <release.wasm> <probe.wasm> <probe.wat>
import { readFileSync } from "node:fs";

const ROUND_BYTES = 256;
const PAGE_BYTES = 65536;

// The raw data section (id 11) of a wasm binary.
function dataSection(bytes) {
  let at = 8;
  const leb = () => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return value;
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    if (id === 11) return bytes.subarray(at, at + size);
    at += size;
  }
  return new Uint8Array(0);
}

const [releasePath, probePath, probeText] = process.argv.slice(2);
const release = dataSection(readFileSync(releasePath));
const probe = dataSection(readFileSync(probePath));
if (release.length !== probe.length || !release.every((b, i) => b === probe[i])) {
  console.error("module-memory: the probe's data segments differ from the release module's (stale build/totpkey.wasm?)");
  process.exit(1);
}
const match = /\$\S*probeHeapBase \(result i32\)\s*i32\.const (\d+)/.exec(readFileSync(probeText, "utf8"));
if (!match) {
  console.error("module-memory: no constant __heap_base in the probe");
  process.exit(1);
}
const bytes = Math.ceil(Number(match[1]) / ROUND_BYTES) * ROUND_BYTES;
if (bytes <= 0 || bytes > PAGE_BYTES) {
  console.error(`module-memory: heap base ${match[1]} outside one page`);
  process.exit(1);
}
console.log(bytes);
