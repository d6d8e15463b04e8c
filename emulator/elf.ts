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
