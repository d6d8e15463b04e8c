// What the token types, as computers with different layouts and lock states see it: the full matrix
// of layouts x NumLock x typing modes, CapsLock on AZERTY, Enter/Tab, a busy or missing USB keyboard.
// The decoding host (host-sim/keyboard-host.ts) has its own layout tables; the codes come from
// node:crypto.
import { describe, expect, it } from "vitest";
import { HOST_LAYOUTS, layoutId, CapsLockModel } from "../host-sim/keyboard-host.js";
import {
  DEMO_CREDENTIAL, SETTING_TYPING_MODE, SETTING_KEYBOARD_LAYOUT, SETTING_AFTER_CODE, SETTING_TYPING_PACE_MS,
  TYPING_MODE_KEYPAD, TYPING_MODE_TOP_ROW,
} from "../host-sim/flash-writer.js";
import { oracleTotp, session, trueSeconds } from "./ui-support.js";

const MODES = [["keypad", TYPING_MODE_KEYPAD], ["top-row", TYPING_MODE_TOP_ROW]] as const;

describe("typing matrix: every layout, NumLock on and off, both typing modes", () => {
  for (const layout of HOST_LAYOUTS) {
    for (const numLock of [true, false]) {
      for (const [modeName, mode] of MODES) {
        it(`${layout}, NumLock ${numLock ? "on" : "off"}, ${modeName}: types the code, restores NumLock`, () => {
          const s = session({
            keyboard: { layout, numLock },
            settings: [[SETTING_TYPING_MODE, mode], [SETTING_KEYBOARD_LAYOUT, layoutId(layout)]],
          });
          const when = trueSeconds(s);
          s.press("ok");
          expect(s.typed).toBe(oracleTotp(DEMO_CREDENTIAL.secret, when));
          expect(s.host.numLock).toBe(numLock);
          expect(s.host.capsLock).toBe(false);
          expect(s.host.keysHeld).toBe(false);
        });
      }
    }
  }
});

describe("typing details", () => {
  it("sends a key-down report then an all-keys-up report for every key", () => {
    const s = session({ keyboard: { numLock: false } });
    s.press("ok");
    const reports = s.token.keyboardReports;
    expect(reports.length).toBe(2 * (1 + 6 + 1)); // NumLock, six digits, NumLock
    reports.forEach((report, i) => {
      const keys = Array.from(report.subarray(2)).filter((k) => k !== 0);
      expect(report.length).toBe(8);
      if (i % 2 === 0) expect(keys.length).toBe(1);
      else expect(Array.from(report)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    });
    expect(reports[0][2]).toBe(0x53); // NumLock first
    expect(reports[reports.length - 2][2]).toBe(0x53); // and last
  });

  for (const layout of ["fr", "be"] as const) {
    for (const model of ["windows", "x11"] as CapsLockModel[]) {
      it(`${layout} top row with CapsLock on (${model} CapsLock): digits, CapsLock restored`, () => {
        const s = session({
          keyboard: { layout, capsLock: true, capsLockModel: model },
          settings: [[SETTING_TYPING_MODE, TYPING_MODE_TOP_ROW], [SETTING_KEYBOARD_LAYOUT, layoutId(layout)]],
        });
        const when = trueSeconds(s);
        s.press("ok");
        expect(s.typed).toBe(oracleTotp(DEMO_CREDENTIAL.secret, when));
        expect(s.host.capsLock).toBe(true);
      });
    }
  }

  it("the decoding host really garbles AZERTY digits typed without Shift (the check can fail)", () => {
    // A token told the host is "us" while it is "fr" types the unshifted top row: & é " ' ( ...
    const s = session({
      keyboard: { layout: "fr" },
      settings: [[SETTING_TYPING_MODE, TYPING_MODE_TOP_ROW], [SETTING_KEYBOARD_LAYOUT, layoutId("us")]],
    });
    s.press("ok");
    expect(s.typed).not.toMatch(/^\d{6}$/);
    expect(s.typed.length).toBe(6);
  });

  it("Enter or Tab after the code when the setting asks, nothing by default", () => {
    for (const [after, suffix] of [[0, ""], [1, "\n"], [2, "\t"]] as const) {
      const s = session({ settings: [[SETTING_AFTER_CODE, after]] });
      const when = trueSeconds(s);
      s.press("ok");
      expect(s.typed).toBe(oracleTotp(DEMO_CREDENTIAL.secret, when) + suffix);
    }
  });

  it("out-of-range layout, mode and after-code settings fall back to us, keypad, nothing", () => {
    const s = session({
      keyboard: { numLock: false },
      storeSettings: [[SETTING_TYPING_MODE, 7], [SETTING_KEYBOARD_LAYOUT, 200], [SETTING_AFTER_CODE, 9]],
    });
    const when = trueSeconds(s);
    s.press("ok");
    expect(s.typed).toBe(oracleTotp(DEMO_CREDENTIAL.secret, when));
    expect(s.token.keyboardReports[0][2]).toBe(0x53); // keypad mode: NumLock turned on first
  });

  it("keeps the configured pace between reports", () => {
    const s = session({ settings: [[SETTING_TYPING_PACE_MS, 50]] });
    const times: number[] = [];
    const original = s.host.receive.bind(s.host);
    s.host.receive = (report, nowMs) => {
      times.push(nowMs);
      original(report, nowMs);
    };
    s.press("ok", 60, 1000);
    expect(times.length).toBe(12);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(50);
  });

  it("a host that never reports its LEDs gets keypad digits without NumLock presses", () => {
    const s = session({ keyboard: { numLock: true, ledDelayMs: null } });
    const when = trueSeconds(s);
    s.press("ok");
    expect(s.typed).toBe(oracleTotp(DEMO_CREDENTIAL.secret, when));
    expect(s.token.keyboardReports.some((r) => r[2] === 0x53)).toBe(false);
  });

  it("a slow LED report: the token waits for it before typing keypad digits", () => {
    const s = session({ keyboard: { numLock: false, ledDelayMs: 200 } });
    const when = trueSeconds(s);
    s.press("ok", 60, 1500);
    expect(s.typed).toBe(oracleTotp(DEMO_CREDENTIAL.secret, when));
    expect(s.host.numLock).toBe(false);
  });

  it("retries a report the host calls busy, without losing or doubling characters", () => {
    let calls = 0;
    const s = session({ usbStatus: () => (++calls % 3 === 0 ? 0 : 1) });
    const when = trueSeconds(s);
    s.press("ok", 60, 2000);
    expect(s.typed).toBe(oracleTotp(DEMO_CREDENTIAL.secret, when));
  });

  it("abandons typing without a USB keyboard, says so, and allows another try in the same step", () => {
    let connected = false;
    const s = session({ usbStatus: () => (connected ? 0 : -1) });
    const when = trueSeconds(s);
    s.press("ok");
    expect(s.typed).toBe("");
    expect(s.displayText()).toContain("Not typed");
    connected = true;
    s.press("ok");
    expect(s.typed).toBe(oracleTotp(DEMO_CREDENTIAL.secret, when));
  });
});
