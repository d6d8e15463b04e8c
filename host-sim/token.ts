// One simulated token: the real module, instantiated with the Node host ABI on a NOR flash model,
// a controllable clock, and captured outputs. Tests, the simulator and benchmarks all drive this.
import { randomBytes } from "node:crypto";
import { ModuleExports, HostDevices } from "./abi.js";
import { instantiateWithHost } from "./instance.js";
import { NorFlash, PICO_FLASH } from "./flash.js";
import { SimClock } from "./clock.js";
import { readModule } from "./paths.js";

export const BUTTON_UP = 0;
export const BUTTON_DOWN = 1;
export const BUTTON_OK = 2;

export const BOARD_DISPLAY_128X64 = 1;
export const BOARD_NO_DISPLAY = 2;

/** The store's default region: the last 64 KiB of the flash. */
export const DEFAULT_REGION_BYTES = 64 * 1024;

/** How often the host calls tick(), in milliseconds (the ABI asks for at most 10). */
export const TICK_MS = 10;

export interface TokenOptions {
  flash?: NorFlash;
  clock?: SimClock;
  moduleBytes?: Uint8Array;
  regionOffset?: number;
  regionBytes?: number;
  boardFlags?: number;
  /** Random bytes, or null to simulate no entropy. Default: node:crypto. */
  random?: (length: number) => Uint8Array | null;
  /** The host's answer to keyboard_report. Default: always sent. */
  keyboardReport?: (report: Uint8Array) => number;
}

export interface Frame {
  pixels: Uint8Array;
  widthPx: number;
  heightPx: number;
}

export class Token {
  readonly flash: NorFlash;
  readonly clock: SimClock;
  readonly exports: ModuleExports;
  readonly initStatus: number;
  readonly keyboardReports: Uint8Array[] = [];
  readonly responses: Uint8Array[] = [];
  readonly logs: { level: number; text: string }[] = [];
  lastFrame: Frame | null = null;
  frameCount = 0;
  /** How often the module called drop_compiled_code (a hint this host has no use for). */
  compiledCodeDropHints = 0;

  constructor(options: TokenOptions = {}) {
    this.flash = options.flash ?? new NorFlash(PICO_FLASH);
    this.clock = options.clock ?? new SimClock();
    const moduleBytes = options.moduleBytes ?? readModule("release");
    const { geometry } = this.flash;
    const regionBytes = options.regionBytes ?? DEFAULT_REGION_BYTES;
    const regionOffset = options.regionOffset ?? geometry.totalBytes - regionBytes;
    const sendReport = options.keyboardReport ?? (() => 0);
    const devices: HostDevices = {
      flash: this.flash,
      clock: this.clock,
      random: options.random ?? ((length) => new Uint8Array(randomBytes(length))),
      keyboardReport: (report) => {
        const status = sendReport(report);
        if (status === 0) this.keyboardReports.push(report);
        return status;
      },
      displayFrame: (pixels, widthPx, heightPx) => {
        this.lastFrame = { pixels, widthPx, heightPx };
        this.frameCount++;
      },
      apduResponse: (response) => this.responses.push(response),
      log: (level, text) => this.logs.push({ level, text }),
      hostName: "host-sim 0.1.0",
      compiledCodeDropHint: () => this.compiledCodeDropHints++,
    };
    this.exports = instantiateWithHost<ModuleExports>(moduleBytes, devices).exports;
    this.initStatus = this.exports.init(regionOffset, regionBytes, geometry.sectorBytes, geometry.pageBytes,
      options.boardFlags ?? 0);
  }

  /** Sends one APDU; returns its response, or null while the module waits (e.g. for a touch). */
  apdu(command: Uint8Array): Uint8Array | null {
    const capacity = this.exports.apdu_capacity();
    if (command.length > capacity) throw new RangeError(`APDU of ${command.length} bytes exceeds ${capacity}`);
    new Uint8Array(this.exports.memory.buffer, this.exports.apdu_buffer(), command.length).set(command);
    const before = this.responses.length;
    this.exports.apdu(command.length);
    return this.responses.length > before ? this.responses[this.responses.length - 1] : null;
  }

  /** Whether the module calls `command` routine (apdu_routine): what a host that keeps compiled code
   *  asks before sending it. Leaves the module as it was. */
  apduRoutine(command: Uint8Array): boolean {
    const buffer = new Uint8Array(this.exports.memory.buffer, this.exports.apdu_buffer(), command.length);
    buffer.set(command);
    const routine = this.exports.apdu_routine(command.length) === 1;
    buffer.fill(0); // apdu() would have wiped it: the command may hold a key
    return routine;
  }

  tick(): void {
    this.exports.tick();
  }

  /** A new smart-card session (card reset, another client): see session_reset in docs/SPEC.md. */
  sessionReset(): void {
    this.exports.session_reset();
  }

  /** Lets `ms` of time pass, ticking every TICK_MS as a host does. */
  advance(ms: number): void {
    let left = ms;
    while (left > 0) {
      const step = Math.min(TICK_MS, left);
      this.clock.advance(step);
      this.exports.tick();
      left -= step;
    }
  }

  /** Presses and releases a button, holding it for `holdMs`. */
  press(buttonId: number, holdMs = 60): void {
    this.exports.button(buttonId, 1);
    this.advance(holdMs);
    this.exports.button(buttonId, 0);
  }

  setKeyboardLeds(bits: number): void {
    this.exports.keyboard_leds(bits);
  }
}
