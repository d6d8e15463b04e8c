// Builds the firmware (once per test process; a file lock keeps parallel test files from building
// over each other) and returns the flat image. A missing toolchain is installed by the build script
// through scripts/setup-system.sh, or the build fails loudly.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../host-sim/paths.js";

export function firmwarePath(extension: "elf" | "bin" | "uf2" | "map"): string {
  return join(packageRoot(), "build", "firmware", `totpkey-rp2040.${extension}`);
}

let built = false;

export function buildFirmware(): void {
  if (built) return;
  const root = packageRoot();
  mkdirSync(join(root, "build"), { recursive: true });
  execFileSync("flock", [join(root, "build", ".firmware.lock"), "bash", join(root, "scripts", "build-firmware.sh")], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  built = true;
}

export function firmwareImage(): Uint8Array {
  buildFirmware();
  return new Uint8Array(readFileSync(firmwarePath("bin")));
}
