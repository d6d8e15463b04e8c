// A token plugged into a computer: the real module (host-sim/token.ts) with a KeyboardHost that
// decodes what it types and answers lock keys with LED reports, driven tick by tick as a host does.
// The simulator, the panel tests and the panel bench all use this.
import { Token, TokenOptions, TICK_MS, BUTTON_OK, BUTTON_UP, BUTTON_DOWN } from "./token.js";
import { KeyboardHost, KeyboardHostOptions } from "./keyboard-host.js";
import { frameToText, frameToHalfBlocks, FrameLike } from "./display.js";

export const BUTTONS: Record<string, number> = { up: BUTTON_UP, down: BUTTON_DOWN, ok: BUTTON_OK };

export interface SessionOptions extends TokenOptions {
  keyboard?: KeyboardHostOptions;
  /** The host's answer to keyboard_report before decoding: 0 sent, 1 busy, -1 no keyboard. */
  usbStatus?: (report: Uint8Array) => number;
}

export class SimSession {
  readonly token: Token;
  readonly host: KeyboardHost;

  constructor(options: SessionOptions = {}) {
    this.host = new KeyboardHost(options.keyboard);
    const usbStatus = options.usbStatus ?? (() => 0);
    const clockRef: { nowMs: () => number } = { nowMs: () => 0 };
    this.token = new Token({
      ...options,
      keyboardReport: (report) => {
        const status = usbStatus(report);
        if (status === 0) this.host.receive(report, clockRef.nowMs());
        return status;
      },
    });
    clockRef.nowMs = () => this.token.clock.nowMs;
    if (this.token.initStatus !== 0) throw new Error(`module init failed with status ${this.token.initStatus}`);
    // A host reports its lock LEDs when the keyboard enumerates.
    if (this.host.ledDelayMs !== null) this.token.setKeyboardLeds(this.host.ledBits);
    this.token.tick();
  }

  /** Lets `ms` pass in TICK_MS steps, delivering the host's LED reports when they are due. */
  run(ms: number): void {
    let left = ms;
    while (left > 0) {
      const step = Math.min(TICK_MS, left);
      this.token.clock.advance(step);
      for (const bits of this.host.takeLedReports(this.token.clock.nowMs)) this.token.setKeyboardLeds(bits);
      this.token.tick();
      left -= step;
    }
  }

  /** Jumps `ms` forward with a single tick (hours or days of idle time without ticking through them). */
  skip(ms: number): void {
    this.token.clock.advance(ms);
    this.token.tick();
  }

  /** Presses a button for `holdMs`, then lets `afterMs` pass (long enough for typing by default). */
  press(button: number | string, holdMs = 60, afterMs = 600): void {
    const id = typeof button === "string" ? BUTTONS[button] : button;
    if (id === undefined) throw new RangeError(`unknown button '${button}'`);
    this.token.exports.button(id, 1);
    this.run(holdMs);
    this.token.exports.button(id, 0);
    this.run(afterMs);
  }

  get typed(): string {
    return this.host.text;
  }

  get frame(): FrameLike | null {
    return this.token.lastFrame;
  }

  /** The text on the display (read back with our font), or [] when nothing was drawn yet. */
  displayText(): string[] {
    return this.frame ? frameToText(this.frame) : [];
  }

  displayBlocks(): string[] {
    return this.frame ? frameToHalfBlocks(this.frame) : [];
  }
}
