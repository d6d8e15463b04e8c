// The front panel in use, on the real token module: browse, press OK, and the code the computer
// receives equals oathtool's / node:crypto's for that instant; HOTP; "wait" on a second press in one
// time step; display timeout; the single-button board; scrolling names; the touch prompt.
import { describe, expect, it } from "vitest";
import { instantiateWithHost, quietDevices } from "../host-sim/instance.js";
import { readModule } from "../host-sim/paths.js";
import { NorFlash } from "../host-sim/flash.js";
import { SimClock } from "../host-sim/clock.js";
import { SimSession } from "../host-sim/sim-session.js";
import { frameToArt, frameToText, FrameLike } from "../host-sim/display.js";
import { DEFAULT_REGION_BYTES, BOARD_NO_DISPLAY } from "../host-sim/token.js";
import {
  Credential, DEMO_CREDENTIAL, FlashWriter, KIND_HOTP, ALG_SHA256, ALG_SHA512, SETTING_DISPLAY_TIMEOUT_SECONDS,
  SETTING_SELECTED_SLOT,
} from "../host-sim/flash-writer.js";
import { oathtoolTotp, oracleCode, oracleTotp, session, trueSeconds, T0 } from "./ui-support.js";

const secret = (text: string) => new TextEncoder().encode(text);
const GITHUB: Credential = { slot: 4, name: "GitHub", secret: secret("github-secret-bytes!"), digits: 6 };
const BANK: Credential = { slot: 9, name: "bank", secret: secret("0123456789abcdef0123456789abcdef"), algorithm: ALG_SHA256, digits: 8, periodSeconds: 60 };
const VPN: Credential = { slot: 17, name: "vpn", secret: secret("a secret for sha-512 of sixty-four bytes, padded out to be long.."), algorithm: ALG_SHA512, digits: 7 };
const HOTP: Credential = { slot: 30, name: "hotp", secret: secret("12345678901234567890"), kind: KIND_HOTP, counter: 5n };

describe("front panel", () => {
  it("shows the selected slot, browses used slots both ways with wrap-around, types each one's code (oathtool)", () => {
    const s = session({ credentials: [DEMO_CREDENTIAL, GITHUB, BANK, VPN] });
    expect(s.displayText()[0]).toBe("00 demo@totpkey");
    // UP from the first wraps to the last, DOWN from the last wraps to the first; each slot once
    // (a second press in one step would rightly say "wait").
    const expectations: [string, Credential][] = [["up", VPN], ["down", DEMO_CREDENTIAL], ["down", GITHUB], ["down", BANK]];
    for (const [button, credential] of expectations) {
      s.press(button);
      const header = s.displayText()[0];
      expect(header).toBe(`${String(credential.slot).padStart(2, "0")} ${credential.name}`);
      const before = s.typed.length;
      const when = trueSeconds(s);
      s.press("ok");
      const typed = s.typed.slice(before);
      const digits = credential.digits ?? 6;
      const period = credential.periodSeconds ?? 30;
      const algorithm = (credential.algorithm ?? 1) as 1 | 2 | 3;
      expect(typed).toBe(oathtoolTotp(credential.secret, when, digits, period, algorithm));
      expect(typed).toBe(oracleTotp(credential.secret, when, digits, period, algorithm));
    }
  });

  it("shows the code on the display with the countdown bar", () => {
    const s = session();
    const text = s.displayText();
    expect(text).toEqual(["00 demo@totpkey", oracleTotp(DEMO_CREDENTIAL.secret, trueSeconds(s))]);
    // 10 s into the step: 20 of 30 s left, the bar is 2/3 of the width.
    const bar = frameToArt(s.frame!)[30];
    expect(bar.indexOf(".")).toBe(Math.floor((20 * 128) / 30));
  });

  it("a second press in the same time step shows 'wait' and types nothing; the next step types again", () => {
    const s = session();
    s.press("ok");
    const first = s.typed;
    s.press("ok");
    expect(s.typed).toBe(first);
    const screen = s.displayText();
    expect(screen[0]).toBe("Wait");
    expect(screen[1]).toMatch(/^next code in (1[0-9]|20)s$/);
    s.run(5_000);
    expect(s.displayText()[0]).toBe("Wait"); // still: it stays until the step ends
    s.run(15_000); // into the next step: the code screen with the new code
    const when = trueSeconds(s);
    expect(s.displayText()).toEqual(["00 demo@totpkey", oracleTotp(DEMO_CREDENTIAL.secret, when)]);
    s.press("ok");
    expect(s.typed).toBe(first + oracleTotp(DEMO_CREDENTIAL.secret, when));
  });

  it("HOTP: each press types the next counter's code, with no wait", () => {
    const s = session({ credentials: [HOTP] });
    expect(s.displayText()).toEqual(["30 hotp", "HOTP: press OK"]);
    for (const counter of [5n, 6n, 7n]) {
      const before = s.typed.length;
      s.press("ok");
      expect(s.typed.slice(before)).toBe(oracleCode(HOTP.secret, counter));
    }
    expect(s.displayText()[1]).toBe(oracleCode(HOTP.secret, 7n));
  });

  it("starts on the slot selected last (saved when it typed)", () => {
    const s = session({ credentials: [DEMO_CREDENTIAL, GITHUB], storeSettings: [[SETTING_SELECTED_SLOT, 4]] });
    expect(s.displayText()[0]).toBe("04 GitHub");
    const none = session({ credentials: [] });
    expect(none.displayText()).toEqual(["No credentials", "add one over USB"]);
    none.press("ok");
    expect(none.typed).toBe("");
  });

  it("saves the slot typed last once the panel has been idle for 5 s, not in the press", () => {
    const s = session({ credentials: [DEMO_CREDENTIAL, GITHUB] });
    s.press("down");
    s.press("ok");
    expect(s.typed).toBe(oracleTotp(GITHUB.secret, trueSeconds(s)));
    const reboot = () => new SimSession({ flash: s.token.flash.clone(), clock: new SimClock(trueSeconds(s)) });
    const early = reboot();
    early.run(100);
    expect(early.displayText()[0]).toBe("00 demo@totpkey"); // a power cut now forgets the choice
    s.run(5_000);
    const later = reboot();
    later.run(100);
    expect(later.displayText()[0]).toBe("04 GitHub");
  });

  it("goes dark after the display timeout; the waking press does nothing else", () => {
    const s = session({ settings: [[SETTING_DISPLAY_TIMEOUT_SECONDS, 5]] });
    s.run(5_000);
    expect(s.frame!.pixels.every((b) => b === 0)).toBe(true);
    s.press("ok");
    expect(s.typed).toBe("");
    expect(s.displayText()[0]).toBe("00 demo@totpkey");
    s.press("ok");
    expect(s.typed.length).toBe(6);
  });

  it("scrolls a name longer than the screen, and comes back to its start", () => {
    const long: Credential = { slot: 1, name: "a-very-long-account-name@example.com", secret: secret("x") };
    const s = session({ credentials: [long] });
    const header = (f: FrameLike) => frameToArt(f).slice(0, 8).join("\n");
    const start = header(s.frame!);
    s.run(1_500);
    const moved = header(s.frame!);
    expect(moved).not.toBe(start);
    // Overflow 36 * 6 - 1 - 110 = 105 px at 50 ms/px plus two 1 s pauses: one cycle is 7.25 s.
    s.run(7_250 - 1_500);
    expect(header(s.frame!)).toBe(start);
  });

  it("single-button board: a short press types the current slot, a long press goes to the next", () => {
    const s = session({ credentials: [DEMO_CREDENTIAL, GITHUB], boardFlags: BOARD_NO_DISPLAY });
    expect(s.token.frameCount).toBe(0);
    let when = trueSeconds(s);
    s.press("ok", 100);
    expect(s.typed).toBe(oracleTotp(DEMO_CREDENTIAL.secret, when));
    s.press("ok", 1_000); // long: next slot, nothing typed
    expect(s.typed.length).toBe(6);
    when = trueSeconds(s);
    s.press("ok", 100);
    expect(s.typed.slice(6)).toBe(oracleTotp(GITHUB.secret, when));
    expect(s.token.frameCount).toBe(0);
  });
});

