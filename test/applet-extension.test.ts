// The totpkey extension applet (AID F0 "totpkey" 01) through the real module: slot-addressed
// credentials, device info, clock, settings, factory reset with a press on the token.
import { describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { BUTTON_OK } from "../host-sim/token.js";
import { readModule, packageRoot } from "../host-sim/paths.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  apdu, send, put, list, selectOath, selectExtension, parseTlvs, tlv, concat, utf8, hex, hmac, counterBytes,
  derivePasswordKey, freshToken, putData, TAG, INS, EXT,
} from "./applet-kit.js";

type TokenT = ReturnType<typeof freshToken>;

function ext(token: TokenT, ins: number, p1 = 0, p2 = 0, data: Uint8Array = new Uint8Array(0)) {
  return send(token, apdu(0x80, ins, p1, p2, data));
}

function slots(token: TokenT): { slot: number; typeAlgorithm: number; digits: number; period: number; flags: number; name: string }[] {
  const reply = ext(token, EXT.LIST_SLOTS);
  expect(reply.sw).toBe(0x9000);
  return parseTlvs(reply.data).map((e) => {
    expect(e.tag).toBe(0x70);
    const v = e.value;
    return { slot: v[0], typeAlgorithm: v[1], digits: v[2], period: v[3], flags: v[4], name: new TextDecoder().decode(v.subarray(5)) };
  });
}

const key20 = Uint8Array.from(Buffer.from("3132333435363738393031323334353637383930", "hex"));

describe("extension SELECT", () => {
  it("reports the module version and the same salt as YKOATH", () => {
    const token = freshToken();
    const oathSalt = hex(parseTlvs(selectOath(token).data)[1].value);
    const reply = selectExtension(token);
    expect(reply.sw).toBe(0x9000);
    const fields = parseTlvs(reply.data);
    expect(fields[0]).toEqual({ tag: 0x79, value: Uint8Array.from([0, 1, 0]) });
    expect(hex(fields[1].value)).toBe(oathSalt);
  });
});

describe("extension slots", () => {
  it("PUT SLOT writes the chosen slot with its own period field; YKOATH sees and computes it", () => {
    const token = freshToken();
    selectExtension(token);
    const data = concat(putData({ name: "Bank:me", secret: key20, algorithm: 2, digits: 8 }), tlv(TAG.PERIOD, [45]));
    expect(ext(token, EXT.PUT_SLOT, 42, 0, data).sw).toBe(0x9000);
    expect(ext(token, EXT.PUT_SLOT, 7, 0, putData({ name: "h", secret: key20, type: "hotp", touch: true, counter: 9 })).sw).toBe(0x9000);
    expect(slots(token)).toEqual([
      { slot: 7, typeAlgorithm: 0x11, digits: 6, period: 0, flags: 1, name: "h" },
      { slot: 42, typeAlgorithm: 0x22, digits: 8, period: 45, flags: 0, name: "Bank:me" },
    ]);
    selectOath(token);
    expect([...list(token).keys()]).toEqual(["h", "Bank:me"]);
    const reply = send(token, apdu(0, INS.CALCULATE, 0, 0, concat(tlv(TAG.NAME, utf8("Bank:me")), tlv(TAG.CHALLENGE, counterBytes(99)))));
    expect(hex(parseTlvs(reply.data)[0].value.subarray(1))).toBe(hex(hmac(2, key20, counterBytes(99))));
  });

  it("refuses a slot beyond 99 (6B00) and a name another slot holds (6A89); overwrites its own slot", () => {
    const token = freshToken();
    selectExtension(token);
    expect(ext(token, EXT.PUT_SLOT, 100, 0, putData({ name: "x", secret: key20 })).sw).toBe(0x6b00);
    expect(ext(token, EXT.PUT_SLOT, 3, 0, putData({ name: "x", secret: key20 })).sw).toBe(0x9000);
    expect(ext(token, EXT.PUT_SLOT, 4, 0, putData({ name: "x", secret: key20 })).sw).toBe(0x6a89);
    expect(ext(token, EXT.PUT_SLOT, 3, 0, putData({ name: "x", secret: key20, digits: 8 })).sw).toBe(0x9000);
    expect(ext(token, EXT.PUT_SLOT, 5, 0, concat(putData({ name: "p", secret: key20 }), tlv(TAG.PERIOD, [0]))).sw).toBe(0x6a80);
    expect(slots(token).map((s) => [s.slot, s.digits])).toEqual([[3, 8]]);
  });

  it("MOVE to a free slot; to a used slot 6985; from an empty slot 6984; DELETE SLOT", () => {
    const token = freshToken();
    selectExtension(token);
    ext(token, EXT.PUT_SLOT, 10, 0, putData({ name: "a", secret: key20 }));
    ext(token, EXT.PUT_SLOT, 11, 0, putData({ name: "b", secret: key20 }));
    expect(ext(token, EXT.MOVE_SLOT, 10, 99).sw).toBe(0x9000);
    expect(ext(token, EXT.MOVE_SLOT, 11, 99).sw).toBe(0x6985);
    expect(ext(token, EXT.MOVE_SLOT, 10, 12).sw).toBe(0x6984);
    expect(ext(token, EXT.MOVE_SLOT, 11, 100).sw).toBe(0x6b00);
    expect(slots(token).map((s) => [s.slot, s.name])).toEqual([[11, "b"], [99, "a"]]);
    expect(ext(token, EXT.DELETE_SLOT, 11).sw).toBe(0x9000);
    expect(ext(token, EXT.DELETE_SLOT, 11).sw).toBe(0x6984);
    expect(slots(token).map((s) => s.slot)).toEqual([99]);
  });
});

