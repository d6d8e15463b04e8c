// Vendor-HID replies longer than one 64-byte report on the emulated board. The module owns the
// buffer it hands apdu_response and wipes it as soon as the call returns (applets/apdu.ts), while
// the reply goes out one report per IN transfer: the firmware must send from its own copy. Checked
// with LIST and CALCULATE ALL over a dozen credentials (256 data bytes and SW1 SW2: five reports)
// against the same commands over CCID, with a host that acknowledges each report only after 15 ms
// (the loop ticks the module between reports), and with a CCID APDU answered between two reports.
// The copy is wiped once the reply is out.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createHmac } from "node:crypto";
import { EmulatedToken } from "../emulator/token.js";
import { firmwareSymbols } from "../emulator/elf.js";
import { CcidClient, EP_VENDOR, HID_FRAME_APDU, HidApduClient, hidFrames } from "../emulator/usb-client.js";
import { T0 } from "./ui-support.js";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

const SELECT = Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x07, 0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01);
const LIST = Uint8Array.of(0x00, 0xa1, 0x00, 0x00, 0x00);
const CREDENTIALS = 12;
const SLOW_ACK_US = 15_000; // longer than the loop's 10 ms tick
const KEY = Buffer.from("12345678901234567890");

const nameOf = (i: number): string => `long-reply-account-${String(i).padStart(2, "0")}`;

function put(i: number): Uint8Array {
  const name = Buffer.from(nameOf(i));
  const data = Buffer.concat([Buffer.from([0x71, name.length]), name, Buffer.from([0x73, KEY.length + 2, 0x21, 6]), KEY]);
  return Uint8Array.from(Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, data.length]), data]));
}

function calculateAll(timeStep: number): Uint8Array {
  const challenge = Buffer.alloc(8);
  challenge.writeBigUInt64BE(BigInt(timeStep));
  return Uint8Array.from(Buffer.concat([Buffer.from([0x00, 0xa4, 0x00, 0x01, 10, 0x74, 8]), challenge]));
}

/** RFC 4226 truncation of HMAC-SHA1(KEY, step): the 4-byte value CALCULATE ALL returns (truncated). */
function truncated(step: number): Buffer {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", KEY).update(counter).digest();
  const offset = mac[19] & 0x0f;
  return Buffer.from([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]]);
}

let token: EmulatedToken;
let ccid: CcidClient;
let hid: HidApduClient;
let slowHost = false;

/** All of a response: SEND REMAINING (0xA5) while the status word says 61xx (replies come in chunks
 *  of at most 256 data bytes). */
function wholeReply(transmit: (apdu: Uint8Array) => Uint8Array, apdu: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  let reply = Buffer.from(transmit(apdu));
  while (reply[reply.length - 2] === 0x61) {
    parts.push(reply.subarray(0, -2));
    reply = Buffer.from(transmit(Uint8Array.of(0x00, 0xa5, 0x00, 0x00, 0x00)));
  }
  parts.push(reply);
  return Buffer.concat(parts);
}
const viaCcid = (apdu: Uint8Array): Buffer => wholeReply((a) => ccid.transmit(a), apdu);
const viaHid = (apdu: Uint8Array): Buffer => wholeReply((a) => hid.transmit(a), apdu);

beforeAll(() => {
  token = new EmulatedToken({ rtcSeconds: T0 });
  // A host that acknowledges vendor IN reports late: the device learns a report went only after
  // SLOW_ACK_US (rp2040js itself completes an IN transfer as soon as the firmware arms it).
  const usbCtrl = token.board.rp2040.usbCtrl as unknown as { indicateBufferReady(endpoint: number, out: boolean): void };
  const ready = usbCtrl.indicateBufferReady.bind(usbCtrl);
  usbCtrl.indicateBufferReady = (endpoint, out) => {
    if (slowHost && endpoint === EP_VENDOR && !out) token.board.schedule(SLOW_ACK_US, () => ready(endpoint, out));
    else ready(endpoint, out);
  };
  ccid = new CcidClient(token.usb);
  hid = new HidApduClient(token.usb);
  ccid.powerOn();
  ccid.transmit(SELECT);
  for (let i = 0; i < CREDENTIALS; i++) expect(Buffer.from(ccid.transmit(put(i))).toString("hex")).toBe("9000");
});

describe("vendor-HID replies of several reports", () => {
  it("LIST over HID equals LIST over CCID, byte for byte", () => {
    const expected = viaCcid(LIST);
    expect(expected.subarray(-2).toString("hex")).toBe("9000");
    for (let i = 0; i < CREDENTIALS; i++) expect(expected.includes(Buffer.from(nameOf(i)))).toBe(true);
    expect(expected.length).toBeGreaterThan(256); // two chunks, of 5 and 1 reports over HID
    hid.transmit(SELECT);
    expect(viaHid(LIST).toString("hex")).toBe(expected.toString("hex"));
    // The firmware's copy is wiped once its last report is out.
    const copyAt = firmwareSymbols().get("vendor_reply")! - 0x20000000;
    expect(token.board.rp2040.sram.subarray(copyAt, copyAt + 258).every((byte) => byte === 0)).toBe(true);
  });

  it("CALCULATE ALL over HID, with the module ticking between reports, carries RFC 4226's values", () => {
    const step = Math.floor(T0 / 30);
    hid.transmit(SELECT);
    slowHost = true;
    const started = token.board.micros;
    const reply = viaHid(calculateAll(step));
    const elapsedUs = token.board.micros - started;
    slowHost = false;
    const reports = Math.ceil((258 - 61) / 63) + 1; // the first chunk: 256 data bytes + SW
    expect(reply.length).toBeGreaterThan(256);
    expect(elapsedUs).toBeGreaterThan((reports - 1) * SLOW_ACK_US); // ticks came between the reports
    expect(reply.subarray(-2).toString("hex")).toBe("9000");
    for (let i = 0; i < CREDENTIALS; i++) {
      const name = Buffer.from(nameOf(i));
      const entry = Buffer.concat([Buffer.from([0x71, name.length]), name, Buffer.from([0x76, 5, 6]), truncated(step)]);
      expect(reply.includes(entry), nameOf(i)).toBe(true);
    }
  });

  it("a CCID APDU answered between two HID reports leaves the HID reply whole", () => {
    hid.transmit(SELECT);
    ccid.transmit(SELECT);
    const expected = Buffer.from(ccid.transmit(LIST)); // the first chunk: 256 data bytes, 61xx
    expect(expected.length).toBe(258);
    hid.transmit(SELECT);
    slowHost = true;
    hid.sendReports(hidFrames(LIST));
    const first = token.usb.receiveIn(EP_VENDOR, 2_000_000);
    expect(first?.[0]).toBe(HID_FRAME_APDU);
    // The module writes (and then wipes) its reply buffer again for this one.
    expect(Buffer.from(ccid.transmit(SELECT)).subarray(-2).toString("hex")).toBe("9000");
    const total = (first![1] << 8) | first![2];
    const payload = [...first!.subarray(3, 3 + Math.min(61, total))];
    for (let sequence = 0; payload.length < total; sequence++) {
      const frame = token.usb.receiveIn(EP_VENDOR, 2_000_000);
      expect(frame?.[0]).toBe(sequence);
      payload.push(...frame!.subarray(1, 1 + Math.min(63, total - payload.length)));
    }
    slowHost = false;
    expect(Buffer.from(payload).toString("hex")).toBe(expected.toString("hex"));
  });
});
