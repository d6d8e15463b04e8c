// A host computer as the token's keyboard sees it: decodes HID boot keyboard reports into the text a
// host with a given layout, NumLock and CapsLock state would produce, toggles its locks when the lock
// keys are pressed, and answers with LED output reports (after a delay, like a real host). The layout
// tables here are written from the layouts' published key charts, independently of the module's
// tables (assembly/ui/layouts.ts), so tests compare the module against this model, not against itself.

export const HOST_LAYOUTS = ["us", "uk", "de", "fr", "be", "ch", "dvorak"] as const;
export type HostLayout = (typeof HOST_LAYOUTS)[number];

/** How CapsLock treats the digit row: "windows" (the French and Belgian layouts lock Shift there, so
 *  CapsLock alone types digits and Shift+CapsLock the symbols) or "x11" (CapsLock only affects letters). */
export type CapsLockModel = "windows" | "x11";

// Top row, keys 1..0 (usages 0x1e..0x27): [unshifted, shifted] per key.
const DIGIT_ROW: Record<HostLayout, [string, string][]> = {
  us: [["1", "!"], ["2", "@"], ["3", "#"], ["4", "$"], ["5", "%"], ["6", "^"], ["7", "&"], ["8", "*"], ["9", "("], ["0", ")"]],
  uk: [["1", "!"], ["2", "\""], ["3", "£"], ["4", "$"], ["5", "%"], ["6", "^"], ["7", "&"], ["8", "*"], ["9", "("], ["0", ")"]],
  de: [["1", "!"], ["2", "\""], ["3", "§"], ["4", "$"], ["5", "%"], ["6", "&"], ["7", "/"], ["8", "("], ["9", ")"], ["0", "="]],
  fr: [["&", "1"], ["é", "2"], ["\"", "3"], ["'", "4"], ["(", "5"], ["-", "6"], ["è", "7"], ["_", "8"], ["ç", "9"], ["à", "0"]],
  be: [["&", "1"], ["é", "2"], ["\"", "3"], ["'", "4"], ["(", "5"], ["§", "6"], ["è", "7"], ["!", "8"], ["ç", "9"], ["à", "0"]],
  ch: [["1", "+"], ["2", "\""], ["3", "*"], ["4", "ç"], ["5", "%"], ["6", "&"], ["7", "/"], ["8", "("], ["9", ")"], ["0", "="]],
  dvorak: [["1", "!"], ["2", "@"], ["3", "#"], ["4", "$"], ["5", "%"], ["6", "^"], ["7", "&"], ["8", "*"], ["9", "("], ["0", ")"]],
};
const SHIFT_LOCKS_DIGITS_ON_WINDOWS: Record<HostLayout, boolean> = {
  us: false, uk: false, de: false, fr: true, be: true, ch: false, dvorak: false,
};

// Keypad 1..9, 0 (usages 0x59..0x62): with NumLock on, and the navigation key it is with NumLock off.
const KEYPAD_DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];
const KEYPAD_NAVIGATION = ["<End>", "<Down>", "<PgDn>", "<Left>", "<Begin>", "<Right>", "<Home>", "<Up>", "<PgUp>", "<Ins>"];

const USAGE_ENTER = 0x28;
const USAGE_TAB = 0x2b;
const USAGE_SPACE = 0x2c;
const USAGE_CAPS_LOCK = 0x39;
const USAGE_NUM_LOCK = 0x53;
const SHIFT_BITS = 0x02 | 0x20; // left and right Shift

export const LED_NUM_LOCK = 1;
export const LED_CAPS_LOCK = 2;

export interface KeyboardHostOptions {
  layout?: HostLayout;
  numLock?: boolean;
  capsLock?: boolean;
  capsLockModel?: CapsLockModel;
  /** Milliseconds between a lock key press and the host's LED report; null: the host never reports. */
  ledDelayMs?: number | null;
}

