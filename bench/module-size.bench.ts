// The release module's size: what wasm3 must parse and compile on the board.
import { readModule } from "../host-sim/paths.js";
import type { Bench } from "./run.js";

const bench: Bench = async () => {
  const release = readModule("release");
  const debug = readModule("debug");
  const sections = new Map<number, number>();
  // Walk the binary's sections to report which part the size is in.
  let at = 8;
  while (at < release.length) {
    const id = release[at++];
    let size = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = release[at++];
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    sections.set(id, (sections.get(id) ?? 0) + size);
    at += size;
  }
  const names: Record<number, string> = { 0: "custom", 1: "type", 2: "import", 3: "function", 5: "memory", 6: "global", 7: "export", 8: "start", 10: "code", 11: "data", 12: "data count" };
  const rows = [...sections].map(([id, bytes]) => `| ${names[id] ?? id} | ${bytes} |`).join("\n");
  return {
    title: "Module size",
    markdown: `Release \`build/totpkey.wasm\`: **${release.length} bytes** (debug build: ${debug.length} bytes).\n\n| section | bytes |\n|---|---|\n${rows}`,
  };
};
export default bench;
