// The YKOATH applet through the real module: every command ykman uses, checked against node:crypto
// HMACs and RFC 4226 truncation computed here, never against the module's own outputs.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { BUTTON_OK } from "../host-sim/token.js";
import {
  apdu, send, put, list, selectOath, selectExtension, parseTlvs, tlv, concat, utf8, hex, hmac, truncate,
  counterBytes, derivePasswordKey, freshToken, TAG, INS, EXT, AlgorithmId,
} from "./applet-kit.js";

const secret20 = Uint8Array.from(Buffer.from("3132333435363738393031323334353637383930", "hex")); // RFC 4226 key

function calculate(token: ReturnType<typeof freshToken>, name: string, challenge: Uint8Array, truncated: boolean) {
  return send(token, apdu(0x00, INS.CALCULATE, 0x00, truncated ? 0x01 : 0x00, concat(tlv(TAG.NAME, utf8(name)), tlv(TAG.CHALLENGE, challenge))));
}

describe("YKOATH SELECT", () => {
  it("reports version 5.4.3 and an 8-byte salt, no challenge without a password", () => {
    const token = freshToken();
    const reply = selectOath(token);
    expect(reply.sw).toBe(0x9000);
    const fields = parseTlvs(reply.data);
    expect(fields.map((f) => f.tag)).toEqual([TAG.VERSION, TAG.NAME]);
    expect([...fields[0].value]).toEqual([5, 4, 3]);
    expect(fields[1].value.length).toBe(8);
    // The salt is kept: a second SELECT reports the same one.
    expect(hex(parseTlvs(selectOath(token).data)[1].value)).toBe(hex(fields[1].value));
  });

  it("accepts the full 8-byte AID and refuses unknown AIDs with 6A82", () => {
    const token = freshToken();
    expect(send(token, apdu(0, INS.SELECT, 4, 0, Uint8Array.from([0xa0, 0, 0, 5, 0x27, 0x21, 1, 1]))).sw).toBe(0x9000);
    expect(send(token, apdu(0, INS.SELECT, 4, 0, Uint8Array.from([0xa0, 0, 0, 5, 0x27, 0x47, 0x11, 0x17]))).sw).toBe(0x6a82);
    expect(send(token, apdu(0, INS.SELECT, 4, 0, Uint8Array.from([0xa0, 0, 0, 5, 0x27, 0x21]))).sw).toBe(0x6a82);
  });

  it("answers OATH commands only after a SELECT", () => {
    const token = freshToken();
    expect(send(token, apdu(0, INS.LIST, 0, 0)).sw).toBe(0x6d00);
  });
});