describe("extension device info, clock and settings", () => {
  it("DEVICE INFO: module version, the module's SHA-256 and host name, slots used/free, store usage", () => {
    const token = freshToken();
    selectOath(token);
    put(token, { name: "one", secret: key20 });
    put(token, { name: "two", secret: key20 });
    selectExtension(token);
    const reply = ext(token, EXT.DEVICE_INFO);
    expect(reply.sw).toBe(0x9000);
    const f = new Map(parseTlvs(reply.data).map((e) => [e.tag, e.value]));
    const packageVersion = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")).version as string;
    expect([...f.get(1)!].join(".")).toBe(packageVersion); // extension.ts MODULE_VERSION_* follow package.json
    expect(hex(f.get(2)!)).toBe(createHash("sha256").update(readModule("release")).digest("hex"));
    expect(new TextDecoder().decode(f.get(3)!)).toBe("host-sim 0.1.0");
    expect([...f.get(4)!]).toEqual([2]);
    expect([...f.get(5)!]).toEqual([98]);
    const used = Buffer.from(f.get(6)!).readUInt32BE(0);
    const capacity = Buffer.from(f.get(7)!).readUInt32BE(0);
    expect(used).toBeGreaterThan(0);
    expect(capacity).toBeGreaterThan(used);
  });

  it("GET CLOCK reads the corrected time; SET CLOCK applies a small step and holds a large jump for a press", () => {
    const token = freshToken(1_700_000_000);
    selectExtension(token);
    const read = () => new Map(parseTlvs(ext(token, EXT.GET_CLOCK).data).map((e) => [e.tag, e.value]));
    expect(Buffer.from(read().get(1)!).readBigInt64BE(0)).toBe(1_700_000_000n);
    const at = (seconds: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64BE(seconds); return new Uint8Array(b); };
    const small = ext(token, EXT.SET_CLOCK, 0, 0, at(1_700_000_120n));
    expect(hex(small.data) + small.sw.toString(16)).toBe("009000");
    expect(Buffer.from(read().get(1)!).readBigInt64BE(0)).toBe(1_700_000_120n);
    const jump = ext(token, EXT.SET_CLOCK, 0, 0, at(1_800_000_000n));
    expect(hex(jump.data) + jump.sw.toString(16)).toBe("019000");
    expect([...read().get(4)!]).toEqual([1]);
    expect(read().get(2)!.length).toBe(4); // drift in ppb
    expect(ext(token, EXT.SET_CLOCK, 0, 0, at(-5n)).sw).toBe(0x6a80);
    expect(ext(token, EXT.SET_CLOCK, 0, 0, new Uint8Array(4)).sw).toBe(0x6700);
  });

  it("settings: unset reads 6A88, values round-trip, out-of-range values and unknown ids are refused", () => {
    const token = freshToken();
    selectExtension(token);
    expect(ext(token, EXT.GET_SETTING, 3).sw).toBe(0x6a88);
    expect(ext(token, EXT.PUT_SETTING, 3, 0, Uint8Array.from([0, 0, 0, 2])).sw).toBe(0x9000);
    expect(hex(ext(token, EXT.GET_SETTING, 3).data)).toBe("00000002");
    expect(ext(token, EXT.PUT_SETTING, 3, 0, Uint8Array.from([0, 0, 0, 3])).sw).toBe(0x6a80);
    expect(ext(token, EXT.PUT_SETTING, 5, 0, Uint8Array.from([0, 0, 0, 80])).sw).toBe(0x9000);
    expect(hex(ext(token, EXT.GET_SETTING, 5).data)).toBe("00000050");
    expect(ext(token, EXT.PUT_SETTING, 6, 0, Uint8Array.from([0, 0, 0, 1])).sw).toBe(0x6b00);
    expect(ext(token, EXT.GET_SETTING, 65).sw).toBe(0x6b00);
    expect(ext(token, EXT.PUT_SETTING, 3, 0, Uint8Array.from([0, 0, 1])).sw).toBe(0x6700);
  });
});

