// The whole story on the real token, through its protocol: a token without time types nothing; a
// computer adds credentials and sets the clock over APDUs (the totpkey extension applet, docs/SPEC.md);
// the user browses and presses OK; the computer receives oathtool's code for that instant. A clock
// jump set later waits on the display for OK, and codes follow the new time once confirmed.
import { describe, expect, it } from "vitest";
import { SimClock } from "../host-sim/clock.js";
import { SimSession } from "../host-sim/sim-session.js";
import { NorFlash } from "../host-sim/flash.js";
import { oathtoolTotp } from "./ui-support.js";

const EXTENSION_AID = [0xf0, 0x74, 0x6f, 0x74, 0x70, 0x6b, 0x65, 0x79, 0x01];

function command(cla: number, ins: number, p1: number, p2: number, data: number[] = []): Uint8Array {
  return Uint8Array.from([cla, ins, p1, p2, ...(data.length ? [data.length, ...data] : [])]);
}

function tlv(tag: number, value: number[]): number[] {
  return [tag, value.length, ...value];
}

/** Sends a command and returns its data, failing on any status word but 9000. */
function transmit(s: SimSession, apdu: Uint8Array): number[] {
  const reply = s.token.apdu(apdu);
  expect(reply, "the token answered").not.toBeNull();
  const bytes = Array.from(reply!);
  expect(bytes.slice(-2).map((b) => b.toString(16).padStart(2, "0")).join("")).toBe("9000");
  return bytes.slice(0, -2);
}

function bigEndian64(value: number): number[] {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value));
  return Array.from(bytes);
}

interface Account { slot: number; name: string; secret: Uint8Array; algorithm: 1 | 2 | 3; digits: number; period: number }

function putSlot(s: SimSession, account: Account): void {
  const name = Array.from(new TextEncoder().encode(account.name));
  const typeAndAlgorithm = 0x20 | account.algorithm; // YKOATH: TOTP type nibble, algorithm nibble
  transmit(s, command(0x80, 0x01, account.slot, 0x00, [
    ...tlv(0x71, name), ...tlv(0x73, [typeAndAlgorithm, account.digits, ...account.secret]), ...tlv(0x7d, [account.period]),
  ]));
}

describe("scenario: set up over the protocol, then use the buttons", () => {
  it("no time: nothing typed; SET CLOCK; browse; OK types oathtool's code; a jump waits for OK", () => {
    const start = 1_801_000_000; // the computer's true time when the token is plugged in
    const s = new SimSession({ flash: new NorFlash(), clock: new SimClock(null) });
    s.run(100);
    const truth = () => start + Math.floor(s.token.clock.nowMs / 1000);
    const accounts: Account[] = [
      { slot: 3, name: "mail", secret: new TextEncoder().encode("mail-secret-0123456789"), algorithm: 1, digits: 6, period: 30 },
      { slot: 12, name: "cloud", secret: new Uint8Array(32).map((_, i) => i * 7), algorithm: 2, digits: 8, period: 60 },
    ];
    transmit(s, command(0x00, 0xa4, 0x04, 0x00, EXTENSION_AID));
    for (const account of accounts) putSlot(s, account);
    s.run(100);
    expect(s.displayText()).toEqual(["03 mail", "no time set"]);

    s.press("ok");
    expect(s.typed).toBe("");
    expect(s.displayText()[0]).toBe("No time set");

    expect(transmit(s, command(0x80, 0x21, 0x00, 0x00, bigEndian64(truth())))).toEqual([0x00]);
    s.run(3_000); // the message goes
    s.press("down");
    expect(s.displayText()[0]).toBe("12 cloud");
    let when = truth();
    s.press("ok");
    expect(s.typed).toBe(oathtoolTotp(accounts[1].secret, when, 8, 60, 2));

    // The computer moves the clock two hours ahead: the token asks first.
    const jump = 2 * 3600;
    expect(transmit(s, command(0x80, 0x21, 0x00, 0x00, bigEndian64(truth() + jump)))).toEqual([0x01]);
    s.run(100);
    expect(s.displayText()[0]).toBe("Set clock (UTC)?");
    s.press("ok");
    expect(s.displayText()[0]).toBe("12 cloud");
    s.press("up");
    when = truth() + jump;
    s.press("ok");
    expect(s.typed.slice(8)).toBe(oathtoolTotp(accounts[0].secret, when));
  });
});
