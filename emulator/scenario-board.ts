// The scenario corpus (docs/SPEC.md "Scenario format") on the emulated board: the firmware image in
// rp2040js, driven as a user and a computer drive the real token. Time settings go to the DS3231
// model, buttons to GPIO, APDUs over CCID, session resets are a CCID power off/on, a boot is a new
// board on the same flash, frames come from the SSD1306 model, keyboard reports from the keyboard
// endpoint, log lines and stops from the firmware's UART lines.
//
// Some commands have no board equivalent (a 128x32 panel, another store region, a pre-2000 RTC
// time, a tick without time passing, a busy keyboard). transcribeForBoard() rewrites a script into
// what the board can do and says why for each change; test/rp2040-scenarios.test.ts runs that
// transcription under the Node host, the native host and the board and compares the outputs.
import { createHash } from "node:crypto";
import { NorFlash, PICO_FLASH } from "../host-sim/flash.js";
import {
  EXIT_LOAD_FAILED, EXIT_MODULE_STOPPED, EXIT_OK, EXIT_SCRIPT_ERROR, LoadError, ScenarioResult, ScriptError, escapeBytes,
  scenarioRandomStream,
} from "../host-sim/scenario.js";
import { EmulatedBoard } from "./board.js";
import { cStackHighWaterBytes } from "./stack-marks.js";
import { firmwareSymbols } from "./elf.js";
import { firmwareImage } from "./firmware.js";
import { UsbHost } from "./usb-host.js";
import { CcidClient, EP_KEYBOARD_IN, enumerate, setKeyboardLeds } from "./usb-client.js";

/** The flags main.c hands init: a display present is its 128x64 panel, else "no display". */
export const BOARD_FLAGS_DISPLAY = 1;
export const BOARD_FLAGS_NO_DISPLAY = 2;
/** DS3231 range (years 2000..2199), as boards/rp2040/ds3231.c accepts it. */
const RTC_MIN_SECONDS = 946_684_800;
const RTC_END_SECONDS = 7_258_118_400;
/** A booted board has run its loop (enumeration, first ticks) before it takes any command. */
export const BOARD_BOOT_ADVANCE_MS = 10;
const APDU_CAPACITY_BYTES = 1040;
const BOOT_LIMIT_US = 3_000_000;
const EDGE_LIMIT_US = 100_000;
const YIELD_EVERY_MS = 250;
const BUTTONS: Record<string, number> = { up: 0, down: 1, ok: 2 };
const RANDOM_BREAK = 0x30;
const THUMB_BKPT = 0xbe00;
const THUMB_BX_LR = 0x4770;
const XIP_BASE = 0x10000000;

/** Why a command is rewritten for the board (docs: emulator/README.md, "Scenarios on the board"). */
export const BOARD_REASONS = {
  flags: "main.c hands init its own board flags: 1 (128x64 panel) with a display, 2 without one",
  region: "the store region is compiled into the firmware (STORE_REGION_OFFSET, the last 64 KiB)",
  rtcRange: "a DS3231 holds 2000-01-01 .. 2199-12-31 only",
  tick: "the board ticks on its own 10 ms timer: a tick without time passing does not exist there",
  keyboardBusy: "a keyboard endpoint takes one report before it is busy: no host makes the first report answer busy",
  leds: "the LED report carries NumLock, CapsLock, ScrollLock only (bits 0..2)",
  bootTime: "a board boots and is enumerated before it takes a command: its loop has ticked",
} as const;
export type BoardReason = keyof typeof BOARD_REASONS;

export interface BoardChange {
  /** 1-based line of the original script (0: before its first line). */
  line: number;
  original: string;
  /** What the board script has instead (empty: the line is dropped). */
  board: string[];
  reason: BoardReason;
}