export class KeyboardHost {
  readonly layout: HostLayout;
  readonly capsLockModel: CapsLockModel;
  readonly ledDelayMs: number | null;
  numLock: boolean;
  capsLock: boolean;
  /** Everything typed so far, as the host's text field would show it. */
  text = "";
  /** Reports received (keys this model does not know are typed as <0xNN>). */
  reports = 0;
  private pressed = new Set<number>();
  private pendingLeds: { atMs: number; bits: number }[] = [];

  constructor(options: KeyboardHostOptions = {}) {
    this.layout = options.layout ?? "us";
    if (!HOST_LAYOUTS.includes(this.layout)) throw new RangeError(`unknown host layout '${this.layout}'`);
    this.numLock = options.numLock ?? true;
    this.capsLock = options.capsLock ?? false;
    this.capsLockModel = options.capsLockModel ?? "windows";
    this.ledDelayMs = options.ledDelayMs === undefined ? 5 : options.ledDelayMs;
  }

  get ledBits(): number {
    return (this.numLock ? LED_NUM_LOCK : 0) | (this.capsLock ? LED_CAPS_LOCK : 0);
  }

  /** One 8-byte boot report at time `nowMs`: keys newly in the report are presses. */
  receive(report: Uint8Array, nowMs: number): void {
    if (report.length !== 8) throw new RangeError(`boot keyboard report of ${report.length} bytes`);
    this.reports++;
    const modifiers = report[0];
    const now = new Set<number>();
    for (let i = 2; i < 8; i++) if (report[i] !== 0) now.add(report[i]);
    for (const usage of now) {
      if (!this.pressed.has(usage)) this.press(usage, modifiers, nowMs);
    }
    this.pressed = now;
  }

  /** LED reports due by `nowMs`, oldest first (the caller passes them to keyboard_leds). */
  takeLedReports(nowMs: number): number[] {
    const due = this.pendingLeds.filter((led) => led.atMs <= nowMs).map((led) => led.bits);
    this.pendingLeds = this.pendingLeds.filter((led) => led.atMs > nowMs);
    return due;
  }

  /** True while any key is still held (a correct typist always ends with an all-up report). */
  get keysHeld(): boolean {
    return this.pressed.size > 0;
  }

  private press(usage: number, modifiers: number, nowMs: number): void {
    const shift = (modifiers & SHIFT_BITS) !== 0;
    if (usage === USAGE_NUM_LOCK || usage === USAGE_CAPS_LOCK) {
      if (usage === USAGE_NUM_LOCK) this.numLock = !this.numLock;
      else this.capsLock = !this.capsLock;
      if (this.ledDelayMs !== null) this.pendingLeds.push({ atMs: nowMs + this.ledDelayMs, bits: this.ledBits });
      return;
    }
    this.text += this.characterOf(usage, shift);
  }

  private characterOf(usage: number, shift: boolean): string {
    if (usage >= 0x1e && usage <= 0x27) {
      let shifted = shift;
      if (this.capsLock && this.capsLockModel === "windows" && SHIFT_LOCKS_DIGITS_ON_WINDOWS[this.layout]) shifted = !shifted;
      const [plain, withShift] = DIGIT_ROW[this.layout][usage - 0x1e];
      return shifted ? withShift : plain;
    }
    if (usage >= 0x59 && usage <= 0x62) {
      // Shift with NumLock on also gives the navigation keys on Windows and X11.
      return this.numLock && !shift ? KEYPAD_DIGITS[usage - 0x59] : KEYPAD_NAVIGATION[usage - 0x59];
    }
    if (usage === USAGE_ENTER) return "\n";
    if (usage === USAGE_TAB) return "\t";
    if (usage === USAGE_SPACE) return " ";
    return `<0x${usage.toString(16).padStart(2, "0")}>`;
  }
}

/** Layout names the module numbers 0..6 (SETTING_KEYBOARD_LAYOUT), in this order. */
export function layoutId(layout: HostLayout): number {
  return HOST_LAYOUTS.indexOf(layout);
}
