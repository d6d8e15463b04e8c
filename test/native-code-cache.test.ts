// The compiled-code cache of boards/common/code_cache.c under the native host: with a budget, all of
// wasm3's compiled code is dropped after init, after any event that leaves more than the budget,
// before and after a provisioning APDU (apdu_routine() 0), and after a call in which the module asked
// for it (drop_compiled_code); functions compile again on their next call. Codes must stay right
// across drops (node:crypto is the oracle), the corpus must print the same as without drops, and
// drops follow the policy.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { buildNative, nativeHost, probeApdu, probeOps, root, runNative, wasmFromWat, PROBE_WAT } from "./native-harness.js";
import { AlgorithmId, apdu, counterBytes, hmac, putData, tlv, truncate, TAG, INS } from "./applet-kit.js";

const OATH_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01]);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex").toUpperCase();
const NOW = 1_700_000_000;

beforeAll(() => {
  buildNative();
}, 600_000);

const CREDENTIALS: { name: string; algorithm: AlgorithmId; secret: Uint8Array }[] = [
  { name: "sha1", algorithm: 1, secret: Uint8Array.from({ length: 20 }, (_, i) => 0x30 + (i % 10)) },
  { name: "sha256", algorithm: 2, secret: Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1) },
  { name: "sha512", algorithm: 3, secret: Uint8Array.from({ length: 64 }, (_, i) => 255 - i * 3) },
];

// PUT the three credentials, then CALCULATE each at three time steps, with ticks in between.
function calculateScript(): { script: string; expected: string[] } {
  const lines = [`rtc ${NOW}`, "advance 100", `apdu ${hex(apdu(0x00, INS.SELECT, 0x04, 0x00, OATH_AID))}`];
  for (const c of CREDENTIALS) lines.push(`apdu ${hex(apdu(0x00, INS.PUT, 0, 0, putData({ ...c, digits: 8 })))}`);
  const expected: string[] = [];
  for (let step = 0; step < 3; step++) {
    const counter = Math.floor(NOW / 30) + step;
    for (const c of CREDENTIALS) {
      const data = Uint8Array.from([...tlv(TAG.NAME, new TextEncoder().encode(c.name)), ...tlv(TAG.CHALLENGE, counterBytes(counter))]);
      lines.push(`apdu ${hex(apdu(0x00, INS.CALCULATE, 0, 1, data))}`, "advance 30");
      expected.push(String(truncate(hmac(c.algorithm, c.secret, counterBytes(counter))) % 1e8).padStart(8, "0"));
    }
  }
  return { script: lines.join("\n") + "\n", expected };
}

// The codes in the CALCULATE replies (76 05 digits code(4) 9000).
function codesOf(stdout: string): string[] {
  return stdout.split("\n").filter((line) => line.startsWith("apdu-response 7605")).map((line) => {
    const bytes = Buffer.from(line.split(" ")[1], "hex");
    return String((bytes.readUInt32BE(3) & 0x7fffffff) % 10 ** bytes[2]).padStart(bytes[2], "0");
  });
}

function drops(stderr: string): number {
  const match = /wasm3 code cache: (\d+) drops/.exec(stderr);
  if (!match) throw new Error(`no code cache stats in: ${stderr}`);
  return Number(match[1]);
}

describe("compiled-code cache (native host)", () => {
  it("CALCULATE with SHA-1, SHA-256 and SHA-512 equals node:crypto with code dropped after every event", () => {
    const { script, expected } = calculateScript();
    const dropping = runNative(script, undefined, ["--stats", "--code-budget", "1"]);
    expect(dropping.status, dropping.stderr).toBe(0);
    expect(codesOf(dropping.stdout)).toEqual(expected);
    // init, 4 SELECT/PUT APDUs, 9 CALCULATE, and a tick every 10 ms (at least 37): each dropped.
    expect(drops(dropping.stderr)).toBeGreaterThanOrEqual(1 + 4 + 9 + 37);
    const keeping = runNative(script, undefined, ["--stats"]);
    expect(keeping.stdout).toBe(dropping.stdout);
    expect(drops(keeping.stderr)).toBe(0);
  });

  it("drops after init only while the code stays within the budget, after each event beyond it", () => {
    const { script } = calculateScript();
    const generous = runNative(script, undefined, ["--stats", "--code-budget", "100000000"]);
    // The boot path's code once, and before and after each of the 3 PUTs (provisioning).
    expect(drops(generous.stderr)).toBe(1 + 3 * 2);
    const putPrefix = `apdu 00${INS.PUT.toString(16).padStart(2, "0")}`.toUpperCase();
    const reading = script.split("\n").filter((line) => !line.toUpperCase().startsWith(putPrefix));
    expect(reading.length).toBe(script.split("\n").length - 3);
    expect(drops(runNative(reading.join("\n"), undefined, ["--stats", "--code-budget", "100000000"]).stderr)).toBe(1);
    const every = drops(runNative(script, undefined, ["--stats", "--code-budget", "1"]).stderr);
    // A budget between one event's code and the whole working set: some events end over it.
    const some = drops(runNative(script, undefined, ["--stats", "--code-budget", "40000"]).stderr);
    expect(some).toBeGreaterThan(1);
    expect(some).toBeLessThan(every);
  });

  it("drops before and after a provisioning APDU, and after a call that asked with drop_compiled_code", () => {
    const dir = mkdtempSync(join(tmpdir(), "totpkey-cache-"));
    try {
      const probePath = join(dir, "probe.wasm");
      writeFileSync(probePath, wasmFromWat(PROBE_WAT));
      const dropsFor = (lines: string[], budget = "100000000") =>
        drops(runNative(lines.join("\n") + "\n", probePath, ["--stats", "--code-budget", budget]).stderr);
      const routine = probeApdu(probeOps.state);
      expect(dropsFor([routine, routine])).toBe(1); // init only
      expect(dropsFor([routine, probeApdu(probeOps.provisioning), routine])).toBe(1 + 2);
      expect(dropsFor([routine, probeApdu(probeOps.dropCompiledCode), routine])).toBe(1 + 1);
      // Without a budget the host keeps every function's code: neither drops.
      expect(dropsFor([probeApdu(probeOps.provisioning), probeApdu(probeOps.dropCompiledCode)], "0")).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a budget that is not a byte count", () => {
    // No stdin: the host exits before it would read a script.
    const run = spawnSync(nativeHost, ["--code-budget", "12k", "-"], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--code-budget");
  });

  const corpusDir = join(root, "test", "scenarios");
  for (const name of readdirSync(corpusDir).filter((file) => file.endsWith(".txt")).sort()) {
    it(`scenario ${name} prints the same with code dropped after every event`, () => {
      const script = readFileSync(join(corpusDir, name), "utf8");
      const dropping = runNative(script, undefined, ["--stats", "--code-budget", "1"]);
      expect(dropping.signal, dropping.stderr).toBeNull();
      expect(dropping.stdout).toBe(runNative(script).stdout);
      expect(drops(dropping.stderr)).toBeGreaterThan(1);
    });
  }
});
