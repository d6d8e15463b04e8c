// Symbol addresses and section sizes of the built firmware, read with binutils (installed with the
// toolchain by scripts/setup-system.sh).
import { execFileSync } from "node:child_process";
import { firmwarePath } from "./firmware.js";

export function firmwareSymbols(): Map<string, number> {
  const text = execFileSync("arm-none-eabi-nm", [firmwarePath("elf")], { encoding: "utf8" });
  const symbols = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [address, , name] = line.trim().split(/\s+/);
    if (name && /^[0-9a-f]+$/.test(address)) symbols.set(name, parseInt(address, 16));
  }
  return symbols;
}

/** Section name -> size in bytes (allocated sections only). */
export function firmwareSections(): Map<string, number> {
  const text = execFileSync("arm-none-eabi-size", ["-A", firmwarePath("elf")], { encoding: "utf8" });
  const sections = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(\.\S+)\s+(\d+)\s+(\d+)/.exec(line.trim());
    if (match && Number(match[3]) !== 0) sections.set(match[1], Number(match[2]));
  }
  return sections;
}

/** Function symbols sorted by address, with sizes (for mapping sampled program counters). */
export function firmwareFunctions(): Array<{ name: string; address: number; size: number }> {
  const text = execFileSync("arm-none-eabi-nm", ["-S", "-n", firmwarePath("elf")], { encoding: "utf8" });
  const functions: Array<{ name: string; address: number; size: number }> = [];
  for (const line of text.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length === 4 && /^[tTwW]$/.test(parts[2])) {
      functions.push({ name: parts[3], address: parseInt(parts[0], 16) & ~1, size: parseInt(parts[1], 16) });
    }
  }
  return functions;
}

/** Samples per function, largest first. */
export function attributeSamples(samples: Map<number, number>): Array<[string, number]> {
  const functions = firmwareFunctions();
  const totals = new Map<string, number>();
  for (const [pc, count] of samples) {
    const owner = functions.find((f) => pc >= f.address && pc < f.address + f.size);
    const name = owner?.name ?? `0x${pc.toString(16)}`;
    totals.set(name, (totals.get(name) ?? 0) + count);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}
