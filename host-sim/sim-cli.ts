// totpkey-sim: runs the token module on the simulated host. Minimal for now: the front panel
// (display, buttons, typing) arrives with issue 4; until then this boots the module on a flash
// model and reports what it did.
import { Token } from "./token.js";

const HELP = `usage: totpkey-sim [--help]

Boots the totpkey module (build/totpkey.wasm) on a simulated host: a 2 MiB NOR flash model,
a settable clock, and captured keyboard, display and APDU outputs.

This is the minimal simulator: the interactive front panel is not built yet.`;

export function main(argv: string[]): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  if (argv.length > 0) {
    process.stderr.write(`totpkey-sim: unknown argument '${argv[0]}' (see --help)\n`);
    return 2;
  }
  const token = new Token();
  if (token.initStatus !== 0) {
    process.stderr.write(`totpkey-sim: module init failed with status ${token.initStatus}\n`);
    return 1;
  }
  process.stderr.write("totpkey-sim: module booted on a 2 MiB flash model (minimal simulator; no front panel yet)\n");
  return 0;
}
