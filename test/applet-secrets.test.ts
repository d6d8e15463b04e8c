// Write-only secrets: marker secrets are planted through both applets, then every command of both
// applets runs (successes, errors, chained replies, touch replies and timeouts); no reply, log line,
// keyboard report or display frame may hold 4 consecutive marker bytes, and after the commands no
// copy is left in the module's RAM either.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { BUTTON_OK } from "../host-sim/token.js";
import {
  apdu, concat, tlv, utf8, freshToken, putData, selectOath, selectExtension, send, TAG, INS, EXT, OATH_AID, EXTENSION_AID,
  counterBytes, hmac, AlgorithmId,
} from "./applet-kit.js";

const WINDOW = 4;
/** Marker secrets: a 128-byte one (SHA-512 block size) and a 20-byte one, patterned to be unmistakable. */
const MARKER_LONG = Uint8Array.from({ length: 128 }, (_, i) => 0xc3 ^ ((i * 37) & 0xff));
const MARKER_SHORT = Uint8Array.from({ length: 20 }, (_, i) => 0x3c ^ ((i * 91) & 0xff));

function windows(marker: Uint8Array): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + WINDOW <= marker.length; i++) out.add(Buffer.from(marker.subarray(i, i + WINDOW)).toString("hex"));
  return out;
}
const MARKER_WINDOWS = new Set([...windows(MARKER_LONG), ...windows(MARKER_SHORT)]);

function leaks(bytes: Uint8Array): number {
  let found = 0;
  for (let i = 0; i + WINDOW <= bytes.length; i++) {
    if (MARKER_WINDOWS.has(Buffer.from(bytes.subarray(i, i + WINDOW)).toString("hex"))) found++;
  }
  return found;
}

