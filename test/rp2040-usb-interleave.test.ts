// CCID and the vendor HID interface at the same time on the emulated board. The firmware keeps no
// command buffer of its own: one interface at a time assembles its command in the module's APDU
// buffer, and the other's first packet waits un-acknowledged meanwhile. Checked here: commands
// sent on both at once (a 1040-byte extended APDU among them) all get their own answers, with
// codes against RFC 4226 (node:crypto) and long answers against the same command sent alone; the
// bounds (1040 + 1 bytes is refused with an error on both); a host that stops mid-message does not
// lock the other interface out; an abandoned or refused command leaves no copy in RAM; while a
// command waits for a press the other interface gets busy; a HID command waiting for a press is
// answered 6F00 when a CCID power-on drops it.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createHmac, randomBytes } from "node:crypto";
import { EmulatedToken } from "../emulator/token.js";
import {
  CcidClient, CcidReply, EP_CCID, EP_VENDOR, HID_FRAME_APDU, HID_FRAME_ERROR, HidApduClient, ccidMessage, hidFrames,
} from "../emulator/usb-client.js";
import { T0 } from "./ui-support.js";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

const SELECT = Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x07, 0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01);
const KEY = Buffer.from("12345678901234567890");
const LONG_NAME = "a-name-of-sixty-four-bytes-to-make-a-put-span-several-hid-frames";
const LONG_KEY = Buffer.from("3132333435363738393031323334353637383930313233343536373839303132", "hex");
const MAX_APDU_BYTES = 1040;
const BUTTON_OK = 2;

let token: EmulatedToken;
let ccid: CcidClient;
let hid: HidApduClient;
let ccidSequence = 0x40;

function put(name: string, key: Buffer, touch = false): Uint8Array {
  const nameBytes = Buffer.from(name);
  const data = Buffer.concat([
    Buffer.from([0x71, nameBytes.length]), nameBytes, Buffer.from([0x73, key.length + 2, 0x21, 6]), key,
    touch ? Buffer.from([0x78, 0x02]) : Buffer.alloc(0),
  ]);
  // Extended form (00 LcHi LcLo), as a host with long data would send it.
  return Uint8Array.from(Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x00, data.length >> 8, data.length & 0xff]), data]));
}

function calculate(name: string, step: number): Uint8Array {
  const nameBytes = Buffer.from(name);
  const challenge = Buffer.alloc(8);
  challenge.writeBigUInt64BE(BigInt(step));
  const data = Buffer.concat([Buffer.from([0x71, nameBytes.length]), nameBytes, Buffer.from([0x74, 8]), challenge]);
  return Uint8Array.from(Buffer.concat([Buffer.from([0x00, 0xa2, 0x00, 0x01, data.length]), data]));
}

/** CALCULATE's truncated reply (76 05 06 code(4) 90 00) from RFC 4226's truncation of HMAC-SHA1. */
function expectedCalculate(key: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[19] & 0x0f;
  const code = [mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]];
  return Buffer.from([0x76, 5, 6, ...code, 0x90, 0x00]).toString("hex");
}

function packets(message: Uint8Array): Uint8Array[] {
  const list: Uint8Array[] = [];
  for (let at = 0; at < message.length; at += 64) list.push(message.slice(at, at + 64));
  return list;
}

/** Feeds every stream's packets, each as soon as the firmware arms its endpoint, round-robin (so a
 *  packet goes whenever its endpoint takes one); returns the endpoints in the order taken. */
function pump(streams: Array<{ endpoint: number; packets: Uint8Array[] }>, timeoutUs = 5_000_000): number[] {
  const order: number[] = [];
  const deadline = token.board.micros + timeoutUs;
  const left = () => streams.some((stream) => stream.packets.length > 0);
  while (left()) {
    const ready = () => streams.some((stream) => stream.packets.length > 0 && token.usb.outArmed(stream.endpoint));
    if (!token.board.run(Math.max(0, deadline - token.board.micros), ready)) throw new Error(`pump: stuck, taken ${order.join(",")}`);
    for (const stream of streams) {
      if (stream.packets.length === 0 || !token.usb.outArmed(stream.endpoint)) continue;
      if (!token.usb.sendOut(stream.endpoint, stream.packets.shift()!, { timeoutUs: 1_000 })) throw new Error("pump: not taken");
      order.push(stream.endpoint);
    }
  }
  return order;
}