interface PanelKit {
  storeMount(offset: number, bytes: number, sector: number, page: number): number;
  uiInit(flags: number, nowMs: bigint): void;
  uiTick(nowMs: bigint): void;
  uiButton(id: number, down: number, nowMs: bigint): void;
  uiSetLocked(locked: number): void;
  uiTouchPrompt(reason: number): void;
}

describe("front panel hooks for the PIN and the applets (test module)", () => {
  function boot() {
    const flash = new NorFlash();
    new FlashWriter(flash).put(DEMO_CREDENTIAL);
    const frames: FrameLike[] = [];
    const reports: Uint8Array[] = [];
    const devices = quietDevices(flash, new SimClock(T0));
    devices.displayFrame = (pixels, widthPx, heightPx) => frames.push({ pixels, widthPx, heightPx });
    devices.keyboardReport = (report) => (reports.push(report), 0);
    const kit = instantiateWithHost<PanelKit>(readModule("testkit-ui"), devices).exports;
    const { totalBytes, sectorBytes, pageBytes } = flash.geometry;
    kit.storeMount(totalBytes - DEFAULT_REGION_BYTES, DEFAULT_REGION_BYTES, sectorBytes, pageBytes);
    kit.uiInit(0, 0n);
    kit.uiTick(0n);
    return { kit, frames, reports, text: () => frameToText(frames[frames.length - 1]) };
  }

  it("locked: shows 'Locked' and types nothing until unlocked", () => {
    const { kit, reports, text } = boot();
    kit.uiSetLocked(1);
    kit.uiTick(10n);
    expect(text()[0]).toBe("Locked");
    kit.uiButton(2, 1, 20n);
    for (let t = 30; t < 500; t += 10) kit.uiTick(BigInt(t));
    expect(reports.length).toBe(0);
    kit.uiSetLocked(0);
    kit.uiTick(510n);
    expect(text()[0]).toBe("00 demo@totpkey");
  });

  it("touch prompt: shown while an applet waits for OK, gone when it is answered", () => {
    const { kit, text } = boot();
    kit.uiTouchPrompt(1);
    kit.uiTick(10n);
    expect(text()).toEqual(["Touch", "a computer asks for", "a code: press OK"]);
    kit.uiTouchPrompt(2);
    kit.uiTick(20n);
    expect(text()[0]).toBe("Erase all?");
    kit.uiTouchPrompt(0);
    kit.uiTick(30n);
    expect(text()[0]).toBe("00 demo@totpkey");
  });
});