describe("YKOATH PUT, CALCULATE and LIST", () => {
  const cases: { algorithm: AlgorithmId; digits: number; keyBytes: number }[] = [
    { algorithm: 1, digits: 6, keyBytes: 20 }, { algorithm: 2, digits: 8, keyBytes: 32 }, { algorithm: 3, digits: 6, keyBytes: 64 },
    { algorithm: 1, digits: 8, keyBytes: 1 }, { algorithm: 3, digits: 7, keyBytes: 128 }, { algorithm: 2, digits: 6, keyBytes: 100 },
  ];
  for (const { algorithm, digits, keyBytes } of cases) {
    it(`TOTP alg ${algorithm}, ${digits} digits, ${keyBytes}-byte key: full and truncated equal node:crypto`, () => {
      const token = freshToken();
      selectOath(token);
      const key = new Uint8Array(randomBytes(keyBytes));
      expect(put(token, { name: "Example:alice@example.com", secret: key, algorithm, digits }).sw).toBe(0x9000);
      const challenge = counterBytes(56_666_666n);
      const expected = hmac(algorithm, key, challenge);
      const full = calculate(token, "Example:alice@example.com", challenge, false);
      expect(full.sw).toBe(0x9000);
      const fullFields = parseTlvs(full.data);
      expect(fullFields[0].tag).toBe(TAG.RESPONSE);
      expect(fullFields[0].value[0]).toBe(digits);
      expect(hex(fullFields[0].value.subarray(1))).toBe(hex(expected));
      const short = parseTlvs(calculate(token, "Example:alice@example.com", challenge, true).data)[0];
      expect(short.tag).toBe(TAG.TRUNCATED);
      expect(short.value[0]).toBe(digits);
      expect(Buffer.from(short.value.subarray(1)).readUInt32BE(0)).toBe(truncate(expected));
      expect(list(token).get("Example:alice@example.com")).toBe(0x20 | algorithm);
    });
  }

  it("zero-padded keys (as ykman pads to 14 bytes) give the same codes as the key as given", () => {
    const token = freshToken();
    selectOath(token);
    const key = utf8("short");
    put(token, { name: "padded", secret: concat(key, new Uint8Array(9)) });
    const reply = parseTlvs(calculate(token, "padded", counterBytes(1), false).data)[0];
    expect(hex(reply.value.subarray(1))).toBe(hex(hmac(1, key, counterBytes(1))));
  });

  it("HOTP: RFC 4226 codes in order from the initial counter (IMF), the counter persisting", () => {
    const token = freshToken();
    selectOath(token);
    expect(put(token, { name: "hotp", secret: secret20, type: "hotp", counter: 3 }).sw).toBe(0x9000);
    const rfc4226 = [755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489];
    for (let counter = 3; counter < 10; counter++) {
      const value = parseTlvs(calculate(token, "hotp", new Uint8Array(0), true).data)[0].value;
      expect(Buffer.from(value.subarray(1)).readUInt32BE(0) % 1_000_000).toBe(rfc4226[counter]);
    }
    const full = parseTlvs(calculate(token, "hotp", new Uint8Array(0), false).data)[0].value;
    expect(hex(full.subarray(1))).toBe(hex(hmac(1, secret20, counterBytes(10))));
    expect(list(token).get("hotp")).toBe(0x11);
  });

  it("PUT of an existing name overwrites it in place", () => {
    const token = freshToken();
    selectOath(token);
    put(token, { name: "same", secret: utf8("first-key") });
    put(token, { name: "same", secret: utf8("second-key"), algorithm: 2 });
    expect([...list(token)]).toEqual([["same", 0x22]]);
    const value = parseTlvs(calculate(token, "same", counterBytes(7), false).data)[0].value;
    expect(hex(value.subarray(1))).toBe(hex(hmac(2, utf8("second-key"), counterBytes(7))));
  });

  it("takes the TOTP period from the name prefix ykman writes ('60/issuer:account')", () => {
    const token = freshToken();
    selectOath(token);
    expect(put(token, { name: "60/Issuer:acct", secret: secret20 }).sw).toBe(0x9000);
    expect(put(token, { name: "15/x", secret: secret20 }).sw).toBe(0x9000);
    expect(put(token, { name: "300/too-long-a-period", secret: secret20 }).sw).toBe(0x6a80);
    expect(put(token, { name: "60/", secret: secret20 }).sw).toBe(0x9000); // no name after it: not a prefix
    selectExtension(token);
    const periods = parseTlvs(send(token, apdu(0x80, EXT.LIST_SLOTS, 0, 0)).data)
      .map((e) => [new TextDecoder().decode(e.value.subarray(5)), e.value[3]]);
    expect(periods).toEqual([["60/Issuer:acct", 60], ["15/x", 15], ["60/", 30]]);
  });
});

