// The scenario corpus (test/scenarios/*.txt) under both hosts: the release module under wasm3
// (build/native/totpkey-native) and under Node (host-sim's Token, host-sim/scenario.ts) must print
// byte-identical output. Every new scenario file is picked up here.
import { beforeAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runScenario, EXIT_OK, EXIT_SCRIPT_ERROR } from "../host-sim/scenario.js";
import { buildNative, root, runNative } from "./native-harness.js";

const corpusDir = join(root, "test", "scenarios");
const corpus = readdirSync(corpusDir).filter((name) => name.endsWith(".txt")).sort();

beforeAll(() => {
  buildNative();
}, 600_000);

describe("scenario corpus: native host (wasm3) and host-sim (Node) print the same", () => {
  it("has scenarios", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(4);
  });

  for (const name of corpus) {
    it(name, () => {
      const script = readFileSync(join(corpusDir, name), "utf8");
      const sim = runScenario(script);
      const native = runNative(script);
      expect(native.signal, native.stderr).toBeNull();
      expect(sim.error, "host-sim").toBeUndefined();
      expect(native.stdout).toBe(sim.output);
      expect(native.status).toBe(sim.exitCode);
      expect(sim.exitCode).toBe(EXIT_OK);

      const lines = sim.output.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^(log|keyboard|apdu-response|frame|init) /);
      expect(lines.at(-1)).toMatch(/^end programs=\d+ erases=\d+ set-bit=0$/);
      // The ABI answers every apdu() exactly once: each APDU of the script has its response.
      const apdus = script.split("\n").filter((line) => /^\s*apdu\s/.test(line)).length;
      expect(lines.filter((line) => line.startsWith("apdu-response ")).length).toBe(apdus);
    });
  }
});

describe("scenario runners agree on script errors", () => {
  const bad = [
    "advance -5",
    "advance 1.5",
    "press sideways",
    "apdu 0A4",
    "apdu zz",
    "leds 4294967296",
    "boot flags",
    "frobnicate",
    "rtc 0017",
    "a b c d e f g h i",
  ];
  for (const line of bad) {
    it(`'${line}' stops the run with exit code 2 and the same output so far`, () => {
      const script = `rtc 1700000000\napdu 00\n${line}\nadvance 10\n`;
      const sim = runScenario(script);
      const native = runNative(script);
      expect(sim.exitCode).toBe(EXIT_SCRIPT_ERROR);
      expect(native.status).toBe(EXIT_SCRIPT_ERROR);
      expect(native.stdout).toBe(sim.output);
      expect(native.stdout).not.toContain("end ");
      expect(native.stderr).toContain("scenario line 3:");
      expect(sim.error).toContain("scenario line 3:");
    });
  }

  it("an APDU longer than the module's 1040-byte buffer is a script error in both; one that fills it is sent", () => {
    const script = (bytes: number) => `apdu ${"00".repeat(bytes)}\n`;
    expect(runScenario(script(1041)).exitCode).toBe(EXIT_SCRIPT_ERROR);
    expect(runNative(script(1041)).status).toBe(EXIT_SCRIPT_ERROR);
    const sim = runScenario(script(1040));
    expect(sim.exitCode).toBe(EXIT_OK);
    expect(runNative(script(1040)).stdout).toBe(sim.output);
  });

  it("an empty script boots the module and ends", () => {
    const sim = runScenario("# nothing\n\n");
    expect(sim.output).toMatch(/(^|\n)init 0\nend programs=\d+ erases=\d+ set-bit=0\n$/);
    expect(runNative("# nothing\n\n").stdout).toBe(sim.output);
  });
});