describe("extension factory reset", () => {
  it("waits for a press of OK, then wipes every slot, setting and the password", () => {
    const token = freshToken();
    const salt = parseTlvs(selectOath(token).data)[1].value;
    put(token, { name: "a", secret: key20 });
    const key = derivePasswordKey("pw", salt);
    const challenge = new Uint8Array(randomBytes(8));
    send(token, apdu(0, INS.SET_CODE, 0, 0, concat(tlv(TAG.KEY, concat([0x21], key)), tlv(TAG.CHALLENGE, challenge), tlv(TAG.RESPONSE, hmac(1, key, challenge)))));
    selectExtension(token);
    expect(ext(token, EXT.FACTORY_RESET, 0, 0).sw).toBe(0x6b00);
    const before = token.responses.length;
    expect(token.apdu(apdu(0x80, EXT.FACTORY_RESET, 0xde, 0xad))).toBeNull();
    token.advance(5000);
    expect(token.responses.length).toBe(before);
    token.press(BUTTON_OK);
    expect(hex(token.responses[before])).toBe("9000");
    expect(parseTlvs(selectOath(token).data).length).toBe(2); // no password any more
    expect(list(token).size).toBe(0);
  });

  it("without a press it times out (6982) after 30 s and changes nothing", () => {
    const token = freshToken();
    selectOath(token);
    put(token, { name: "kept", secret: key20 });
    selectExtension(token);
    const before = token.responses.length;
    expect(token.apdu(apdu(0x80, EXT.FACTORY_RESET, 0xde, 0xad))).toBeNull();
    token.advance(29_000);
    expect(token.responses.length).toBe(before);
    token.advance(1_100);
    expect(hex(token.responses[before])).toBe("6982");
    selectOath(token);
    expect([...list(token).keys()]).toEqual(["kept"]);
  });
});

describe("extension under the access password", () => {
  it("slot commands need VALIDATE; device info and the clock do not", () => {
    const token = freshToken();
    const salt = parseTlvs(selectOath(token).data)[1].value;
    const key = derivePasswordKey("pw", salt);
    const challenge = new Uint8Array(randomBytes(8));
    send(token, apdu(0, INS.SET_CODE, 0, 0, concat(tlv(TAG.KEY, concat([0x21], key)), tlv(TAG.CHALLENGE, challenge), tlv(TAG.RESPONSE, hmac(1, key, challenge)))));
    const select = parseTlvs(selectExtension(token).data);
    expect(select.map((f) => f.tag)).toEqual([0x79, 0x71, 0x74, 0x7b]);
    expect(ext(token, EXT.LIST_SLOTS).sw).toBe(0x6982);
    expect(ext(token, EXT.PUT_SLOT, 1, 0, putData({ name: "x", secret: key20 })).sw).toBe(0x6982);
    expect(ext(token, EXT.PUT_SETTING, 3, 0, Uint8Array.from([0, 0, 0, 1])).sw).toBe(0x6982);
    expect(ext(token, EXT.DEVICE_INFO).sw).toBe(0x9000);
    expect(ext(token, EXT.GET_CLOCK).sw).toBe(0x9000);
    const hostChallenge = new Uint8Array(randomBytes(8));
    const validated = send(token, apdu(0, INS.VALIDATE, 0, 0, concat(tlv(TAG.RESPONSE, hmac(1, key, select[2].value)), tlv(TAG.CHALLENGE, hostChallenge))));
    expect(validated.sw).toBe(0x9000);
    expect(ext(token, EXT.PUT_SLOT, 1, 0, putData({ name: "x", secret: key20 })).sw).toBe(0x9000);
    expect(slots(token).map((s) => s.name)).toEqual(["x"]);
  });
});