describe("YKOATH CALCULATE ALL", () => {
  it("answers TOTP with truncated codes, HOTP and touch credentials with their digits only", () => {
    const token = freshToken();
    selectOath(token);
    const keyA = new Uint8Array(randomBytes(20));
    const keyB = new Uint8Array(randomBytes(32));
    put(token, { name: "a", secret: keyA });
    put(token, { name: "b", secret: keyB, algorithm: 2, digits: 8 });
    put(token, { name: "h", secret: keyA, type: "hotp", digits: 8 });
    put(token, { name: "t", secret: keyA, touch: true, digits: 7 });
    const challenge = counterBytes(BigInt(Math.floor(1_700_000_000 / 30)));
    const reply = send(token, apdu(0, INS.CALCULATE_ALL, 0, 1, tlv(TAG.CHALLENGE, challenge)));
    expect(reply.sw).toBe(0x9000);
    const e = parseTlvs(reply.data);
    expect(e.map((x) => x.tag)).toEqual([TAG.NAME, TAG.TRUNCATED, TAG.NAME, TAG.TRUNCATED, TAG.NAME, TAG.HOTP, TAG.NAME, TAG.TOUCH]);
    expect(Buffer.from(e[1].value.subarray(1)).readUInt32BE(0)).toBe(truncate(hmac(1, keyA, challenge)));
    expect(e[3].value[0]).toBe(8);
    expect(Buffer.from(e[3].value.subarray(1)).readUInt32BE(0)).toBe(truncate(hmac(2, keyB, challenge)));
    expect([...e[5].value]).toEqual([8]);
    expect([...e[7].value]).toEqual([7]);
    // Full responses with P2 = 0.
    const full = parseTlvs(send(token, apdu(0, INS.CALCULATE_ALL, 0, 0, tlv(TAG.CHALLENGE, challenge))).data);
    expect(full[1].tag).toBe(TAG.RESPONSE);
    expect(hex(full[1].value.subarray(1))).toBe(hex(hmac(1, keyA, challenge)));
  });

  it("100 credentials: LIST and CALCULATE ALL come back chained (61xx), all entries present; a 101st is refused", () => {
    const token = freshToken();
    selectOath(token);
    const keys: Uint8Array[] = [];
    for (let i = 0; i < 100; i++) {
      keys.push(new Uint8Array(randomBytes(20)));
      const name = `Issuer number ${String(i).padStart(3, "0")}:account-${"x".repeat(30)}`;
      expect(put(token, { name, secret: keys[i] }).sw).toBe(0x9000);
    }
    expect(put(token, { name: "one too many", secret: keys[0] }).sw).toBe(0x6a84);
    const listing = send(token, apdu(0, INS.LIST, 0, 0));
    expect(listing.raw.length).toBeGreaterThan(10);
    for (const chunk of listing.raw.slice(0, -1)) expect(chunk[chunk.length - 2]).toBe(0x61);
    expect(parseTlvs(listing.data).length).toBe(100);
    const challenge = counterBytes(123456n);
    const all = send(token, apdu(0, INS.CALCULATE_ALL, 0, 1, tlv(TAG.CHALLENGE, challenge)));
    expect(all.sw).toBe(0x9000);
    const entries = parseTlvs(all.data);
    expect(entries.length).toBe(200);
    for (let i = 0; i < 100; i++) {
      expect(Buffer.from(entries[2 * i + 1].value.subarray(1)).readUInt32BE(0)).toBe(truncate(hmac(1, keys[i], challenge)));
    }
    // The ISO GET RESPONSE instruction continues a chain as well.
    const viaGetResponse = send(token, apdu(0, INS.LIST, 0, 0), 0xc0);
    expect(hex(viaGetResponse.data)).toBe(hex(listing.data));
  });

  it("a short Le splits even a small reply, with 61xx counting what is left", () => {
    const token = freshToken();
    const response = token.apdu(apdu(0, INS.SELECT, 4, 0, Uint8Array.from([0xa0, 0, 0, 5, 0x27, 0x21, 1]), 4))!;
    expect(response.length).toBe(6);
    expect(hex(response.subarray(4))).toBe("610b"); // 15 bytes in all (79 03 v v v 71 0A salt): 11 left
  });
});

