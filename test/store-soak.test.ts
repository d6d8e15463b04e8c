// The randomized power-loss soak (scripts/soak-store.mjs) with a small run count: two power cuts
// per run at random flash operations; the script exits non-zero on any violation.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { packageRoot } from "../host-sim/paths.js";

describe("store soak", () => {
  it("300 randomized runs with two power cuts each: no violation", () => {
    const script = join(packageRoot(), "scripts", "soak-store.mjs");
    const result = spawnSync(process.execPath, [script, "--runs", "300", "--seed", "7"], { encoding: "utf8" });
    expect(result.stderr + result.stdout).toMatch(/300 runs, 600 cuts .*, 0 violations/);
    expect(result.status).toBe(0);
  }, 240_000);
});
