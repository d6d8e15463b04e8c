// The native host's side of the host ABI, driven by a hand-written probe module (WAT, see
// native-harness.ts) that can hand every import any pointer. Each import's answers are checked
// against independent expectations (node:crypto, the NOR rules, the clock), and both hosts must
// print the same. Out-of-range pointers must stop the module with a report, never crash the host.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runScenario, EXIT_LOAD_FAILED, EXIT_MODULE_STOPPED, EXIT_OK } from "../host-sim/scenario.js";
import {
  buildNative, probeApdu, probeOps as op, runNative, wasmFromWat, PROBE_INIT_PANIC_FLAGS, PROBE_PAYLOAD, PROBE_WAT,
} from "./native-harness.js";

const REGION = 2 * 1024 * 1024 - 64 * 1024;
const SCRATCH = 0x2000;
let dir = "";
let probePath = "";
let probe: Uint8Array;

beforeAll(() => {
  buildNative();
  probe = wasmFromWat(PROBE_WAT);
  dir = mkdtempSync(join(tmpdir(), "totpkey-probe-"));
  probePath = join(dir, "probe.wasm");
  writeFileSync(probePath, probe);
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `lines` under both hosts, requires identical output and exit code, returns the output lines. */
function both(lines: string[], moduleBytes = probe, modulePath = probePath): { lines: string[]; exitCode: number } {
  const script = lines.join("\n") + "\n";
  const sim = runScenario(script, { moduleBytes });
  const native = runNative(script, modulePath);
  expect(native.signal, `native host crashed: ${native.stderr}`).toBeNull();
  expect(native.stdout).toBe(sim.output);
  expect(native.status).toBe(sim.exitCode);
  return { lines: sim.output.trimEnd().split("\n"), exitCode: sim.exitCode };
}

const le32 = (value: number): string => {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32LE(value);
  return bytes.toString("hex");
};
const le64 = (value: bigint): string => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64LE(value);
  return bytes.toString("hex");
};
const response = (hex: string): string => `apdu-response ${hex}`;

describe("native host: the probe module's init and boot", () => {
  it("prints init's outputs grouped before 'init', then the status (-flags for the probe)", () => {
    const frame = new Uint8Array(512);
    frame.set([1, 2, 4, 8]);
    const frameSha = createHash("sha256").update(frame).digest("hex");
    const { lines, exitCode } = both(["boot flags 3"]);
    expect(exitCode).toBe(EXIT_OK);
    expect(lines).toEqual(["log 2 probe init", `frame 128x32 ${frameSha}`, "init -3", "end programs=0 erases=0 set-bit=0"]);
  });

  it("a panic during init drops init's outputs and reports the panic", () => {
    const { lines, exitCode } = both([`boot flags ${PROBE_INIT_PANIC_FLAGS}`, probeApdu(op.state), "boot", probeApdu(op.state)]);
    expect(exitCode).toBe(EXIT_MODULE_STOPPED);
    expect(lines[0]).toBe("stopped panic 7 init refused");
    // the APDU after the stop reached nothing; the next boot works
    expect(lines.slice(1, 4)).toEqual(["log 2 probe init", expect.stringMatching(/^frame /), "init 0"]);
    expect(lines[4]).toBe(response(le32(0) + le32(0) + le32(0)));
  });
});

describe("native host: every import answers as the ABI says, the same as host-sim", () => {
  it("flash_read, flash_program, flash_erase follow NOR rules", () => {
    const data = Uint8Array.of(0xf0, 0x0f, 0x55, 0xaa);
    const { lines } = both([
      probeApdu(op.flashProgram, [REGION, PROBE_PAYLOAD, 4], data),
      probeApdu(op.flashRead, [REGION, SCRATCH, 4]),
      probeApdu(op.apduResponse, [SCRATCH, 4]),
      probeApdu(op.flashProgram, [REGION, PROBE_PAYLOAD, 4], Uint8Array.of(0xff, 0xff, 0x05, 0xa0)), // sets bits
      probeApdu(op.flashRead, [REGION, SCRATCH, 4]),
      probeApdu(op.apduResponse, [SCRATCH, 4]),
      probeApdu(op.flashProgram, [REGION + 250, PROBE_PAYLOAD, 10]), // crosses a 256-byte page
      probeApdu(op.flashProgram, [REGION, PROBE_PAYLOAD, 0]), // empty
      probeApdu(op.flashProgram, [2 * 1024 * 1024 - 2, PROBE_PAYLOAD, 4]), // leaves the chip
      probeApdu(op.flashRead, [2 * 1024 * 1024 - 2, SCRATCH, 4]), // leaves the chip
      probeApdu(op.flashErase, [REGION + 100]), // misaligned
      probeApdu(op.flashErase, [2 * 1024 * 1024]), // past the end
      probeApdu(op.flashErase, [REGION]),
      probeApdu(op.flashRead, [REGION, SCRATCH, 4]),
      probeApdu(op.apduResponse, [SCRATCH, 4]),
      "flash_sha256",
    ]);
    const erased = Buffer.alloc(2 * 1024 * 1024, 0xff);
    expect(lines).toEqual([
      "log 2 probe init", expect.stringMatching(/^frame /), "init 0",
      response(le32(0)), response(le32(0)), response("f00f55aa"),
      response(le32(-2)), response(le32(0)), response("f00f05a0"), // old AND new, as NOR keeps
      response(le32(-1)), response(le32(-1)), response(le32(-1)), response(le32(-1)),
      response(le32(-1)), response(le32(-1)),
      response(le32(0)), response(le32(0)), response("ffffffff"),
      `flash-sha256 ${createHash("sha256").update(erased).digest("hex")}`,
      "end programs=2 erases=1 set-bit=1",
    ]);
  });

  it("now_ms, rtc_read, rtc_write follow the scenario's clock", () => {
    const { lines } = both([
      probeApdu(op.rtcRead),
      "advance 95",
      probeApdu(op.nowMs),
      "rtc 1700000000",
      "advance 2500",
      probeApdu(op.rtcRead),
      probeApdu(op.rtcWrite, [2_000_000_000, 0]),
      "advance 999",
      probeApdu(op.rtcRead),
      "advance 1",
      probeApdu(op.rtcRead),
      "rtc_clear",
      probeApdu(op.rtcRead),
      probeApdu(op.state),
    ]);
    expect(lines.slice(3, -1)).toEqual([
      response(le64(-1n)), response(le64(95n)), response(le64(1_700_000_002n)), response(le32(0)),
      response(le64(2_000_000_000n)), response(le64(2_000_000_001n)), response(le64(-1n)),
      response(le32(10 + 250 + 100 + 1) + le32(0) + le32(0)), // one tick per 10 ms (the last step shorter)
    ]);
  });

  it("random_fill gives the scenario's xorshift32 stream, or -1 without entropy", () => {
    const { lines } = both([
      probeApdu(op.randomFill, [SCRATCH, 6]),
      probeApdu(op.apduResponse, [SCRATCH, 6]),
      "entropy off",
      probeApdu(op.randomFill, [SCRATCH, 6]),
      "entropy on",
      probeApdu(op.randomFill, [SCRATCH, 2]),
      probeApdu(op.apduResponse, [SCRATCH, 2]),
    ]);
    let state = 0x9e3779b9;
    const stream = Array.from({ length: 8 }, () => {
      state = (state ^ (state << 13)) >>> 0;
      state = (state ^ (state >>> 17)) >>> 0;
      state = (state ^ (state << 5)) >>> 0;
      return state & 0xff;
    });
    expect(lines.slice(3, -1)).toEqual([
      response(le32(0)), response(Buffer.from(stream.slice(0, 6)).toString("hex")),
      response(le32(-1)), response(le32(0)), response(Buffer.from(stream.slice(6)).toString("hex")),
    ]);
  });

  it("keyboard_report: sent reports are printed; busy and absent are answered", () => {
    const report = Uint8Array.of(0, 0, 0x1e, 0, 0, 0, 0, 0);
    const { lines } = both([
      probeApdu(op.keyboardReport, [PROBE_PAYLOAD, 8], report),
      "keyboard busy",
      probeApdu(op.keyboardReport, [PROBE_PAYLOAD, 8], report),
      "keyboard absent",
      probeApdu(op.keyboardReport, [PROBE_PAYLOAD, 8], report),
    ]);
    expect(lines.slice(3, -1)).toEqual([
      "keyboard 00001e0000000000", response(le32(0)), response(le32(1)), response(le32(-1)),
    ]);
  });

  it("display_frame, log (escaped), host_info (the module's SHA-256 and the host's name)", () => {
    const text = Uint8Array.from([...Buffer.from("a\\b "), 0x01, 0xc3, 0xa9]);
    const { lines } = both([
      probeApdu(op.displayFrame, [SCRATCH, 1024, 128, 64]),
      probeApdu(op.log, [0, PROBE_PAYLOAD, text.length], text),
      probeApdu(op.hostInfo, [SCRATCH, 32]),
      probeApdu(op.apduResponse, [SCRATCH, 32]),
      probeApdu(op.hostInfo, [SCRATCH, 10]),
    ]);
    const digest = createHash("sha256").update(probe).digest("hex");
    expect(lines.slice(3, -1)).toEqual([
      `frame 128x64 ${createHash("sha256").update(new Uint8Array(1024)).digest("hex")}`, response(""),
      "log 0 a\\\\b \\x01\\xc3\\xa9", response(""),
      response(le32(32)), response(digest), response(le32(10)),
    ]);
    // Past the digest each host writes its own name.
    const native = runNative([probeApdu(op.hostInfo, [SCRATCH, 64]), probeApdu(op.apduResponse, [SCRATCH, 44])].join("\n"), probePath);
    expect(native.stdout).toContain(response(le32(32 + "native 0.1.0".length)));
    expect(native.stdout).toContain(response(digest + Buffer.from("native 0.1.0").toString("hex")));
  });

  it("buttons, keyboard LEDs and ticks reach the module", () => {
    const { lines } = both(["press ok 60", "down up", "up up", "leds 5", "tick", probeApdu(op.state)]);
    const history = (((2 * 2 + 1) * 8 + 2 * 2) * 8 + 1) * 8 + 0; // ok down, ok up, up down, up up
    expect(lines.slice(3, -1)).toEqual([response(le32(7) + le32(history) + le32(5))]);
  });

  it("bulk memory and sign extension (what AssemblyScript emits) run under wasm3", () => {
    const { lines } = both([probeApdu(op.features, [0xab, 0x8000_0080])]);
    expect(lines[3]).toBe(response("ab".repeat(16) + le32(-128) + le32(0x0080) + le64(-0x7fff_ff80n)));
  });
});

describe("native host: out-of-range guest pointers stop the module with a report, never a crash", () => {
  const MEMORY = 65536;
  const cases: [string, string, string][] = [
    ["apdu_response far past memory", probeApdu(op.apduResponse, [0xffff_fff0, 16]), "apdu_response"],
    ["apdu_response one byte past the end", probeApdu(op.apduResponse, [MEMORY - 1, 2]), "apdu_response"],
    ["apdu_response whose ptr + length wraps 32 bits", probeApdu(op.apduResponse, [16, 0xffff_fff8]), "apdu_response"],
    ["log", probeApdu(op.log, [2, MEMORY, 1]), "log"],
    ["flash_read into memory's end", probeApdu(op.flashRead, [0, MEMORY - 8, 16]), "flash_read"],
    ["flash_program from outside", probeApdu(op.flashProgram, [REGION, 70_000, 4]), "flash_program"],
    ["random_fill", probeApdu(op.randomFill, [MEMORY - 4, 16]), "random_fill"],
    ["keyboard_report", probeApdu(op.keyboardReport, [MEMORY - 1, 8]), "keyboard_report"],
    ["host_info", probeApdu(op.hostInfo, [MEMORY - 8, 64]), "host_info"],
    ["display_frame", probeApdu(op.displayFrame, [MEMORY - 100, 512, 128, 32]), "display_frame"],
    ["display_frame with a wrong length", probeApdu(op.displayFrame, [0, 100, 128, 32]), "display_frame (length)"],
    ["panic", probeApdu(op.panic, [0x8000_0000, 4, 1]), "panic"],
  ];
  for (const [name, apdu, what] of cases) {
    it(name, () => {
      const { lines, exitCode } = both(["rtc 1700000000", apdu, probeApdu(op.state), "advance 1000", "boot", probeApdu(op.nowMs)]);
      expect(exitCode).toBe(EXIT_MODULE_STOPPED);
      // stopped; the next APDU reached nothing; time went on; a new boot runs again
      expect(lines.slice(3)).toEqual([
        `stopped guest-memory ${what}`, "log 2 probe init", expect.stringMatching(/^frame /), "init 0",
        response(le64(1000n)), expect.stringMatching(/^end /),
      ]);
    });
  }

  it("a flash_read past the chip answers -1 before the pointer is looked at, as host-sim does", () => {
    const { lines } = both([probeApdu(op.flashRead, [2 * 1024 * 1024, MEMORY + 5, 4])]);
    expect(lines[3]).toBe(response(le32(-1)));
  });
});

describe("native host: panics and traps", () => {
  it("panic reports its line and message (escaped)", () => {
    const message = Buffer.from("store: bad \\ state\n");
    const { lines, exitCode } = both([probeApdu(op.panic, [PROBE_PAYLOAD, message.length, 42], message)]);
    expect(exitCode).toBe(EXIT_MODULE_STOPPED);
    expect(lines[3]).toBe("stopped panic 42 store: bad \\\\ state\\x0a");
  });

  for (const [name, apdu] of [
    ["unreachable", probeApdu(op.unreachable)],
    ["a load outside memory", probeApdu(op.load, [65534])],
    ["unbounded recursion (stack overflow)", probeApdu(op.recurse)],
  ] as const) {
    it(`${name} is 'stopped trap'`, () => {
      const { lines, exitCode } = both([apdu, probeApdu(op.state)]);
      expect(exitCode).toBe(EXIT_MODULE_STOPPED);
      expect(lines.slice(3)).toEqual(["stopped trap", expect.stringMatching(/^end /)]);
    });
  }
});

describe("native host: modules it refuses at load", () => {
  it("a module with a float instruction (wasm3 is built without floats)", () => {
    const withFloat = PROBE_WAT.replace("(func $tick (global.set $ticks (i32.add (global.get $ticks) (i32.const 1))))",
      "(func $tick (global.set $ticks (i32.trunc_f32_s (f32.add (f32.convert_i32_s (global.get $ticks)) (f32.const 1)))))");
    expect(withFloat).not.toBe(PROBE_WAT);
    const path = join(dir, "float.wasm");
    writeFileSync(path, wasmFromWat(withFloat));
    const native = runNative("tick\n", path);
    expect(native.signal).toBeNull();
    expect(native.status).toBe(EXIT_LOAD_FAILED);
    expect(native.stdout).toBe("");
  });

  it("a module without the ABI's exports, in both hosts", () => {
    const path = join(dir, "empty.wasm");
    const empty = wasmFromWat('(module (memory $m 1 1) (export "memory" (memory $m)))');
    writeFileSync(path, empty);
    const native = runNative("tick\n", path);
    expect(native.status).toBe(EXIT_LOAD_FAILED);
    expect(native.stderr).toContain("cannot run");
    expect(runScenario("tick\n", { moduleBytes: empty }).exitCode).toBe(EXIT_LOAD_FAILED);
  });

  it("--check compiles every module the build makes, within the configured limits", async () => {
    const { readdirSync } = await import("node:fs");
    const { spawnSync } = await import("node:child_process");
    const { nativeHost, root } = await import("./native-harness.js");
    const modules = readdirSync(join(root, "build")).filter((name) => name.endsWith(".wasm"));
    expect(modules).toContain("totpkey.wasm");
    for (const name of modules) {
      const result = spawnSync(nativeHost, ["--check", "--module", join(root, "build", name)], { encoding: "utf8" });
      expect(result.status, `${name}: ${result.stderr}`).toBe(0);
      expect(result.stderr).toMatch(/wasm3 heap: peak \d+ bytes live/);
    }
  });
});