describe("write-only secrets", () => {
  it("the scan finds marker bytes when they are there (so it can fail)", () => {
    expect(leaks(concat([1, 2], MARKER_SHORT.subarray(3, 9), [3]))).toBeGreaterThan(0);
    expect(leaks(new Uint8Array(randomBytes(4096)))).toBe(0);
  });

  it("no reply of any command, error or chained reply carries marker bytes; none stay in RAM", () => {
    const token = freshToken();
    const t = (command: Uint8Array) => send(token, command);
    // Plant: YKOATH PUT (TOTP SHA-512 128-byte, HOTP touch), extension PUT SLOT, and fillers to 100.
    selectOath(token);
    expect(t(apdu(0, INS.PUT, 0, 0, putData({ name: "marker:long", secret: MARKER_LONG, algorithm: 3, digits: 8 }))).sw).toBe(0x9000);
    expect(t(apdu(0, INS.PUT, 0, 0, putData({ name: "marker:hotp", secret: MARKER_SHORT, type: "hotp", touch: true, counter: 5 }))).sw).toBe(0x9000);
    selectExtension(token);
    expect(t(apdu(0x80, EXT.PUT_SLOT, 77, 0, concat(putData({ name: "marker:slot", secret: MARKER_SHORT, touch: true }), tlv(TAG.PERIOD, [60])))).sw).toBe(0x9000);
    selectOath(token);
    for (let i = 0; i < 97; i++) {
      expect(t(apdu(0, INS.PUT, 0, 0, putData({ name: `filler ${i} ${"-".repeat(40)}`, secret: MARKER_SHORT.subarray(0, 10 + (i % 10)) }))).sw).toBe(0x9000);
    }
    const raw: Uint8Array[] = [];
    const run = (command: Uint8Array, sendRemaining: number = INS.SEND_REMAINING) => {
      const before = token.responses.length;
      const response = token.apdu(command);
      if (response === null) {
        token.advance(500);
        token.press(BUTTON_OK);
      }
      let last = token.responses[token.responses.length - 1];
      raw.push(...token.responses.slice(before));
      while (last[last.length - 2] === 0x61) {
        last = token.apdu(Uint8Array.from([0, sendRemaining, 0, 0]))!;
        raw.push(last);
      }
    };
    const names = ["marker:long", "marker:hotp", "marker:slot", "filler 3 " + "-".repeat(40)];
    const challenge = counterBytes(56_666_666n);
    // Every YKOATH command, good and bad.
    run(apdu(0, 0xa4, 4, 0, OATH_AID));
    run(apdu(0, INS.LIST, 0, 0));
    run(apdu(0, INS.LIST, 0, 0), 0xc0);
    for (const p2 of [0, 1]) {
      run(apdu(0, INS.CALCULATE_ALL, 0, p2, tlv(TAG.CHALLENGE, challenge)));
      for (const name of names) run(apdu(0, INS.CALCULATE, 0, p2, concat(tlv(TAG.NAME, utf8(name)), tlv(TAG.CHALLENGE, challenge))));
    }
    // The module's full response for the long marker is the HMAC, not the key.
    const full = send(token, apdu(0, INS.CALCULATE, 0, 0, concat(tlv(TAG.NAME, utf8("marker:long")), tlv(TAG.CHALLENGE, challenge))));
    expect(Buffer.from(full.data.subarray(3)).toString("hex")).toBe(Buffer.from(hmac(3, MARKER_LONG, challenge)).toString("hex"));
    run(apdu(0, INS.PUT, 0, 0, putData({ name: "marker:long", secret: MARKER_LONG, algorithm: 4 as AlgorithmId }))); // refused (no such algorithm)
    run(apdu(0, INS.PUT, 0, 0, putData({ name: "extra", secret: MARKER_LONG }))); // full: 6A84
    run(apdu(0, INS.PUT, 0, 0, concat(putData({ name: "marker:long", secret: MARKER_LONG }), tlv(0x55, [1])))); // malformed
    run(apdu(0, INS.RENAME, 0, 0, concat(tlv(TAG.NAME, utf8("marker:long")), tlv(TAG.NAME, utf8("marker:renamed")))));
    run(apdu(0, INS.DELETE, 0, 0, tlv(TAG.NAME, utf8("nobody"))));
    run(apdu(0, INS.VALIDATE, 0, 0, concat(tlv(TAG.RESPONSE, MARKER_SHORT.subarray(0, 3)), tlv(TAG.CHALLENGE, [1]))));
    run(apdu(0, INS.SEND_REMAINING, 0, 0));
    run(Uint8Array.from([0, INS.PUT, 0, 0, 200, ...MARKER_LONG.subarray(0, 10)])); // wrong length
    // Extension: every command.
    run(apdu(0, 0xa4, 4, 0, EXTENSION_AID));
    run(apdu(0x80, EXT.LIST_SLOTS, 0, 0));
    run(apdu(0x80, EXT.DEVICE_INFO, 0, 0));
    run(apdu(0x80, EXT.GET_CLOCK, 0, 0));
    run(apdu(0x80, EXT.SET_CLOCK, 0, 0, counterBytes(1_700_000_100n)));
    run(apdu(0x80, EXT.PUT_SETTING, 3, 0, Uint8Array.from([0, 0, 0, 1])));
    run(apdu(0x80, EXT.GET_SETTING, 3, 0));
    run(apdu(0x80, EXT.MOVE_SLOT, 77, 78));
    run(apdu(0x80, EXT.PUT_SLOT, 78, 0, putData({ name: "marker:slot", secret: MARKER_LONG, digits: 11 }))); // refused
    run(apdu(0x80, EXT.DELETE_SLOT, 99, 0));
    // A password: SELECT challenge, VALIDATE, locked replies.
    selectOath(token);
    const key = new Uint8Array(randomBytes(16));
    const proof = new Uint8Array(randomBytes(8));
    run(apdu(0, INS.SET_CODE, 0, 0, concat(tlv(TAG.KEY, concat([0x21], key)), tlv(TAG.CHALLENGE, proof), tlv(TAG.RESPONSE, hmac(1, key, proof)))));
    run(apdu(0, 0xa4, 4, 0, OATH_AID));
    run(apdu(0, INS.LIST, 0, 0));
    run(apdu(0, INS.CALCULATE_ALL, 0, 1, tlv(TAG.CHALLENGE, challenge)));
    // RESET, then the factory reset (refused in YKOATH, then confirmed by a press in the extension).
    run(apdu(0, INS.RESET, 0xde, 0xad));
    run(apdu(0x80, EXT.FACTORY_RESET, 0xde, 0xad));
    selectExtension(token);
    run(apdu(0x80, EXT.FACTORY_RESET, 0xde, 0xad));

    expect(raw.length).toBeGreaterThan(60);
    const leaked = raw.reduce((n, r) => n + leaks(r), 0);
    expect(leaked).toBe(0);
    expect(token.logs.reduce((n, l) => n + leaks(utf8(l.text)), 0)).toBe(0);
    expect(token.keyboardReports.reduce((n, r) => n + leaks(r), 0)).toBe(0);
    if (token.lastFrame !== null) expect(leaks(token.lastFrame.pixels)).toBe(0);
  });

  it("after planting and using secrets, no copy stays in the module's RAM", () => {
    const token = freshToken();
    selectOath(token);
    send(token, apdu(0, INS.PUT, 0, 0, putData({ name: "m1", secret: MARKER_LONG, algorithm: 3 })));
    send(token, apdu(0, INS.PUT, 0, 0, putData({ name: "m2", secret: MARKER_SHORT, type: "hotp" })));
    selectExtension(token);
    send(token, apdu(0x80, EXT.PUT_SLOT, 50, 0, putData({ name: "m3", secret: MARKER_SHORT })));
    selectOath(token);
    send(token, apdu(0, INS.CALCULATE_ALL, 0, 0, tlv(TAG.CHALLENGE, counterBytes(1))));
    send(token, apdu(0, INS.CALCULATE, 0, 0, concat(tlv(TAG.NAME, utf8("m2")), tlv(TAG.CHALLENGE, []))));
    token.advance(1000);
    expect(leaks(new Uint8Array(token.exports.memory.buffer))).toBe(0);
  });
});
