// Bad input at the APDU entry: every case gets the status word docs/SPEC.md names and leaves the
// store (the flash bytes, and what LIST shows) exactly as it was.
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  apdu, send, put, selectOath, selectExtension, tlv, concat, utf8, hex, freshToken, putData, visibleState, swOf,
  TAG, INS, EXT, OATH_AID,
} from "./applet-kit.js";

type TokenT = ReturnType<typeof freshToken>;

const key20 = new Uint8Array(20).fill(7);
const flashDigest = (token: TokenT) => createHash("sha256").update(token.flash.bytes).digest("hex");

/** A token with two credentials, OATH selected. */
function prepared(): TokenT {
  const token = freshToken();
  selectOath(token);
  put(token, { name: "Issuer:one", secret: key20 });
  put(token, { name: "two", secret: key20, type: "hotp" });
  return token;
}

interface Case {
  what: string;
  command: Uint8Array | number[];
  sw: number;
  applet?: "oath" | "extension";
}

const bytes = (n: number, fill = 0x41) => new Uint8Array(n).fill(fill);
const calc = (name: Uint8Array) => concat(tlv(TAG.NAME, name), tlv(TAG.CHALLENGE, bytes(8, 1)));

const CASES: Case[] = [
  // Lengths (ISO 7816-4 5.1)
  { what: "empty APDU", command: [], sw: 0x6700 },
  { what: "1 byte", command: [0x00], sw: 0x6700 },
  { what: "3 bytes", command: [0x00, 0xa1, 0x00], sw: 0x6700 },
  { what: "Lc larger than the data", command: [0x00, 0x01, 0, 0, 10, 1, 2, 3], sw: 0x6700 },
  { what: "data beyond Lc and one Le byte", command: [0x00, 0x01, 0, 0, 2, 1, 2, 3, 4], sw: 0x6700 },
  { what: "6 bytes with a zero Lc byte", command: [0x00, 0xa1, 0, 0, 0, 0], sw: 0x6700 },
  { what: "extended Lc of 0 with data", command: [0x00, 0x01, 0, 0, 0, 0, 0, 1], sw: 0x6700 },
  { what: "extended Lc larger than the data", command: [0x00, 0x01, 0, 0, 0, 0x01, 0x00, 1, 2], sw: 0x6700 },
  { what: "extended Lc smaller than the data", command: [0x00, 0x01, 0, 0, 0, 0x00, 0x02, 1, 2, 3], sw: 0x6700 },
  // Classes and instructions
  { what: "CLA 84 (secure messaging)", command: [0x84, INS.LIST, 0, 0], sw: 0x6e00 },
  { what: "CLA FF", command: [0xff, INS.LIST, 0, 0], sw: 0x6e00 },
  { what: "CLA 01 (logical channel)", command: [0x01, INS.LIST, 0, 0], sw: 0x6e00 },
  { what: "command chaining (CLA 10)", command: apdu(0x10, INS.PUT, 0, 0, putData({ name: "x", secret: key20 })), sw: 0x6884 },
  { what: "proprietary CLA in YKOATH", command: [0x80, INS.LIST, 0, 0], sw: 0x6e00 },
  { what: "unknown INS 50", command: [0x00, 0x50, 0, 0], sw: 0x6d00 },
  { what: "unknown extension INS 99", command: [0x80, 0x99, 0, 0], sw: 0x6d00, applet: "extension" },
  { what: "YKOATH CLA in the extension", command: [0x00, EXT.LIST_SLOTS, 0, 0], sw: 0x6e00, applet: "extension" },
  // P1/P2
  { what: "LIST with P1 1", command: [0x00, INS.LIST, 1, 0], sw: 0x6b00 },
  { what: "CALCULATE with P2 2", command: apdu(0, INS.CALCULATE, 0, 2, calc(utf8("two"))), sw: 0x6b00 },
  { what: "CALCULATE ALL with P1 1", command: apdu(0, INS.CALCULATE_ALL, 1, 1, tlv(TAG.CHALLENGE, bytes(8))), sw: 0x6b00 },
  { what: "RESET without DE AD", command: [0x00, INS.RESET, 0xde, 0xae], sw: 0x6b00 },
  { what: "SELECT with P2 0C", command: apdu(0, 0xa4, 4, 0x0c, OATH_AID), sw: 0x6b00 },
  { what: "PUT with P1 1", command: apdu(0, INS.PUT, 1, 0, putData({ name: "x", secret: key20 })), sw: 0x6b00 },
  { what: "SEND REMAINING with P1 1", command: [0x00, INS.SEND_REMAINING, 1, 0], sw: 0x6b00 },
  { what: "extension PUT SLOT 100", command: apdu(0x80, EXT.PUT_SLOT, 100, 0, putData({ name: "x", secret: key20 })), sw: 0x6b00, applet: "extension" },
  { what: "extension MOVE to 200", command: [0x80, EXT.MOVE_SLOT, 0, 200], sw: 0x6b00, applet: "extension" },
  { what: "extension FACTORY RESET without DE AD", command: [0x80, EXT.FACTORY_RESET, 0, 0], sw: 0x6b00, applet: "extension" },
  { what: "extension unknown setting id", command: apdu(0x80, EXT.PUT_SETTING, 99, 0, bytes(4, 0)), sw: 0x6b00, applet: "extension" },
  // Malformed TLVs
  { what: "TLV length past the end", command: apdu(0, INS.PUT, 0, 0, Uint8Array.from([0x71, 0x10, 0x41])), sw: 0x6a80 },
  { what: "TLV cut after the tag", command: apdu(0, INS.DELETE, 0, 0, Uint8Array.from([0x71])), sw: 0x6a80 },
  { what: "TLV length form 83", command: apdu(0, INS.DELETE, 0, 0, Uint8Array.from([0x71, 0x83, 0, 0, 1, 0x41])), sw: 0x6a80 },
  { what: "TLV length 81 below 128 (not minimal)", command: apdu(0, INS.DELETE, 0, 0, Uint8Array.from([0x71, 0x81, 0x03, 0x74, 0x77, 0x6f])), sw: 0x6a80 },
  { what: "unknown tag", command: apdu(0, INS.PUT, 0, 0, concat(putData({ name: "x", secret: key20 }), tlv(0x55, [1]))), sw: 0x6a80 },
  { what: "key tag twice", command: apdu(0, INS.PUT, 0, 0, concat(putData({ name: "x", secret: key20 }), tlv(TAG.KEY, [0x21, 6, 1]))), sw: 0x6a80 },
  { what: "name missing from PUT", command: apdu(0, INS.PUT, 0, 0, tlv(TAG.KEY, [0x21, 6, 1, 2])), sw: 0x6a80 },
  { what: "property with an unknown bit", command: apdu(0, INS.PUT, 0, 0, concat(putData({ name: "x", secret: key20 }), [TAG.PROPERTY, 0x01])), sw: 0x6a80 },
  { what: "property tag with no value byte", command: apdu(0, INS.PUT, 0, 0, concat(putData({ name: "x", secret: key20 }), [TAG.PROPERTY])), sw: 0x6a80 },
  { what: "IMF on a TOTP credential", command: apdu(0, INS.PUT, 0, 0, concat(putData({ name: "x", secret: key20 }), tlv(TAG.IMF, [0, 0, 0, 1]))), sw: 0x6a80 },
  { what: "IMF of 3 bytes", command: apdu(0, INS.PUT, 0, 0, concat(putData({ name: "x", secret: key20, type: "hotp" }), tlv(TAG.IMF, [0, 0, 1]))), sw: 0x6a80 },
  { what: "three names in RENAME", command: apdu(0, INS.RENAME, 0, 0, concat(tlv(TAG.NAME, utf8("two")), tlv(TAG.NAME, utf8("a")), tlv(TAG.NAME, utf8("b")))), sw: 0x6a80 },
  { what: "CALCULATE without a challenge", command: apdu(0, INS.CALCULATE, 0, 1, tlv(TAG.NAME, utf8("two"))), sw: 0x6a80 },
  { what: "CALCULATE with a 65-byte challenge", command: apdu(0, INS.CALCULATE, 0, 1, concat(tlv(TAG.NAME, utf8("two")), tlv(TAG.CHALLENGE, bytes(65)))), sw: 0x6a80 },
  { what: "LIST with data", command: apdu(0, INS.LIST, 0, 0, Uint8Array.from([1])), sw: 0x6a80 },
  // Names and keys
  { what: "name of 65 bytes", command: apdu(0, INS.PUT, 0, 0, putData({ name: "n".repeat(65), secret: key20 })), sw: 0x6a80 },
  { what: "empty name", command: apdu(0, INS.PUT, 0, 0, putData({ name: "", secret: key20 })), sw: 0x6a80 },
  { what: "name not UTF-8", command: apdu(0, INS.PUT, 0, 0, concat(tlv(TAG.NAME, [0xff, 0xfe]), tlv(TAG.KEY, [0x21, 6, 1]))), sw: 0x6a80 },
  { what: "key of 0 bytes", command: apdu(0, INS.PUT, 0, 0, putData({ name: "x", secret: new Uint8Array(0) })), sw: 0x6a80 },
  { what: "key of 129 bytes", command: apdu(0, INS.PUT, 0, 0, putData({ name: "x", secret: bytes(129) })), sw: 0x6a80 },
  { what: "key TLV without digits", command: apdu(0, INS.PUT, 0, 0, concat(tlv(TAG.NAME, utf8("x")), tlv(TAG.KEY, [0x21]))), sw: 0x6a80 },
  { what: "algorithm 4", command: apdu(0, INS.PUT, 0, 0, concat(tlv(TAG.NAME, utf8("x")), tlv(TAG.KEY, [0x24, 6, 1, 2]))), sw: 0x6a80 },
  { what: "type nibble 3", command: apdu(0, INS.PUT, 0, 0, concat(tlv(TAG.NAME, utf8("x")), tlv(TAG.KEY, [0x31, 6, 1, 2]))), sw: 0x6a80 },
  { what: "3 digits", command: apdu(0, INS.PUT, 0, 0, putData({ name: "x", secret: key20, digits: 3 })), sw: 0x6a80 },
  { what: "11 digits", command: apdu(0, INS.PUT, 0, 0, putData({ name: "x", secret: key20, digits: 11 })), sw: 0x6a80 },
  { what: "period prefix 0", command: apdu(0, INS.PUT, 0, 0, putData({ name: "0/x", secret: key20 })), sw: 0x6a80 },
  { what: "CALCULATE of a name over 64 bytes", command: apdu(0, INS.CALCULATE, 0, 1, calc(bytes(65))), sw: 0x6a80 },
  { what: "DELETE of an unknown name", command: apdu(0, INS.DELETE, 0, 0, tlv(TAG.NAME, utf8("nobody"))), sw: 0x6984 },
  { what: "CALCULATE of an unknown name", command: apdu(0, INS.CALCULATE, 0, 1, calc(utf8("nobody"))), sw: 0x6984 },
  { what: "RENAME onto an existing name", command: apdu(0, INS.RENAME, 0, 0, concat(tlv(TAG.NAME, utf8("two")), tlv(TAG.NAME, utf8("Issuer:one")))), sw: 0x6a89 },
  // State
  { what: "SEND REMAINING with nothing pending", command: [0x00, INS.SEND_REMAINING, 0, 0], sw: 0x6985 },
  { what: "GET RESPONSE with nothing pending", command: [0x00, 0xc0, 0, 0], sw: 0x6985 },
  { what: "VALIDATE without a password", command: apdu(0, INS.VALIDATE, 0, 0, concat(tlv(TAG.RESPONSE, bytes(20)), tlv(TAG.CHALLENGE, bytes(8)))), sw: 0x6984 },
  { what: "SET CODE without a proof", command: apdu(0, INS.SET_CODE, 0, 0, tlv(TAG.KEY, concat([0x21], bytes(16)))), sw: 0x6a80 },
  { what: "SET CODE with algorithm 5", command: apdu(0, INS.SET_CODE, 0, 0, concat(tlv(TAG.KEY, concat([0x25], bytes(16))), tlv(TAG.CHALLENGE, bytes(8)), tlv(TAG.RESPONSE, bytes(20)))), sw: 0x6a80 },
  { what: "SELECT of an unknown AID", command: apdu(0, 0xa4, 4, 0, Uint8Array.from([0xd2, 0x76, 0, 1, 0x24, 1])), sw: 0x6a82 },
  { what: "extension SET CLOCK of 7 bytes", command: apdu(0x80, EXT.SET_CLOCK, 0, 0, bytes(7, 0)), sw: 0x6700, applet: "extension" },
  { what: "extension DELETE SLOT of an empty slot", command: [0x80, EXT.DELETE_SLOT, 50, 0], sw: 0x6984, applet: "extension" },
  { what: "extension PUT SLOT with a period of 0", command: apdu(0x80, EXT.PUT_SLOT, 5, 0, concat(putData({ name: "p", secret: key20 }), tlv(TAG.PERIOD, [0]))), sw: 0x6a80, applet: "extension" },
  { what: "extension PUT SLOT with a 2-byte period", command: apdu(0x80, EXT.PUT_SLOT, 5, 0, concat(putData({ name: "p", secret: key20 }), tlv(TAG.PERIOD, [0, 30]))), sw: 0x6a80, applet: "extension" },
  { what: "extension PUT SLOT of a name slot 0 holds", command: apdu(0x80, EXT.PUT_SLOT, 5, 0, putData({ name: "Issuer:one", secret: key20 })), sw: 0x6a89, applet: "extension" },
  { what: "extension MOVE onto a used slot", command: [0x80, EXT.MOVE_SLOT, 0, 1], sw: 0x6985, applet: "extension" },
  { what: "extension DEVICE INFO with data", command: apdu(0x80, EXT.DEVICE_INFO, 0, 0, bytes(1)), sw: 0x6a80, applet: "extension" },
];

