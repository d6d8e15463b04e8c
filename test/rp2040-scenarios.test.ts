// The scenario corpus (test/scenarios/*.txt) on the emulated board, the Node host (host-sim) and the
// native host (wasm3): each script, as the board can run it (emulator/scenario-board.ts's
// transcription, every change with its reason), must print the same lines on all three.
//
// One output kind is compared per kind rather than interleaved: frames. The board's module ticks
// (and draws) on its own 10 ms timer while an APDU exchange, a button edge or a boot takes emulated
// time, so a frame can land between two APDU responses that the other hosts answer without time
// passing (they draw at the next `advance`). Every other line is compared in order, and the frames
// are compared in order among themselves.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runScenario, EXIT_SCRIPT_ERROR } from "../host-sim/scenario.js";
import { BOARD_REASONS, runBoardScenario, transcribeForBoard } from "../emulator/scenario-board.js";
import { buildFirmware } from "../emulator/firmware.js";
import { firmwareSymbols } from "../emulator/elf.js";
import { buildNative, root, runNative } from "./native-harness.js";
import { oracleTotp } from "./ui-support.js";

// Emulating the firmware is slow on a loaded 2-core machine (time-and-buttons runs 95 s of board time).
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const corpusDir = join(root, "test", "scenarios");
const corpus = readdirSync(corpusDir).filter((name) => name.endsWith(".txt")).sort();

beforeAll(() => {
  buildNative();
  buildFirmware();
});

const lines = (output: string): string[] => output.trimEnd().split("\n");
const frames = (output: string): string[] => lines(output).filter((line) => line.startsWith("frame "));
const withoutFrames = (output: string): string[] => lines(output).filter((line) => !line.startsWith("frame "));

/** The C stack a run may reach: the reserve less its guard band (boards/rp2040/stack_guard.c). */
function cStackUsableBytes(): number {
  const symbols = firmwareSymbols();
  return symbols.get("__stack_top")! - symbols.get("__stack_guard_end")!;
}

/** Runs `script` on all three hosts and requires the same output (frames per kind, see above). */
async function expectSameOnAllHosts(script: string): Promise<string> {
  const node = runScenario(script);
  const native = runNative(script);
  const board = await runBoardScenario(script);
  expect(board.cStackHighWaterBytes, "C stack high-water").toBeGreaterThan(0);
  expect(board.cStackHighWaterBytes, "C stack within its reserve, clear of the guard band").toBeLessThanOrEqual(cStackUsableBytes());
  expect(node.error, "host-sim").toBeUndefined();
  expect(native.signal, native.stderr).toBeNull();
  expect(native.stdout, "native host = Node host").toBe(node.output);
  expect(native.status).toBe(node.exitCode);
  expect(board.error, "board").toBeUndefined();
  expect(board.exitCode).toBe(node.exitCode);
  expect(withoutFrames(board.output), "board = Node host (all but frames, in order)").toEqual(withoutFrames(node.output));
  expect(frames(board.output), "board = Node host (frames, in order)").toEqual(frames(node.output));
  return node.output;
}

describe("scenario corpus on the emulated board, the Node host and the native host", () => {
  it("has scenarios", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(4);
  });

  for (const name of corpus) {
    it(name, async () => {
      const original = readFileSync(join(corpusDir, name), "utf8");
      const { script, changes } = transcribeForBoard(original);
      for (const change of changes) expect(Object.keys(BOARD_REASONS)).toContain(change.reason);
      // The board runner refuses what it cannot do instead of approximating it.
      // (Only an added `advance` after a board boot is not a refusal: the board runs it as it is.)
      if (changes.some((change) => change.reason !== "bootTime")) {
        expect((await runBoardScenario(original)).exitCode).toBe(EXIT_SCRIPT_ERROR);
      }

      const output = await expectSameOnAllHosts(script);
      expect(lines(output).at(-1)).toMatch(/^end programs=\d+ erases=\d+ set-bit=0$/);
      const apdus = script.split("\n").filter((line) => /^\s*apdu\s/.test(line)).length;
      expect(lines(output).filter((line) => line.startsWith("apdu-response ")).length).toBe(apdus);

      // Again with the compiled code dropped after every event: every event compiles what it runs
      // (in the middle of the interpreter's deepest C frames), and nothing may change but the time.
      const dropping = await runBoardScenario(script, { codeBudgetBytes: 1 });
      expect(dropping.error).toBeUndefined();
      expect(withoutFrames(dropping.output), "code dropped after every event").toEqual(withoutFrames(output));
      expect(frames(dropping.output), "code dropped after every event (frames)").toEqual(frames(output));
      expect(dropping.cStackHighWaterBytes, "C stack, code dropped after every event").toBeLessThanOrEqual(cStackUsableBytes());
    });
  }
});

describe("board transcription", () => {
  it("leaves a script the board can run as it is, and names the reason for each change", () => {
    const board = "boot flags 1\nadvance 10\nrtc 1700000000\npress ok\nleds 2\nboot flags 2\nadvance 10\n";
    expect(transcribeForBoard(board)).toEqual({ script: board, changes: [] });
    const { changes } = transcribeForBoard("rtc 59\ntick\nkeyboard busy\nleds 9\nboot region 0 4096\nboot flags 3\n");
    expect(changes.map((change) => change.reason)).toEqual(["flags", "rtcRange", "tick", "keyboardBusy", "leds", "region", "flags"]);
  });

  it("the board runner refuses each command it has no equivalent for, with the reason", async () => {
    for (const [line, reason] of [
      ["tick", BOARD_REASONS.tick], ["rtc 59", BOARD_REASONS.rtcRange], ["keyboard busy", BOARD_REASONS.keyboardBusy],
      ["leds 8", BOARD_REASONS.leds], ["boot", BOARD_REASONS.flags], ["boot region 100 65536", BOARD_REASONS.region],
    ] as const) {
      const result = await runBoardScenario(`boot flags 2\n${line}\n`);
      expect(result.exitCode, line).toBe(EXIT_SCRIPT_ERROR);
      expect(result.error).toBe(`scenario line 2: ${reason}`);
    }
  });
});

describe("the keyboard output kind on all three hosts", () => {
  // The corpus's typed code is at T = 59 s, which a DS3231 cannot hold; RFC 6238's vector at
  // T = 1111111109 (2005) it can: SHA-1 code 07081804, 6 digits 081804.
  it("OK types RFC 6238's code for the RTC's time, the same reports on all three hosts", async () => {
    const seed = new TextEncoder().encode("12345678901234567890");
    const script = [
      "boot flags 1", "advance 10", "rtc 1111111109", "advance 100",
      "apdu 00A4040007A0000005272101",
      "apdu 000100001E710474657374731621063132333435363738393031323334353637383930", // PUT "test", SHA-1, 6 digits
      "advance 100", "press ok", "advance 3000",
    ].join("\n");
    const output = await expectSameOnAllHosts(script);
    const keypad = new Map([[0x62, "0"], ...Array.from({ length: 9 }, (_, i) => [0x59 + i, String(i + 1)] as [number, string])]);
    const typed = lines(output).filter((line) => line.startsWith("keyboard ")).map((line) => parseInt(line.slice(13, 15), 16))
      .filter((usage) => usage !== 0).map((usage) => keypad.get(usage) ?? "?").join("");
    expect(typed).toBe(oracleTotp(seed, 1111111109));
    expect(typed).toBe("081804");
  });
});