const words = (line: string): string[] => line.replace(/#.*/, "").split(/[ \t\r]+/).filter((word) => word.length > 0);
const isNumber = (word: string | undefined): boolean => word !== undefined && /^(0|[1-9][0-9]*)$/.test(word);

/** `boot` arguments: flags and region, or null when malformed (left for the runners to refuse). */
function bootArguments(args: string[]): { flags: number; region: [number, number] | null } | null {
  let flags = 0;
  let region: [number, number] | null = null;
  for (let i = 0; i < args.length;) {
    if (args[i] === "flags" && isNumber(args[i + 1])) {
      flags = Number(args[i + 1]);
      i += 2;
    } else if (args[i] === "region" && isNumber(args[i + 1]) && isNumber(args[i + 2])) {
      region = [Number(args[i + 1]), Number(args[i + 2])];
      i += 3;
    } else return null;
  }
  return { flags, region };
}

const defaultRegion = (region: [number, number] | null): boolean =>
  region === null || (region[0] === PICO_FLASH.totalBytes - 65536 && region[1] === 65536);

/** The script as the board can run it, and every change with its reason. */
export function transcribeForBoard(script: string): { script: string; changes: BoardChange[] } {
  const out: string[] = [];
  const changes: BoardChange[] = [];
  const bootLines = (flags: number) => [`boot flags ${flags}`, `advance ${BOARD_BOOT_ADVANCE_MS}`];
  let booted = false;
  const scriptLines = script.split("\n");
  const nextIsAdvance = (index: number): boolean => {
    for (let next = index + 1; next < scriptLines.length; next++) {
      const [command, ms] = words(scriptLines[next]);
      if (command !== undefined) return command === "advance" && isNumber(ms) && Number(ms) >= BOARD_BOOT_ADVANCE_MS;
    }
    return false;
  };
  scriptLines.forEach((raw, index) => {
    const line = index + 1;
    const [command, ...args] = words(raw);
    if (command === undefined) {
      out.push(raw);
      return;
    }
    if (!booted && command !== "boot") {
      out.push(...bootLines(BOARD_FLAGS_DISPLAY));
      changes.push({ line: 0, original: "(implicit boot)", board: bootLines(BOARD_FLAGS_DISPLAY), reason: "flags" });
    }
    booted = true;
    const change = (board: string[], reason: BoardReason) => {
      out.push(...board);
      changes.push({ line, original: raw.trim(), board, reason });
    };
    if (command === "boot") {
      const parsed = bootArguments(args);
      if (parsed !== null && !defaultRegion(parsed.region)) return change([], "region");
      if (parsed !== null && parsed.flags !== BOARD_FLAGS_DISPLAY && parsed.flags !== BOARD_FLAGS_NO_DISPLAY) {
        return change(parsed.flags === 0 ? bootLines(BOARD_FLAGS_DISPLAY) : [], "flags");
      }
      if (parsed !== null && !nextIsAdvance(index)) return change(bootLines(parsed.flags), "bootTime");
    }
    if (command === "rtc" && args.length === 1 && isNumber(args[0])) {
      const seconds = Number(args[0]);
      if (seconds < RTC_MIN_SECONDS || seconds >= RTC_END_SECONDS) return change([], "rtcRange");
    }
    if (command === "tick" && args.length === 0) return change([], "tick");
    if (command === "keyboard" && args.length === 1 && args[0] === "busy") return change([], "keyboardBusy");
    if (command === "leds" && args.length === 1 && isNumber(args[0]) && Number(args[0]) > 7) return change([], "leds");
    out.push(raw);
  });
  if (!booted) {
    out.push(...bootLines(BOARD_FLAGS_DISPLAY));
    changes.push({ line: 0, original: "(implicit boot)", board: bootLines(BOARD_FLAGS_DISPLAY), reason: "flags" });
  }
  return { script: out.join("\n"), changes };
}

/** The SHA-256 the other hosts print for flash_sha256: the image's span counted as erased, since
 *  their flash holds no firmware (the firmware never programs or erases below the store region). */
export function flashSha256WithoutImage(flash: NorFlash, imageBytes: number): string {
  const copy = flash.bytes.slice();
  copy.fill(0xff, 0, imageBytes);
  return createHash("sha256").update(copy).digest("hex");
}

export interface BoardScenarioOptions {
  image?: Uint8Array;
  flash?: NorFlash;
  /** Replaces the firmware's compiled-code budget once each boot's init is done (1: code is
   * dropped after every event, so every event compiles what it runs). */
  codeBudgetBytes?: number;
}

export interface BoardScenarioResult extends ScenarioResult {
  /** The deepest C stack of any boot in the run (emulator/stack-marks.ts). */
  cStackHighWaterBytes: number;
}

/** Runs a board script (see transcribeForBoard) on the emulated board; the result as runScenario's. */
export async function runBoardScenario(script: string, options: BoardScenarioOptions = {}): Promise<BoardScenarioResult> {
  const image = options.image ?? firmwareImage();
  const flash = options.flash ?? new NorFlash(PICO_FLASH);
  const symbols = firmwareSymbols();
  const randomFill = symbols.get("board_random_fill");
  if (randomFill === undefined) throw new Error("the firmware has no board_random_fill symbol");
  const randomAt = (randomFill & ~1) - XIP_BASE;
  const startPrograms = flash.programs, startErases = flash.erases, startSetBits = flash.setBitViolations;
  let output = "";
  const emit = (line: string): void => {
    output += line + "\n";
  };

  const randomBytes = scenarioRandomStream();
  let entropyOn = true;
  let keyboardAbsent = false;
  let rtcMicros: number | null = null; // the battery-backed clock, carried from board to board
  let board: EmulatedBoard | null = null;
  let usb: UsbHost | null = null;
  let ccid: CcidClient | null = null;
  let running = false; // the module runs (booted, not stopped)
  let everStopped = false;
  let booted = false;
  let panicText = "";
  const edges: string[] = [];

  // random_fill's bytes are fixed by the scenario format (xorshift32, as the other hosts): with
  // entropy on, board_random_fill is patched to `bkpt; bx lr` and answered here; with entropy off
  // the real function runs on a stuck ring oscillator and reports no entropy itself.
  const patchRandom = (target: EmulatedBoard, on: boolean): void => {
    const view = new DataView(target.rp2040.flash.buffer, target.rp2040.flash.byteOffset);
    if (on) {
      view.setUint16(randomAt, THUMB_BKPT | RANDOM_BREAK, true);
      view.setUint16(randomAt + 2, THUMB_BX_LR, true);
    } else {
      target.rp2040.flash.set(flash.bytes.subarray(randomAt, randomAt + 4), randomAt);
    }
    target.entropyStuck = !on;
  };
  const answerRandom = (target: EmulatedBoard): void => {
    const core = target.rp2040.core;
    const [dst, length] = core.registers;
    randomBytes(length).forEach((byte, i) => target.rp2040.writeUint8(dst + i, byte));
    core.registers[0] = 0;
  };

  function requireBoard(): EmulatedBoard {
    if (board === null) throw new Error("no board");
    return board;
  }

  // Long runs give the event loop a turn now and then (a test worker must keep answering its runner).
  async function runMs(ms: number): Promise<void> {
    const live = requireBoard();
    for (let left = ms; left > 0 && live.halted === null; left -= YIELD_EVERY_MS) {
      live.run(Math.min(left, YIELD_EVERY_MS) * 1000);
      usb?.drainIn(EP_KEYBOARD_IN);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  let cStackHighWater = 0;
  const noteStack = (): void => {
    if (board !== null) cStackHighWater = Math.max(cStackHighWater, cStackHighWaterBytes(board, symbols));
  };

  function boot(flags: number): void {
    noteStack();
    if (board !== null) rtcMicros = board.rtc.exactMicros();
    const created = new EmulatedBoard({ image, flash, noDisplay: flags === BOARD_FLAGS_NO_DISPLAY });
    board = created;
    usb = null;
    ccid = null;
    running = false;
    booted = true;
    if (rtcMicros !== null) created.rtc.setExactMicros(rtcMicros);
    patchRandom(created, entropyOn);
    created.breakHandlers.set(RANDOM_BREAK, () => answerRandom(created));
    let phase: "init" | "running" | "stopped" = "init";
    let initLogs: string[] = [];
    let initFrame: string | null = null;
    created.display.onFrame = (frame, widthPx, heightPx) => {
      const line = `frame ${widthPx}x${heightPx} ${createHash("sha256").update(frame).digest("hex")}`;
      if (phase === "init") initFrame = line;
      else if (phase === "running") emit(line);
    };
    created.onUartLine = (text) => {
      if (text.startsWith("log ")) {
        const line = `log ${text[4]} ${escapeBytes(Uint8Array.from(text.slice(6), (c) => c.charCodeAt(0)))}`;
        if (phase === "init") initLogs.push(line);
        else if (phase === "running") emit(line);
      } else if (text.startsWith("button ")) {
        edges.push(text);
      } else if (text.startsWith("module init ok")) {
        if (options.codeBudgetBytes !== undefined) {
          created.rp2040.writeUint32(created.rp2040.readUint32(symbols.get("wasm_code_budget_bytes")!), options.codeBudgetBytes);
        }
        for (const line of initLogs) emit(line);
        if (initFrame !== null) emit(initFrame);
        emit("init 0");
        phase = "running";
        running = true;
      } else if (text.startsWith("module init failed")) {
        // main.c prints no status number, so "init STATUS" cannot be given.
        throw new ScriptError("the module's init failed; the firmware's UART line has no status to print");
      } else if (text.startsWith("module panic: ")) {
        panicText = text.slice("module panic: ".length);
      } else if (text.startsWith("module stopped: ")) {
        emit(stopLine(text.slice("module stopped: ".length), panicText));
        if (phase === "init") initLogs = [];
        phase = "stopped";
        running = false;
        everStopped = true;
      } else if (text.startsWith("module load failed")) {
        throw new LoadError(text);
      }
    };
    const host = new UsbHost(created);
    usb = host;
    created.runUntil(() => created.uartText.includes("ready\r\n"), BOOT_LIMIT_US, "boot");
    const usbCtrl = created.rp2040.usbCtrl;
    const collect = usbCtrl.onEndpointWrite;
    usbCtrl.onEndpointWrite = (endpoint, buffer) => {
      collect?.(endpoint, buffer);
      if (endpoint === EP_KEYBOARD_IN && phase === "running") emit(`keyboard ${Buffer.from(buffer).toString("hex")}`);
    };
    enumerate(host);
    ccid = new CcidClient(host);
    ccid.powerOn();
    if (keyboardAbsent) configure(0);
  }

  function configure(value: 0 | 1): void {
    if (!usb) return;
    const result = usb.control({ requestType: 0x00, request: 0x09, value, index: 0, length: 0 });
    if (result.status !== "ack") throw new Error(`SET_CONFIGURATION ${value}: ${result.status}`);
    if (value === 1) {
      ccid = new CcidClient(usb);
      ccid.powerOn();
    }
  }

  function edge(button: number, down: boolean): void {
    const live = requireBoard();
    const expected = `button ${button} ${down ? 1 : 0}`;
    edges.length = 0;
    live.setButton(button, down);
    if (!running) return;
    live.runUntil(() => edges.includes(expected), EDGE_LIMIT_US, `the firmware seeing '${expected}'`);
  }

  function parseNumber(word: string | undefined, max = Number.MAX_SAFE_INTEGER): number {
    if (!isNumber(word) || Number(word) > max) throw new ScriptError(`not a number: ${word}`);
    return Number(word);
  }

  async function runCommand(command: string, args: string[]): Promise<void> {
    if (command === "boot") {
      const parsed = bootArguments(args);
      if (parsed === null) throw new ScriptError("boot takes [flags N] [region OFFSET BYTES]");
      if (!defaultRegion(parsed.region)) throw new ScriptError(BOARD_REASONS.region);
      if (parsed.flags !== BOARD_FLAGS_DISPLAY && parsed.flags !== BOARD_FLAGS_NO_DISPLAY) throw new ScriptError(BOARD_REASONS.flags);
      return boot(parsed.flags);
    }
    const live = requireBoard();
    switch (command) {
      case "rtc": {
        const seconds = parseNumber(args[0]);
        if (args.length !== 1) throw new ScriptError("rtc takes SECONDS");
        if (seconds < RTC_MIN_SECONDS || seconds >= RTC_END_SECONDS) throw new ScriptError(BOARD_REASONS.rtcRange);
        return live.rtc.setTime(seconds);
      }
      case "rtc_clear":
        return live.rtc.loseTime();
      case "keyboard":
        if (args[0] === "busy") throw new ScriptError(BOARD_REASONS.keyboardBusy);
        if (args.length !== 1 || (args[0] !== "ok" && args[0] !== "absent")) throw new ScriptError("keyboard takes ok, busy or absent");
        if ((args[0] === "absent") !== keyboardAbsent) {
          keyboardAbsent = args[0] === "absent";
          configure(keyboardAbsent ? 0 : 1);
        }
        return;
      case "entropy":
        if (args.length !== 1 || (args[0] !== "on" && args[0] !== "off")) throw new ScriptError("entropy takes on or off");
        entropyOn = args[0] === "on";
        return patchRandom(live, entropyOn);
      case "flash_sha256":
        return emit(`flash-sha256 ${flashSha256WithoutImage(flash, image.length)}`);
      case "advance":
        return await runMs(parseNumber(args[0]));
      case "tick":
        throw new ScriptError(BOARD_REASONS.tick);
      case "press": {
        const button = BUTTONS[args[0]];
        const holdMs = args.length === 2 ? parseNumber(args[1]) : 60;
        if (button === undefined || args.length > 2) throw new ScriptError("press takes up|down|ok [HOLD_MS]");
        edge(button, true);
        await runMs(holdMs);
        return edge(button, false);
      }
      case "down":
      case "up":
        if (args.length !== 1 || BUTTONS[args[0]] === undefined) throw new ScriptError(`takes up|down|ok: ${command}`);
        return edge(BUTTONS[args[0]], command === "down");
      case "leds": {
        const bits = parseNumber(args[0], 0xffffffff);
        if (bits > 7) throw new ScriptError(BOARD_REASONS.leds);
        if (usb === null || keyboardAbsent) return;
        if (setKeyboardLeds(usb, bits).status !== "ack") throw new Error("the LED report was not taken");
        return;
      }
      case "session_reset":
        if (!ccid || keyboardAbsent) throw new ScriptError("session_reset needs the configured device (keyboard ok)");
        ccid.exchange(0x63);
        ccid.powerOn();
        return;
      case "apdu": {
        if (args.length !== 1 || !/^([0-9a-fA-F]{2})+$/.test(args[0])) throw new ScriptError("apdu takes HEX");
        const apdu = Buffer.from(args[0], "hex");
        if (apdu.length > APDU_CAPACITY_BYTES) throw new ScriptError("the APDU is longer than the module's buffer");
        if (!running) return;
        if (!ccid || keyboardAbsent) throw new ScriptError("apdu needs the configured device (keyboard ok)");
        const response = ccid.transmit(apdu);
        if (running) emit(`apdu-response ${Buffer.from(response).toString("hex")}`);
        return;
      }
      default:
        throw new ScriptError(`unknown command: ${command}`);
    }
  }

  try {
    const scriptLines = script.split("\n");
    for (let index = 0; index < scriptLines.length; index++) {
      const [command, ...args] = words(scriptLines[index]);
      if (command === undefined) continue;
      try {
        if (!booted && command !== "boot") throw new ScriptError("a board script starts with boot (transcribeForBoard adds it)");
        await runCommand(command, args);
      } catch (error) {
        if (error instanceof ScriptError) throw new ScriptError(`scenario line ${index + 1}: ${error.message}`);
        throw error;
      }
    }
    if (!booted) throw new ScriptError("a board script starts with boot (transcribeForBoard adds it)");
  } catch (error) {
    noteStack();
    const cStackHighWaterBytes = cStackHighWater;
    if (error instanceof ScriptError) return { output, exitCode: EXIT_SCRIPT_ERROR, error: error.message, cStackHighWaterBytes };
    if (error instanceof LoadError) return { output, exitCode: EXIT_LOAD_FAILED, error: error.message, cStackHighWaterBytes };
    throw error;
  }
  noteStack();
  emit(`end programs=${flash.programs - startPrograms} erases=${flash.erases - startErases} set-bit=${flash.setBitViolations - startSetBits}`);
  return { output, exitCode: everStopped ? EXIT_MODULE_STOPPED : EXIT_OK, cStackHighWaterBytes: cStackHighWater };
}

/** The scenario's stop line from main.c's "module stopped: ..." (and board_panic's line before it). */
function stopLine(detail: string, panicText: string): string {
  if (detail.startsWith("panic")) {
    const match = /^([\s\S]*) line 0x([0-9a-f]{8})$/.exec(panicText);
    const text = Uint8Array.from((match?.[1] ?? panicText).slice(0, 256), (c) => c.charCodeAt(0));
    return `stopped panic ${match ? parseInt(match[2], 16) : 0} ${escapeBytes(text)}`;
  }
  if (detail.startsWith("guest memory")) return `stopped guest-memory ${detail.slice("guest memory ".length)}`;
  return "stopped trap";
}
