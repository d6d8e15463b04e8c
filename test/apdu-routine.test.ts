// apdu_routine (docs/SPEC.md): which commands a client sends routinely (selecting, listing, reading
// codes) and which are provisioning (writes, PIN, settings, reset). A board that keeps compiled code
// runs a provisioning command on a clean slate; the answer must follow the selected applet and
// change nothing the commands then see.
import { describe, expect, it } from "vitest";
import { Token } from "../host-sim/token.js";
import { SimClock } from "../host-sim/clock.js";
import { apdu, concat, selectOath, selectExtension, utf8, TAG, INS, EXT, tlv } from "./applet-kit.js";

const NOW = 1_700_000_000;
const challenge = tlv(TAG.CHALLENGE, [0, 0, 0, 0, 0, 0, 0, 1]);
const OATH_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01]);

describe("apdu_routine", () => {
  it("calls SELECT, GET RESPONSE and the applets' reading commands routine, the rest provisioning", () => {
    const token = new Token({ clock: new SimClock(NOW) });
    // Nothing selected: whatever comes is refused.
    expect(token.apduRoutine(apdu(0x00, INS.PUT, 0, 0, Uint8Array.from([1, 2, 3])))).toBe(true);
    expect(token.apduRoutine(Uint8Array.from([0x00, 0xa4]))).toBe(true); // too short to parse
    selectOath(token);
    const oathRoutine = [
      apdu(0x00, INS.SELECT, 0x04, 0x00, OATH_AID),
      apdu(0x00, INS.LIST, 0, 0), apdu(0x00, INS.CALCULATE, 0, 1, concat(tlv(TAG.NAME, utf8("a")), challenge)),
      apdu(0x00, INS.CALCULATE_ALL, 0, 1, challenge), apdu(0x00, INS.SEND_REMAINING, 0, 0),
      apdu(0x00, INS.VALIDATE, 0, 0, Uint8Array.from([0x75, 0])), apdu(0x00, 0xc0, 0, 0),
    ];
    for (const command of oathRoutine) expect(token.apduRoutine(command), Buffer.from(command).toString("hex")).toBe(true);
    const oathProvisioning = [INS.PUT, INS.DELETE, INS.SET_CODE, INS.RESET, INS.RENAME].map((ins) => apdu(0x00, ins, 0, 0, Uint8Array.from([0x71, 0])));
    for (const command of oathProvisioning) expect(token.apduRoutine(command), Buffer.from(command).toString("hex")).toBe(false);
    // The extension's INS numbers mean other things there: LIST SLOTS is routine, PUT SLOT not.
    expect(token.apduRoutine(apdu(0x80, EXT.LIST_SLOTS, 0, 0))).toBe(false); // CLA 80 is not YKOATH's
    selectExtension(token);
    for (const ins of [EXT.LIST_SLOTS, EXT.DEVICE_INFO, EXT.GET_CLOCK, EXT.GET_SETTING]) {
      expect(token.apduRoutine(apdu(0x80, ins, 0, 0)), ins.toString(16)).toBe(true);
    }
    for (const ins of [EXT.PUT_SLOT, EXT.DELETE_SLOT, EXT.MOVE_SLOT, EXT.SET_CLOCK, EXT.PUT_SETTING, EXT.FACTORY_RESET, 0x50]) {
      expect(token.apduRoutine(apdu(0x80, ins, 0, 0)), ins.toString(16)).toBe(false);
    }
    expect(token.apduRoutine(apdu(0x00, INS.CALCULATE, 0, 1, challenge))).toBe(false); // CLA 00 in the extension
  });

  it("changes nothing: asking before each command leaves every reply as it was", () => {
    const replies = (ask: boolean): string[] => {
      const token = new Token({ clock: new SimClock(NOW), random: (n) => new Uint8Array(n).fill(7) });
      const out: string[] = [];
      const sendAsking = (command: Uint8Array) => {
        if (ask) token.apduRoutine(command);
        out.push(Buffer.from(token.apdu(command) ?? []).toString("hex"));
      };
      sendAsking(apdu(0x00, INS.SELECT, 0x04, 0x00, OATH_AID));
      sendAsking(apdu(0x00, INS.PUT, 0, 0, concat(tlv(TAG.NAME, utf8("a")), tlv(TAG.KEY, [0x21, 6, ...utf8("12345678901234567890")]))));
      sendAsking(apdu(0x00, INS.CALCULATE, 0, 1, concat(tlv(TAG.NAME, utf8("a")), challenge)));
      sendAsking(apdu(0x00, INS.CALCULATE_ALL, 0, 1, challenge));
      sendAsking(apdu(0x00, INS.LIST, 0, 0));
      return out;
    };
    const asked = replies(true);
    expect(asked).toEqual(replies(false));
    expect(asked[2].endsWith("9000")).toBe(true);
  });
});