describe("YKOATH DELETE, RENAME, RESET", () => {
  it("deletes and renames by name; unknown names get 6984", () => {
    const token = freshToken();
    selectOath(token);
    put(token, { name: "Issuer:old", secret: secret20 });
    put(token, { name: "60/Issuer:slow", secret: secret20 });
    expect(send(token, apdu(0, INS.RENAME, 0, 0, concat(tlv(TAG.NAME, utf8("Issuer:old")), tlv(TAG.NAME, utf8("New:name"))))).sw).toBe(0x9000);
    expect(send(token, apdu(0, INS.RENAME, 0, 0, concat(tlv(TAG.NAME, utf8("missing")), tlv(TAG.NAME, utf8("x"))))).sw).toBe(0x6984);
    // A rename to a name that is taken, or that would change the period, is refused.
    expect(send(token, apdu(0, INS.RENAME, 0, 0, concat(tlv(TAG.NAME, utf8("New:name")), tlv(TAG.NAME, utf8("60/Issuer:slow"))))).sw).toBe(0x6a89);
    expect(send(token, apdu(0, INS.RENAME, 0, 0, concat(tlv(TAG.NAME, utf8("60/Issuer:slow")), tlv(TAG.NAME, utf8("Issuer:slow"))))).sw).toBe(0x6a80);
    expect([...list(token).keys()]).toEqual(["New:name", "60/Issuer:slow"]);
    expect(send(token, apdu(0, INS.DELETE, 0, 0, tlv(TAG.NAME, utf8("New:name")))).sw).toBe(0x9000);
    expect(send(token, apdu(0, INS.DELETE, 0, 0, tlv(TAG.NAME, utf8("New:name")))).sw).toBe(0x6984);
    expect([...list(token).keys()]).toEqual(["60/Issuer:slow"]);
  });

  it("RESET (P1P2 DEAD) removes every credential and the password and draws a new salt", () => {
    const token = freshToken();
    const salt = hex(parseTlvs(selectOath(token).data)[1].value);
    put(token, { name: "a", secret: secret20 });
    expect(send(token, apdu(0, INS.RESET, 0, 0)).sw).toBe(0x6b00);
    expect(list(token).size).toBe(1);
    expect(send(token, apdu(0, INS.RESET, 0xde, 0xad)).sw).toBe(0x9000);
    const after = parseTlvs(selectOath(token).data);
    expect(hex(after[1].value)).not.toBe(salt);
    expect(list(token).size).toBe(0);
  });
});

describe("YKOATH touch-required credentials", () => {
  it("CALCULATE waits for a press of OK, then answers", () => {
    const token = freshToken();
    selectOath(token);
    put(token, { name: "touchy", secret: secret20, touch: true });
    const command = apdu(0, INS.CALCULATE, 0, 0, concat(tlv(TAG.NAME, utf8("touchy")), tlv(TAG.CHALLENGE, counterBytes(5))));
    const before = token.responses.length;
    expect(token.apdu(command)).toBeNull();
    token.advance(2000);
    expect(token.responses.length).toBe(before);
    token.press(BUTTON_OK);
    expect(token.responses.length).toBe(before + 1);
    const reply = token.responses[before];
    expect(hex(reply.subarray(reply.length - 2))).toBe("9000");
    expect(hex(parseTlvs(reply.subarray(0, reply.length - 2))[0].value.subarray(1))).toBe(hex(hmac(1, secret20, counterBytes(5))));
  });

  it("times out with 6982 (ykman: 'Touch account timed out!') after 15 s", () => {
    const token = freshToken();
    selectOath(token);
    put(token, { name: "touchy", secret: secret20, touch: true });
    const before = token.responses.length;
    expect(token.apdu(apdu(0, INS.CALCULATE, 0, 1, concat(tlv(TAG.NAME, utf8("touchy")), tlv(TAG.CHALLENGE, counterBytes(5)))))).toBeNull();
    token.advance(14_900);
    expect(token.responses.length).toBe(before);
    token.advance(200);
    expect(hex(token.responses[before])).toBe("6982");
    // A late press does nothing more.
    token.press(BUTTON_OK);
    expect(token.responses.length).toBe(before + 1);
  });
});

