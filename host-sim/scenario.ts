// Runs a scenario script against host-sim's Token and prints what the module did. The native host
// (boards/native, the module under wasm3) runs the same scripts; test/native-scenarios.test.ts
// requires both to print the same bytes. docs/SPEC.md ("Scenario format") is the reference.
//
// Format: one command per line; words separated by spaces or tabs; `#` starts a comment; blank
// lines are ignored. Numbers are decimal, no sign, no leading zeros, at most 2^53 - 1.
//   boot [flags N] [region OFFSET BYTES]  (re)start the module on the same flash and clock: a new
//                        instance, then init(region, Pico geometry, flags). Default region: the last
//                        64 KiB. A script that does not start with boot boots with the defaults.
//   rtc SECONDS          the RTC holds SECONDS (since 1970) from now on
//   rtc_clear            the RTC loses its time
//   advance MS           MS milliseconds pass, tick() every 10 ms (the last step shorter)
//   tick                 one tick() without time passing
//   press BUTTON [MS]    button down, MS (default 60) pass with ticks, button up; BUTTON: up|down|ok
//   down BUTTON / up BUTTON   one button edge
//   leds BITS            keyboard_leds(BITS)
//   session_reset        session_reset(): a card reset or a new client
//   apdu HEX             the APDU (HEX, even length) into apdu_buffer(), then apdu(length)
//   keyboard ok|busy|absent   what keyboard_report answers from now on (0, 1, -1)
//   entropy on|off       whether random_fill has bytes (the bytes: xorshift32 from 0x9e3779b9,
//                        the low byte of each step: reproducible, not random)
//   flash_sha256         prints the SHA-256 of the whole flash image
// Output lines, in the order things happen:
//   init STATUS                 init's result (outputs during init come first, grouped: log
//                               lines, keyboard reports, APDU responses, then the last frame)
//   log LEVEL TEXT              TEXT's UTF-8 bytes: printable ASCII as is, `\` as `\\`, others \xNN
//   keyboard HEX                a report keyboard_report sent (answer ok)
//   apdu-response HEX           apdu_response's bytes
//   frame WxH SHA256            display_frame: the frame's size and the SHA-256 of its bytes
//   flash-sha256 HEX
//   stopped panic LINE TEXT     the module called panic (TEXT: the first 256 bytes, escaped as log)
//   stopped guest-memory WHAT   the module gave an import (WHAT) an out-of-range pointer or length
//   stopped trap                any other trap (the engines' messages differ, so none is shown)
//   end programs=N erases=N set-bit=N   after the last line: flash operations of this run
// After a stop, commands that reach the module do nothing until the next boot (time still passes).
// Exit codes: 0 done, 1 the module stopped at least once, 2 usage or script error (message on
// stderr, no end line), 3 the module cannot be loaded.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { GuestMemoryError, ModulePanic } from "./abi.js";
import { NorFlash, PICO_FLASH } from "./flash.js";
import { SimClock } from "./clock.js";
import { DEFAULT_REGION_BYTES, Frame, Token } from "./token.js";
import { readModule } from "./paths.js";

export const EXIT_OK = 0;
export const EXIT_MODULE_STOPPED = 1;
export const EXIT_SCRIPT_ERROR = 2;
export const EXIT_LOAD_FAILED = 3;

/** Start of the random_fill stream (xorshift32 state). */
export const SCENARIO_RANDOM_SEED = 0x9e3779b9;
const PANIC_MESSAGE_BYTES = 256;
const MAX_SCRIPT_NUMBER = Number.MAX_SAFE_INTEGER;
const UINT32_MAX = 0xffffffff;
const BUTTONS: Record<string, number> = { up: 0, down: 1, ok: 2 };
const KEYBOARD_ANSWERS: Record<string, number> = { ok: 0, busy: 1, absent: -1 };
const TOKEN_PRESS_DEFAULT_MS = 60;

export interface ScenarioResult {
  /** The output lines, each ending in "\n". */
  output: string;
  exitCode: number;
  /** Why the run ended early (exit codes 2 and 3). */
  error?: string;
}

export interface ScenarioOptions {
  moduleBytes?: Uint8Array;
  /** The flash to run on (default: a fresh erased Pico flash); it keeps what the run wrote. */
  flash?: NorFlash;
}

/** A script the runner cannot follow (exit EXIT_SCRIPT_ERROR); every runner of the format throws it. */
export class ScriptError extends Error {}
/** A module the host cannot load (exit EXIT_LOAD_FAILED). */
export class LoadError extends Error {}

