// Idle-time store maintenance in the token itself (index.ts tick): after a quiet spell the module
// compacts the log, so later HOTP presses find room without erasing.
import { describe, expect, it } from "vitest";
import { apdu, concat, freshToken, INS, put, selectOath, send, tlv, TAG, utf8 } from "./applet-kit.js";
import type { Token } from "../host-sim/token.js";

const SECRET = utf8("12345678901234567890");

function pressHotp(token: Token): void {
  const reply = send(token, apdu(0x00, INS.CALCULATE, 0, 1, concat(tlv(TAG.NAME, utf8("hotp")), tlv(TAG.CHALLENGE, []))));
  expect(reply.sw).toBe(0x9000);
}

// HOTP presses until the log is close to full (the first press that had to erase shows it).
function pressUntilAnErase(token: Token): number {
  for (let press = 1; press <= 5000; press++) {
    const erasesBefore = token.flash.erases;
    pressHotp(token);
    if (token.flash.erases > erasesBefore) return press;
  }
  throw new Error("5000 presses and the store never needed an erase");
}

describe("idle store maintenance", () => {
  it("compacts while idle, so the next presses do not erase", () => {
    const busy = freshToken();
    selectOath(busy);
    expect(put(busy, { name: "hotp", secret: SECRET, type: "hotp" }).sw).toBe(0x9000);
    // Without idle time, the presses run into the erase.
    const pressesToErase = pressUntilAnErase(busy);
    expect(pressesToErase).toBeGreaterThan(10);

    const idle = freshToken();
    selectOath(idle);
    expect(put(idle, { name: "hotp", secret: SECRET, type: "hotp" }).sw).toBe(0x9000);
    let idleErases = 0;
    for (let press = 1; press <= pressesToErase + 200; press++) {
      const before = idle.flash.erases;
      pressHotp(idle);
      expect(idle.flash.erases, `press ${press} erased`).toBe(before);
      if (press % 50 === 0) {
        const beforeIdle = idle.flash.erases;
        idle.advance(5000); // a quiet spell: maintenance may erase here, off the press path
        idleErases += idle.flash.erases - beforeIdle;
      }
    }
    expect(idleErases).toBeGreaterThan(0);
  });

  it("does nothing while the user is active", () => {
    const token = freshToken();
    selectOath(token);
    put(token, { name: "hotp", secret: SECRET, type: "hotp" });
    const erasesBefore = token.flash.erases;
    for (let i = 0; i < 20; i++) {
      pressHotp(token);
      token.advance(500); // never idle for 3 s
    }
    expect(token.flash.erases).toBe(erasesBefore);
  });
});
