// The PIN lock on the front panel of the real token module (host-sim Token, release build): set a
// PIN with the buttons, power-off locks, the locked token types nothing, a wrong PIN shows the
// tries left, the right one unlocks, the idle time locks again.
import { describe, expect, it } from "vitest";
import { NorFlash } from "../host-sim/flash.js";
import { SimClock } from "../host-sim/clock.js";
import { Token, BUTTON_UP, BUTTON_DOWN, BUTTON_OK } from "../host-sim/token.js";
import { frameToText, pixelOn } from "../host-sim/display.js";
import { FlashWriter, DEMO_CREDENTIAL } from "../host-sim/flash-writer.js";
import { T0 } from "./ui-support.js";

function text(token: Token): string[] {
  return frameToText(token.lastFrame!);
}

// Enters `pin` digit by digit: UP to the digit (or DOWN when shorter), a short OK each, a long OK.
function enterPin(token: Token, pin: string): void {
  for (const char of pin) {
    const digit = Number(char);
    if (digit <= 5) for (let i = 0; i < digit; i++) token.press(BUTTON_UP);
    else for (let i = 0; i < 10 - digit; i++) token.press(BUTTON_DOWN);
    token.press(BUTTON_OK);
    token.advance(20);
  }
  token.press(BUTTON_OK, 900);
  token.advance(20);
}

function waitForResult(token: Token): string[] {
  for (let i = 0; i < 2000 && text(token)[0] === "Checking PIN"; i++) token.advance(10);
  return text(token);
}

function boot(flash: NorFlash, clock: SimClock): Token {
  const token = new Token({ flash, clock });
  expect(token.initStatus).toBe(0);
  token.advance(100);
  return token;
}

/** A token with the demo credential whose PIN was just set on the panel (held UP, entered twice). */
function tokenWithPanelPin(pin: string): { flash: NorFlash; clock: SimClock; token: Token } {
  const flash = new NorFlash();
  new FlashWriter(flash).put(DEMO_CREDENTIAL);
  const clock = new SimClock(T0);
  const token = boot(flash, clock);
  token.press(BUTTON_UP, 2100);
  enterPin(token, pin);
  enterPin(token, pin);
  expect(waitForResult(token)[0]).toBe("PIN set");
  return { flash, clock, token };
}

describe("PIN lock on the front panel (token module)", () => {
  it("sets a PIN with the buttons; after power-off the token is locked until the PIN is entered", () => {
    const flash = new NorFlash();
    new FlashWriter(flash).put(DEMO_CREDENTIAL);
    const clock = new SimClock(T0);
    const token = boot(flash, clock);
    expect(text(token)[0]).toBe("00 demo@totpkey");
    // Hold UP for 2 s: PIN entry for a new PIN.
    token.press(BUTTON_UP, 2100);
    expect(text(token)[0]).toBe("New PIN (6-12)");
    token.press(BUTTON_UP);
    token.press(BUTTON_UP);
    expect(text(token)[1]).toContain("2"); // the digit being chosen is shown
    token.press(BUTTON_OK);
    token.advance(20);
    expect(text(token)[1]).toContain("2"); // the accepted digit, for a moment
    token.advance(1200);
    expect(text(token)[1]).toContain("*"); // then masked
    expect(text(token)[1]).not.toContain("2");
    token.press(BUTTON_OK, 900); // a long OK ends the entry: one digit is too short
    expect(text(token)[0]).toBe("6 to 12 digits");
    token.advance(2100);
    expect(text(token)[0]).toBe("New PIN (6-12)"); // the entry starts over
    enterPin(token, "273519");
    expect(text(token)[0]).toBe("Repeat new PIN");
    enterPin(token, "273519");
    expect(waitForResult(token)[0]).toBe("PIN set");
    token.advance(2100);
    expect(text(token)[0]).toBe("00 demo@totpkey");

    const locked = boot(flash, clock); // power-off and on
    expect(text(locked)[0]).toBe("Locked");
    locked.press(BUTTON_OK);
    expect(locked.keyboardReports.length).toBe(0);
    expect(text(locked)[0]).toBe("Enter PIN");
    enterPin(locked, "111111");
    expect(waitForResult(locked)[0]).toBe("Wrong PIN, 9 left");
    locked.advance(2100);
    expect(text(locked)[0]).toBe("Locked");
    locked.press(BUTTON_OK);
    enterPin(locked, "273519");
    expect(waitForResult(locked)[0]).toBe("Unlocked");
    locked.advance(2100);
    expect(text(locked)[0]).toBe("00 demo@totpkey");
    locked.press(BUTTON_OK);
    locked.advance(500);
    expect(locked.keyboardReports.length).toBeGreaterThan(0);
  });

  it("locks after the idle time (default 300 s) and then types nothing", () => {
    const { flash, clock, token } = tokenWithPanelPin("1234567");
    token.advance(299_000);
    token.press(BUTTON_DOWN); // wakes the display; activity restarts the idle time
    token.advance(299_000);
    token.press(BUTTON_DOWN);
    expect(text(token)[0]).toBe("00 demo@totpkey");
    token.advance(301_000);
    token.press(BUTTON_DOWN); // wakes the display
    expect(text(token)[0]).toBe("Locked");
    token.press(BUTTON_OK);
    expect(text(token)[0]).toBe("Enter PIN");
    token.advance(61_000); // an abandoned entry is forgotten
    expect(token.keyboardReports.length).toBe(0);
  });
  it("while the key is derived, a frame is drawn only when the progress bar grows a 16-pixel step", () => {
    const { flash, clock, token } = tokenWithPanelPin("1234567");
    const locked = boot(flash, clock);
    locked.press(BUTTON_OK); // opens the entry
    for (let digit = 0; digit < 6; digit++) {
      locked.press(BUTTON_UP);
      locked.press(BUTTON_OK);
    }
    locked.exports.button(BUTTON_OK, 1); // held 800 ms: the entry ends and the derivation starts
    const widths: number[] = [];
    for (let tick = 0; tick < 300; tick++) {
      const before = locked.frameCount;
      locked.advance(10);
      if (tick === 100) locked.exports.button(BUTTON_OK, 0);
      if (locked.frameCount === before) continue;
      if (text(locked)[0] === "Wrong PIN, 9 left") break;
      if (text(locked)[0] !== "Checking PIN") continue;
      const frame = locked.lastFrame!;
      const row = frame.heightPx - 7; // inside the bar (its frame is 8 px high, 10 px from the bottom)
      let width = 0;
      while (width < frame.widthPx - 2 && pixelOn(frame, 1 + width, row)) width++;
      widths.push(width);
    }
    expect(text(locked)[0]).toBe("Wrong PIN, 9 left");
    expect(widths.length, String(widths)).toBeGreaterThan(1);
    for (const width of widths) expect(width % 16).toBe(0);
    for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeGreaterThan(widths[i - 1]);
  });
});