/** The format's random_fill bytes: xorshift32 from SCENARIO_RANDOM_SEED, one stream per run, so
 *  every host answers the module's random requests with the same bytes. */
export function scenarioRandomStream(): (length: number) => Uint8Array {
  let state = SCENARIO_RANDOM_SEED;
  return (length) => {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      bytes[i] = state & 0xff;
    }
    return bytes;
  };
}

const utf8 = new TextEncoder();

/** Printable ASCII as is, backslash doubled, any other byte as \xNN (the native host does the same). */
export function escapeBytes(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) {
    if (byte === 0x5c) text += "\\\\";
    else if (byte >= 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return text;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

function parseNumber(word: string | undefined, max: number): number | null {
  if (word === undefined || !/^(0|[1-9][0-9]*)$/.test(word)) return null;
  const value = Number(word);
  return value <= max ? value : null;
}

function parseHex(word: string): Uint8Array {
  if (word.length === 0 || word.length % 2 !== 0) throw new ScriptError(`apdu wants an even number of hex digits: ${word}`);
  if (!/^[0-9a-fA-F]*$/.test(word)) throw new ScriptError(`apdu wants hex digits: ${word}`);
  return new Uint8Array(Buffer.from(word, "hex"));
}

/** The line a module stop prints, or null when `error` is not a module stop (a host bug). */
function stopLine(error: unknown): string | null {
  if (error instanceof ModulePanic) {
    const message = /^module panic: ([\s\S]*) \(line \d+\)$/.exec(error.message)?.[1] ?? "";
    return `stopped panic ${error.line} ${escapeBytes(utf8.encode(message).subarray(0, PANIC_MESSAGE_BYTES))}`;
  }
  if (error instanceof GuestMemoryError) {
    return `stopped guest-memory ${error.message.replace(/^module passed an out-of-range pointer to /, "")}`;
  }
  if (error instanceof WebAssembly.RuntimeError) return "stopped trap";
  // V8 reports a wasm stack overflow as a RangeError.
  if (error instanceof RangeError && /call stack/.test(error.message)) return "stopped trap";
  return null;
}

export function runScenario(script: string, options: ScenarioOptions = {}): ScenarioResult {
  const moduleBytes = options.moduleBytes ?? readModule("release");
  const flash = options.flash ?? new NorFlash(PICO_FLASH);
  const clock = new SimClock();
  const { totalBytes } = flash.geometry;
  const startPrograms = flash.programs, startErases = flash.erases, startSetBits = flash.setBitViolations;
  let output = "";
  const emit = (line: string): void => {
    output += line + "\n";
  };

  const randomBytes = scenarioRandomStream();
  let entropyAvailable = true;
  let keyboardAnswer = 0;
  const random = (length: number): Uint8Array | null => (entropyAvailable ? randomBytes(length) : null);

  let token: Token | null = null; // null: not booted, or stopped
  let booted = false;
  let everStopped = false;

  const frameLine = (frame: Frame): string =>
    `frame ${frame.widthPx}x${frame.heightPx} ${createHash("sha256").update(frame.pixels).digest("hex")}`;
  const logLine = (entry: { level: number; text: string }): string => `log ${entry.level} ${escapeBytes(utf8.encode(entry.text))}`;

  // Runs `action` on the module; a module stop prints its line and ends the instance.
  function guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      const line = stopLine(error);
      if (line === null) throw error;
      emit(line);
      everStopped = true;
      token = null;
    }
  }

  // From now on, print each output of `live` as it happens (Token only keeps lists of them).
  function printLive(live: Token): void {
    const hook = <T>(list: T[], line: (item: T) => string): void => {
      list.push = (...items: T[]): number => {
        for (const item of items) emit(line(item));
        return Array.prototype.push.apply(list, items);
      };
    };
    hook(live.logs, logLine);
    hook(live.keyboardReports, (report) => `keyboard ${hex(report)}`);
    hook(live.responses, (response) => `apdu-response ${hex(response)}`);
    let lastFrame = live.lastFrame;
    Object.defineProperty(live, "lastFrame", {
      configurable: true,
      get: () => lastFrame,
      set: (frame: Frame | null) => {
        lastFrame = frame;
        if (frame !== null) emit(frameLine(frame));
      },
    });
  }

  function boot(flags: number, regionOffset: number, regionBytes: number): void {
    booted = true;
    token = null;
    let created: Token;
    try {
      created = new Token({ flash, clock, moduleBytes, regionOffset, regionBytes, boardFlags: flags, random,
        keyboardReport: () => keyboardAnswer });
    } catch (error) {
      // A module that does not compile or link, or lacks an export Token calls (a TypeError).
      if (error instanceof WebAssembly.CompileError || error instanceof WebAssembly.LinkError || error instanceof TypeError) {
        throw new LoadError(`the module cannot run: ${(error as Error).message}`);
      }
      guard(() => {
        throw error;
      });
      return;
    }
    for (const entry of created.logs) emit(logLine(entry));
    for (const report of created.keyboardReports) emit(`keyboard ${hex(report)}`);
    for (const response of created.responses) emit(`apdu-response ${hex(response)}`);
    if (created.frameCount > 0 && created.lastFrame !== null) emit(frameLine(created.lastFrame));
    emit(`init ${created.initStatus}`);
    printLive(created);
    token = created;
  }

  // Lets `ms` pass with ticks; the clock moves by `ms` even when the module stops on the way.
  function passTime(ms: number, action: (live: Token) => void): void {
    const target = clock.nowMs + ms;
    const live = token;
    if (live !== null) guard(() => action(live));
    if (clock.nowMs < target) clock.advance(target - clock.nowMs);
  }

  function runCommand(words: string[]): void {
    const [command, ...args] = words;
    const count = words.length;
    if (command === "boot") {
      let flags = 0;
      let regionBytes = DEFAULT_REGION_BYTES;
      let regionOffset = totalBytes - DEFAULT_REGION_BYTES;
      for (let i = 1; i < count;) {
        const flagsValue = parseNumber(words[i + 1], UINT32_MAX);
        const offsetValue = parseNumber(words[i + 1], UINT32_MAX);
        const bytesValue = parseNumber(words[i + 2], UINT32_MAX);
        if (words[i] === "flags" && i + 1 < count && flagsValue !== null) {
          flags = flagsValue;
          i += 2;
        } else if (words[i] === "region" && i + 2 < count && offsetValue !== null && bytesValue !== null) {
          regionOffset = offsetValue;
          regionBytes = bytesValue;
          i += 3;
        } else {
          throw new ScriptError(`boot takes [flags N] [region OFFSET BYTES]: ${words[i]}`);
        }
      }
      boot(flags, regionOffset, regionBytes);
      return;
    }
    // Host-side settings act even while the module is stopped.
    if (command === "rtc") {
      const seconds = parseNumber(args[0], MAX_SCRIPT_NUMBER);
      if (count !== 2 || seconds === null) throw new ScriptError("rtc takes SECONDS");
      clock.setRtc(seconds);
      return;
    }
    if (command === "rtc_clear") {
      if (count !== 1) throw new ScriptError("rtc_clear takes nothing");
      clock.clearRtc();
      return;
    }
    if (command === "keyboard") {
      if (count !== 2 || !(args[0] in KEYBOARD_ANSWERS)) throw new ScriptError("keyboard takes ok, busy or absent");
      keyboardAnswer = KEYBOARD_ANSWERS[args[0]];
      return;
    }
    if (command === "entropy") {
      if (count !== 2 || (args[0] !== "on" && args[0] !== "off")) throw new ScriptError("entropy takes on or off");
      entropyAvailable = args[0] === "on";
      return;
    }
    if (command === "flash_sha256") {
      if (count !== 1) throw new ScriptError("flash_sha256 takes nothing");
      emit(`flash-sha256 ${createHash("sha256").update(flash.bytes).digest("hex")}`);
      return;
    }

    // Commands that reach the module: the syntax first, always.
    switch (command) {
      case "advance": {
        const ms = parseNumber(args[0], MAX_SCRIPT_NUMBER);
        if (count !== 2 || ms === null) throw new ScriptError("advance takes MS");
        passTime(ms, (live) => live.advance(ms));
        return;
      }
      case "tick":
        if (count !== 1) throw new ScriptError("tick takes nothing");
        if (token !== null) {
          const live: Token = token;
          guard(() => live.tick());
        }
        return;
      case "press": {
        const holdMs = count === 3 ? parseNumber(args[1], MAX_SCRIPT_NUMBER) : TOKEN_PRESS_DEFAULT_MS;
        if ((count !== 2 && count !== 3) || !(args[0] in BUTTONS) || holdMs === null) {
          throw new ScriptError("press takes up|down|ok [HOLD_MS]");
        }
        passTime(holdMs, (live) => live.press(BUTTONS[args[0]], holdMs));
        return;
      }
      case "down":
      case "up": {
        if (count !== 2 || !(args[0] in BUTTONS)) throw new ScriptError(`takes up|down|ok: ${command}`);
        if (token !== null) {
          const live: Token = token;
          guard(() => live.exports.button(BUTTONS[args[0]], command === "down" ? 1 : 0));
        }
        return;
      }
      case "leds": {
        const bits = parseNumber(args[0], UINT32_MAX);
        if (count !== 2 || bits === null) throw new ScriptError("leds takes BITS");
        if (token !== null) {
          const live: Token = token;
          guard(() => live.setKeyboardLeds(bits));
        }
        return;
      }
      case "session_reset":
        if (count !== 1) throw new ScriptError("session_reset takes nothing");
        if (token !== null) {
          const live: Token = token;
          guard(() => live.sessionReset());
        }
        return;
      case "apdu": {
        if (count !== 2) throw new ScriptError("apdu takes HEX");
        const apdu = parseHex(args[0]);
        if (token === null) return;
        const live: Token = token;
        try {
          guard(() => live.apdu(apdu));
        } catch (error) {
          // Token refuses an APDU longer than the buffer, and V8 a buffer outside memory.
          if (!(error instanceof RangeError)) throw error;
          if (/^APDU of \d+ bytes exceeds/.test(error.message)) throw new ScriptError("the APDU is longer than the module's buffer");
          emit("stopped guest-memory apdu_buffer");
          everStopped = true;
          token = null;
        }
        return;
      }
      default:
        throw new ScriptError(`unknown command: ${command}`);
    }
  }

  const lines = script.split("\n");
  try {
    lines.forEach((rawLine, index) => {
      const words = rawLine.replace(/#.*/, "").split(/[ \t\r]+/).filter((word) => word.length > 0);
      if (words.length === 0) return;
      try {
        if (words.length > 8) throw new ScriptError("too many words on the line");
        if (!booted && words[0] !== "boot") runCommand(["boot"]);
        runCommand(words);
      } catch (error) {
        if (error instanceof ScriptError) throw new ScriptError(`scenario line ${index + 1}: ${error.message}`);
        throw error;
      }
    });
    if (!booted) runCommand(["boot"]);
  } catch (error) {
    if (error instanceof ScriptError) return { output, exitCode: EXIT_SCRIPT_ERROR, error: error.message };
    if (error instanceof LoadError) return { output, exitCode: EXIT_LOAD_FAILED, error: error.message };
    throw error;
  }
  emit(`end programs=${flash.programs - startPrograms} erases=${flash.erases - startErases} ` +
    `set-bit=${flash.setBitViolations - startSetBits}`);
  return { output, exitCode: everStopped ? EXIT_MODULE_STOPPED : EXIT_OK };
}

const USAGE = `usage: node dist/host-sim/scenario.js [--module FILE] [--flash FILE] [SCRIPT | -]

Runs a scenario script (a file, or stdin when SCRIPT is '-' or absent) against host-sim's Token
and prints the output lines, as build/native/totpkey-native does under wasm3.
  --module FILE  the module (default: build/totpkey.wasm)
  --flash FILE   a 2 MiB flash image to start from and write back (default: a fresh erased flash)
`;

export function main(argv: string[]): number {
  let modulePath: string | null = null;
  let flashPath: string | null = null;
  let scriptPath: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--module" && i + 1 < argv.length) modulePath = argv[++i];
    else if (argv[i] === "--flash" && i + 1 < argv.length) flashPath = argv[++i];
    else if (argv[i] === "--help" || argv[i] === "-h") {
      process.stdout.write(USAGE);
      return EXIT_OK;
    } else if (scriptPath === null && (!argv[i].startsWith("-") || argv[i] === "-")) scriptPath = argv[i];
    else {
      process.stderr.write(`scenario: unexpected argument '${argv[i]}'\n${USAGE}`);
      return EXIT_SCRIPT_ERROR;
    }
  }
  const script = readFileSync(scriptPath === null || scriptPath === "-" ? 0 : scriptPath, "utf8");
  const moduleBytes = modulePath === null ? readModule("release") : new Uint8Array(readFileSync(modulePath));
  const flash = flashPath !== null && existsSync(flashPath)
    ? new NorFlash(PICO_FLASH, new Uint8Array(readFileSync(flashPath)))
    : new NorFlash(PICO_FLASH);
  const result = runScenario(script, { moduleBytes, flash });
  process.stdout.write(result.output);
  if (result.error !== undefined) process.stderr.write(`${result.error}\n`);
  if (flashPath !== null) writeFileSync(flashPath, flash.bytes);
  return result.exitCode;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