describe("negative suite: defined status words, store unchanged", () => {
  for (const c of CASES) {
    it(`${c.what} -> ${c.sw.toString(16)}`, () => {
      const token = prepared();
      selectExtension(token);
      const before = visibleState(token); // through the extension applet's slot list
      if (c.applet === "extension") selectExtension(token);
      else selectOath(token);
      const flashBefore = flashDigest(token);
      const response = token.apdu(Uint8Array.from(c.command));
      expect(response).not.toBeNull();
      expect(response!.length).toBe(2); // errors carry no data
      expect(swOf(response!).toString(16)).toBe(c.sw.toString(16));
      expect(flashDigest(token)).toBe(flashBefore);
      selectExtension(token);
      expect(visibleState(token)).toBe(before);
    });
  }

  it("an APDU longer than the module's buffer is refused with 6700", () => {
    const token = prepared();
    const flashBefore = flashDigest(token);
    const before = token.responses.length;
    token.exports.apdu(token.exports.apdu_capacity() + 1);
    expect(hex(token.responses[before])).toBe("6700");
    expect(flashDigest(token)).toBe(flashBefore);
  });

  it("an extended APDU up to the buffer size is parsed (a PUT with a 900-byte body is refused as data, not length)", () => {
    const token = prepared();
    const data = concat(putData({ name: "big", secret: key20 }), tlv(0x55, bytes(900)));
    expect(send(token, apdu(0, INS.PUT, 0, 0, data)).sw).toBe(0x6a80);
    expect(send(token, apdu(0, INS.PUT, 0, 0, putData({ name: "ext", secret: key20 }), 65536)).sw).toBe(0x9000);
  });

  it("a 101st credential is refused with 6A84 and the 100 stay", () => {
    const token = freshToken();
    selectOath(token);
    for (let i = 0; i < 100; i++) expect(put(token, { name: `n${i}`, secret: key20 }).sw).toBe(0x9000);
    selectExtension(token);
    const before = visibleState(token);
    selectOath(token);
    const flashBefore = flashDigest(token);
    expect(put(token, { name: "n100", secret: key20 }).sw).toBe(0x6a84);
    expect(flashDigest(token)).toBe(flashBefore);
    selectExtension(token);
    expect(visibleState(token)).toBe(before);
    expect(send(token, apdu(0x80, EXT.PUT_SLOT, 0, 0, putData({ name: "n100", secret: key20 }))).sw).toBe(0x9000); // overwrite of a used slot still fits
  });

  it("a locked token refuses with 6982 and changes nothing", () => {
    const token = prepared();
    const salt = [...send(token, apdu(0, 0xa4, 4, 0, OATH_AID)).data.subarray(7, 15)];
    // Set a password (proof computed with node:crypto).
    const { createHmac } = require("node:crypto") as typeof import("node:crypto");
    const key = bytes(16, 9);
    const challenge = bytes(8, 3);
    expect(send(token, apdu(0, INS.SET_CODE, 0, 0, concat(tlv(TAG.KEY, concat([0x21], key)), tlv(TAG.CHALLENGE, challenge),
      tlv(TAG.RESPONSE, new Uint8Array(createHmac("sha1", key).update(challenge).digest()))))).sw).toBe(0x9000);
    expect(salt.length).toBe(8);
    selectOath(token);
    const flashBefore = flashDigest(token);
    for (const command of [apdu(0, INS.PUT, 0, 0, putData({ name: "x", secret: key20 })), apdu(0, INS.DELETE, 0, 0, tlv(TAG.NAME, utf8("two"))),
      apdu(0, INS.RENAME, 0, 0, concat(tlv(TAG.NAME, utf8("two")), tlv(TAG.NAME, utf8("three")))), apdu(0, INS.SET_CODE, 0, 0, tlv(TAG.KEY, []))]) {
      expect(hex(token.apdu(command)!)).toBe("6982");
    }
    expect(flashDigest(token)).toBe(flashBefore);
  });
});