/** The final CCID reply (time extensions skipped). */
function ccidReply(timeoutUs = 3_000_000): CcidReply {
  for (;;) {
    const reply = ccid.readReply(timeoutUs);
    if ((reply.status & 0xc0) !== 0x80) return reply;
  }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const xfr = (apdu: Uint8Array): Uint8Array => ccidMessage(0x6f, ccidSequence++ & 0xff, apdu);

/** Whether the board's SRAM holds `pattern` anywhere (the module's memory included). */
function inRam(pattern: Buffer): boolean {
  return Buffer.from(token.board.rp2040.sram.buffer, token.board.rp2040.sram.byteOffset, token.board.rp2040.sram.length).includes(pattern);
}

function expectHidError(code: number): void {
  const reply = hid.readMessage();
  expect(reply.command).toBe(HID_FRAME_ERROR);
  expect([...reply.payload]).toEqual([code]);
}

beforeAll(() => {
  token = new EmulatedToken({ rtcSeconds: T0 });
  ccid = new CcidClient(token.usb);
  hid = new HidApduClient(token.usb);
  ccid.powerOn();
  expect(hex(ccid.transmit(SELECT)).slice(-4)).toBe("9000");
  expect(hex(ccid.transmit(put("plain", KEY)))).toBe("9000");
  expect(hex(ccid.transmit(put("touch", KEY, true)))).toBe("9000");
  expect(hex(hid.transmit(SELECT)).slice(-4)).toBe("9000");
});

describe("CCID and HID at the same time", () => {
  it("a HID command and a CCID command sent at once both get their own answers", () => {
    const hidStep = 1000, ccidStep = 2000;
    const sequence = ccidSequence;
    pump([
      { endpoint: EP_VENDOR, packets: hidFrames(calculate("plain", hidStep)) },
      { endpoint: EP_CCID, packets: packets(xfr(calculate("plain", ccidStep))) },
    ]);
    const fromCcid = ccidReply();
    expect(fromCcid.sequence).toBe(sequence);
    expect(hex(fromCcid.data)).toBe(expectedCalculate(KEY, ccidStep));
    const fromHid = hid.readMessage();
    expect(fromHid.command).toBe(HID_FRAME_APDU);
    expect(hex(fromHid.payload)).toBe(expectedCalculate(KEY, hidStep));
  });

  it("a 1040-byte extended APDU over CCID while HID frames arrive: each answer as if sent alone", () => {
    const long = new Uint8Array(MAX_APDU_BYTES);
    long.set([0x00, 0x01, 0x00, 0x00, 0x00, (MAX_APDU_BYTES - 7) >> 8, (MAX_APDU_BYTES - 7) & 0xff]);
    long.set(randomBytes(MAX_APDU_BYTES - 7), 7);
    const alone = hex(ccid.transmit(long));
    expect(alone.length).toBe(4); // a status word: no credential is that long
    const step = 3000;
    const order = pump([
      { endpoint: EP_CCID, packets: packets(xfr(long)) },
      { endpoint: EP_VENDOR, packets: [...hidFrames(calculate("plain", step)), ...hidFrames(SELECT)] },
    ]);
    // The HID frames were taken while the CCID message was still coming in.
    expect(order.indexOf(EP_VENDOR)).toBeLessThan(order.lastIndexOf(EP_CCID));
    expect(hex(ccidReply().data)).toBe(alone);
    const first = hid.readMessage();
    expect(hex(first.payload)).toBe(expectedCalculate(KEY, step));
    const second = hid.readMessage();
    expect(second.command).toBe(HID_FRAME_APDU);
    expect(hex(second.payload).slice(-4)).toBe("9000");
  });

  it("a HID command of several frames while CCID sends: slot status at once, the APDU after it", () => {
    const command = put(LONG_NAME, LONG_KEY);
    const frames = hidFrames(command);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    const step = 4000;
    // The first frame is in: the HID interface is writing the module's buffer now.
    pump([{ endpoint: EP_VENDOR, packets: frames.slice(0, 1) }]);
    token.board.run(5_000);
    const status = ccid.exchange(0x65); // GetSlotStatus needs no buffer: answered meanwhile
    expect(status.type).toBe(0x81);
    expect(status.status & 0x40).toBe(0);
    const sequence = ccidSequence;
    const order = pump([
      { endpoint: EP_CCID, packets: packets(xfr(calculate("plain", step))) },
      { endpoint: EP_VENDOR, packets: frames.slice(1) },
    ]);
    // The CCID packet was taken before the last HID frame, and answered only after the HID command.
    expect(order.indexOf(EP_CCID)).toBeLessThan(order.lastIndexOf(EP_VENDOR));
    const fromHid = hid.readMessage();
    expect(hex(fromHid.payload)).toBe("9000");
    const fromCcid = ccidReply();
    expect(fromCcid.sequence).toBe(sequence);
    expect(hex(fromCcid.data)).toBe(expectedCalculate(KEY, step));
    // The HID command arrived whole: its credential computes RFC 4226's value.
    expect(hex(ccid.transmit(calculate(LONG_NAME, step)))).toBe(expectedCalculate(LONG_KEY, step));
  });
});

describe("bounds and abandoned commands", () => {
  it("refuses a 1040 + 1-byte command on CCID and on HID with an error, and carries on", () => {
    const over = new Uint8Array(MAX_APDU_BYTES + 1);
    const pattern = randomBytes(48);
    over.set(pattern, 100);
    const refused = ccid.exchangeRaw(xfr(over));
    expect(refused.type).toBe(0x81);
    expect(refused.status & 0x40).toBe(0x40);
    expect(refused.error).toBe(1); // dwLength
    hid.sendReports(hidFrames(over).slice(0, 1)); // its length field says 1041
    expectHidError(0x02);
    expect(inRam(pattern)).toBe(false);
    expect(hex(ccid.transmit(SELECT)).slice(-4)).toBe("9000");
    expect(hex(hid.transmit(SELECT)).slice(-4)).toBe("9000");
  });

  it("a partial HID command replaced by a new one leaves no copy in RAM", () => {
    const command = new Uint8Array(200);
    const pattern = randomBytes(56);
    command.set(pattern, 2);
    hid.sendReports(hidFrames(command).slice(0, 1));
    token.board.run(5_000);
    expect(inRam(pattern)).toBe(true); // in the module's buffer, the only copy
    expect(hex(hid.transmit(SELECT)).slice(-4)).toBe("9000");
    expect(inRam(pattern)).toBe(false);
  });

  it("a HID host that stops mid-message frees the buffer for CCID after a second", () => {
    const command = new Uint8Array(300);
    const pattern = randomBytes(56);
    command.set(pattern, 2);
    const frames = hidFrames(command);
    hid.sendReports(frames.slice(0, 1));
    token.board.run(5_000); // the firmware takes it (else both packets could arrive in one poll, CCID first)
    const step = 5000;
    const started = token.board.micros;
    const reply = ccid.exchangeRaw(xfr(calculate("plain", step)), 3_000_000);
    expect(token.board.micros - started).toBeGreaterThan(900_000); // held back until the timeout
    expect(hex(reply.data)).toBe(expectedCalculate(KEY, step));
    expect(inRam(pattern)).toBe(false);
    hid.sendReports(frames.slice(1, 2)); // too late: no message is being received
    expectHidError(0x03);
    expect(hex(hid.transmit(SELECT)).slice(-4)).toBe("9000");
  });

  it("a CCID command waiting for a press: a long HID command meanwhile gets busy, the CCID answer stays whole", () => {
    const step = 7000;
    const sequence = ccidSequence;
    if (!token.usb.sendOut(EP_CCID, xfr(calculate("touch", step)))) throw new Error("CCID message not taken");
    token.board.run(50_000);
    // The module keeps nothing in its buffer while it waits: the HID command is written there in
    // full, then refused (one APDU in flight).
    const pattern = randomBytes(56);
    const command = new Uint8Array(300);
    command.set(pattern, 100);
    hid.sendReports(hidFrames(command));
    expectHidError(0x04);
    expect(inRam(pattern)).toBe(false); // and wiped
    token.board.schedule(100_000, () => token.board.setButton(BUTTON_OK, true));
    token.board.schedule(200_000, () => token.board.setButton(BUTTON_OK, false));
    const reply = ccidReply();
    expect(reply.sequence).toBe(sequence);
    expect(hex(reply.data)).toBe(expectedCalculate(KEY, step));
  });

  it("a HID command waiting for a press: CCID gets slot busy, and a CCID power-on answers it 6F00", () => {
    hid.sendReports(hidFrames(calculate("touch", 6000)));
    token.board.run(50_000);
    expect(token.usb.drainIn(EP_VENDOR)).toEqual([]); // waiting for OK
    const busy = ccid.exchangeRaw(xfr(calculate("plain", 6000)));
    expect(busy.status & 0x40).toBe(0x40);
    expect(busy.error).toBe(0xe0); // CMD_SLOT_BUSY
    ccid.powerOn(); // a new session drops the waiting command
    const dropped = hid.readMessage();
    expect(dropped.command).toBe(HID_FRAME_APDU);
    expect(hex(dropped.payload)).toBe("6f00");
    expect(hex(hid.transmit(SELECT)).slice(-4)).toBe("9000");
    expect(hex(hid.transmit(calculate("plain", 6001)))).toBe(expectedCalculate(KEY, 6001));
  });
});
