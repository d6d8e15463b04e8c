// The emulated board plugged into an emulated computer: USB enumerated, a KeyboardHost decoding the
// boot keyboard's reports and answering lock keys with LED reports (host-sim/keyboard-host.ts), and
// the CLI's HID transport talking to the vendor interface.
import { KeyboardHost, KeyboardHostOptions } from "../host-sim/keyboard-host.js";
import { NorFlash } from "../host-sim/flash.js";
import { EmulatedBoard } from "./board.js";
import { UsbHost } from "./usb-host.js";
import { EP_KEYBOARD_IN, EP_VENDOR, enumerate, setKeyboardLeds } from "./usb-client.js";
import { firmwareImage } from "./firmware.js";

export interface EmulatedTokenOptions {
  flash?: NorFlash;
  /** RTC time at power-on (seconds since 1970), or null for an RTC without valid time. */
  rtcSeconds?: number | null;
  keyboard?: KeyboardHostOptions;
  image?: Uint8Array;
  /** The ring oscillator's RANDOMBIT seed; null: a stuck bit (no entropy). */
  entropySeed?: number | null;
}

const BOOT_LIMIT_US = 2_000_000;

export class EmulatedToken {
  readonly board: EmulatedBoard;
  readonly usb: UsbHost;
  readonly keyboard: KeyboardHost;
  /** Emulated microseconds from power-on to SET_CONFIGURATION acknowledged. */
  readonly bootToEnumeratedUs: number;

  constructor(options: EmulatedTokenOptions = {}) {
    this.board = new EmulatedBoard({ image: options.image ?? firmwareImage(), flash: options.flash, entropySeed: options.entropySeed });
    if (options.rtcSeconds !== null && options.rtcSeconds !== undefined) this.board.rtc.setTime(options.rtcSeconds);
    this.usb = new UsbHost(this.board);
    this.keyboard = new KeyboardHost(options.keyboard);
    this.board.runUntil(() => this.board.uartText.includes("ready\r\n"), BOOT_LIMIT_US, "boot");
    enumerate(this.usb);
    this.bootToEnumeratedUs = this.board.micros;
    // A host reports its lock LEDs once the keyboard is configured.
    setKeyboardLeds(this.usb, this.keyboard.ledBits);
  }

  get nowMs(): number {
    return this.board.micros / 1000;
  }

  /** Runs `ms` of emulated time in 1 ms steps, decoding keyboard reports and sending due LEDs. */
  run(ms: number): void {
    const end = this.board.micros + ms * 1000;
    while (this.board.micros < end && this.board.halted === null) {
      this.board.run(Math.min(1000, end - this.board.micros));
      this.pumpKeyboard();
    }
  }

  /** Runs until `until()` holds (checked every millisecond); false when `maxMs` passed first. */
  runUntil(until: () => boolean, maxMs: number): boolean {
    const end = this.board.micros + maxMs * 1000;
    while (!until()) {
      if (this.board.micros >= end || this.board.halted !== null) return false;
      this.board.run(1000);
      this.pumpKeyboard();
    }
    return true;
  }

  private pumpKeyboard(): void {
    for (const report of this.usb.drainIn(EP_KEYBOARD_IN)) this.keyboard.receive(report, this.nowMs);
    for (const bits of this.keyboard.takeLedReports(this.nowMs)) setKeyboardLeds(this.usb, bits);
  }

  /** Presses a button (0 UP, 1 DOWN, 2 OK) for `holdMs`, then lets `afterMs` pass. */
  press(button: number, holdMs = 60, afterMs = 0): void {
    this.board.setButton(button, true);
    this.run(holdMs);
    this.board.setButton(button, false);
    if (afterMs > 0) this.run(afterMs);
  }

  get typed(): string {
    return this.keyboard.text;
  }

  // A halted board is a device that vanished from the bus: node-hid then fails reads and writes.
  private requirePower(): void {
    if (this.board.halted !== null) throw new Error(`emulated board halted (${this.board.halted})`);
  }

  /** A node-hid-like device on the vendor interface, for the CLI's HidTransport. */
  hidDevice(): { write(data: number[] | Buffer): Promise<number>; read(timeoutMs?: number): Promise<Buffer | undefined>; close(): Promise<void> } {
    return {
      write: async (data) => {
        this.requirePower();
        const bytes = Uint8Array.from(data).subarray(1); // node-hid's leading report-id byte
        if (!this.usb.sendOut(EP_VENDOR, bytes, { timeoutUs: 2_000_000 })) throw new Error("emulated board took no report");
        return bytes.length + 1;
      },
      read: async (timeoutMs = 1000) => {
        this.requirePower();
        const end = this.board.micros + timeoutMs * 1000;
        let packet: Uint8Array | undefined;
        while (!packet && this.board.micros < end && this.board.halted === null) {
          packet = this.usb.receiveIn(EP_VENDOR, Math.min(1000, end - this.board.micros));
          this.pumpKeyboard();
        }
        if (!packet) this.requirePower();
        return packet ? Buffer.from(packet) : undefined;
      },
      close: async () => {},
    };
  }
}
