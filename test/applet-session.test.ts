// A new smart-card session forgets the proven access password and the selection, so a second
// client (or a reset reader) cannot inherit an unlocked session.
import { describe, expect, it } from "vitest";
import { apdu, concat, derivePasswordKey, freshToken, hmac, INS, parseTlvs, put, selectOath, send, TAG, tlv, utf8 } from "./applet-kit.js";

function setPassword(token: ReturnType<typeof freshToken>, password: string): void {
  const select = selectOath(token);
  const salt = parseTlvs(select.data).find((e) => e.tag === TAG.NAME)!.value;
  const key = derivePasswordKey(password, salt);
  const challenge = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const response = hmac(1, key, challenge);
  const data = concat(tlv(TAG.KEY, concat([0x21], key)), tlv(TAG.CHALLENGE, challenge), tlv(TAG.RESPONSE, response));
  expect(send(token, apdu(0x00, INS.SET_CODE, 0, 0, data)).sw).toBe(0x9000);
}

describe("session_reset", () => {
  it("locks the OATH applet again after a password was set in the session", () => {
    const token = freshToken();
    selectOath(token);
    expect(put(token, { name: "a", secret: utf8("12345678901234567890") }).sw).toBe(0x9000);
    setPassword(token, "hunter2");
    // The session that set the password stays unlocked...
    expect(send(token, apdu(0x00, INS.LIST, 0, 0)).sw).toBe(0x9000);
    token.sessionReset();
    // ...a new one has nothing selected, and after SELECT must validate first.
    expect(send(token, apdu(0x00, INS.LIST, 0, 0)).sw).toBe(0x6d00);
    selectOath(token);
    expect(send(token, apdu(0x00, INS.LIST, 0, 0)).sw).toBe(0x6982);
  });

  it("drops a command waiting for a press: no reply comes, and the press does nothing", () => {
    const token = freshToken();
    selectOath(token);
    expect(put(token, { name: "t", secret: utf8("12345678901234567890"), touch: true }).sw).toBe(0x9000);
    const waiting = token.apdu(apdu(0x00, INS.CALCULATE, 0, 1, concat(tlv(TAG.NAME, utf8("t")), tlv(TAG.CHALLENGE, new Uint8Array(8)))));
    expect(waiting).toBeNull();
    const repliesBefore = token.responses.length;
    token.sessionReset();
    token.press(2);
    token.advance(1000);
    expect(token.responses.length).toBe(repliesBefore);
  });
});