describe("YKOATH access password (SET CODE / VALIDATE)", () => {
  function setCode(token: ReturnType<typeof freshToken>, key: Uint8Array) {
    const challenge = new Uint8Array(randomBytes(8));
    return send(token, apdu(0, INS.SET_CODE, 0, 0, concat(tlv(TAG.KEY, concat([0x21], key)), tlv(TAG.CHALLENGE, challenge),
      tlv(TAG.RESPONSE, hmac(1, key, challenge)))));
  }

  it("locks every command but VALIDATE and RESET until the HMAC of the SELECT challenge is shown", () => {
    const token = freshToken();
    const salt = parseTlvs(selectOath(token).data)[1].value;
    put(token, { name: "a", secret: secret20 });
    const key = derivePasswordKey("correct horse", salt);
    expect(setCode(token, key).sw).toBe(0x9000);
    const select = parseTlvs(selectOath(token).data);
    expect(select.map((f) => f.tag)).toEqual([TAG.VERSION, TAG.NAME, TAG.CHALLENGE, TAG.ALGORITHM]);
    expect([...select[3].value]).toEqual([1]);
    for (const command of [apdu(0, INS.LIST, 0, 0), apdu(0, INS.CALCULATE_ALL, 0, 1, tlv(TAG.CHALLENGE, counterBytes(1))),
      apdu(0, INS.PUT, 0, 0, concat(tlv(TAG.NAME, utf8("b")), tlv(TAG.KEY, [0x21, 6, 1, 2, 3])))]) {
      expect(send(token, command).sw).toBe(0x6982);
    }
    // A wrong response: 6984, and the challenge is spent (a new SELECT is needed).
    const hostChallenge = new Uint8Array(randomBytes(8));
    const wrong = hmac(1, derivePasswordKey("wrong", salt), select[2].value);
    expect(send(token, apdu(0, INS.VALIDATE, 0, 0, concat(tlv(TAG.RESPONSE, wrong), tlv(TAG.CHALLENGE, hostChallenge)))).sw).toBe(0x6984);
    const right = hmac(1, key, select[2].value);
    expect(send(token, apdu(0, INS.VALIDATE, 0, 0, concat(tlv(TAG.RESPONSE, right), tlv(TAG.CHALLENGE, hostChallenge)))).sw).toBe(0x6984);
    const fresh = parseTlvs(selectOath(token).data)[2].value;
    const ok = send(token, apdu(0, INS.VALIDATE, 0, 0, concat(tlv(TAG.RESPONSE, hmac(1, key, fresh)), tlv(TAG.CHALLENGE, hostChallenge))));
    expect(ok.sw).toBe(0x9000);
    expect(hex(parseTlvs(ok.data)[0].value)).toBe(hex(hmac(1, key, hostChallenge)));
    expect(list(token).size).toBe(1);
    // Removing the password (an empty key) unlocks for good.
    expect(send(token, apdu(0, INS.SET_CODE, 0, 0, tlv(TAG.KEY, []))).sw).toBe(0x9000);
    expect(parseTlvs(selectOath(token).data).length).toBe(2);
    expect(list(token).size).toBe(1);
  });

  it("refuses a SET CODE whose proof does not match its key", () => {
    const token = freshToken();
    selectOath(token);
    const key = new Uint8Array(randomBytes(16));
    const challenge = new Uint8Array(randomBytes(8));
    const bad = hmac(1, new Uint8Array(randomBytes(16)), challenge);
    expect(send(token, apdu(0, INS.SET_CODE, 0, 0, concat(tlv(TAG.KEY, concat([0x21], key)), tlv(TAG.CHALLENGE, challenge), tlv(TAG.RESPONSE, bad)))).sw).toBe(0x6a80);
    expect(parseTlvs(selectOath(token).data).length).toBe(2);
  });

  it("RESET works while locked and clears the password", () => {
    const token = freshToken();
    const salt = parseTlvs(selectOath(token).data)[1].value;
    expect(setCode(token, derivePasswordKey("pw", salt)).sw).toBe(0x9000);
    selectOath(token);
    expect(send(token, apdu(0, INS.RESET, 0xde, 0xad)).sw).toBe(0x9000);
    expect(parseTlvs(selectOath(token).data).length).toBe(2);
  });
});
