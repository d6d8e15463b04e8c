// The firmware's USB device in the emulator: enumeration, keyboard LEDs, CCID and vendor-HID APDU
// exchange, and bad input of every kind answered by a stall or an error, never a hang.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { EmulatedBoard } from "../emulator/board.js";
import { firmwareImage } from "../emulator/firmware.js";
import { UsbHost, setupBytes } from "../emulator/usb-host.js";
import { TOTPKEY_ATR } from "../host-sim/vpcd.js";
import {
  CcidClient, EP_CCID, EP_VENDOR, HID_FRAME_ERROR, HidApduClient, ccidMessage, enumerate, getDescriptor, hidFrames,
  setKeyboardLeds,
} from "../emulator/usb-client.js";

// Emulating the firmware is slow on a loaded 2-core machine: generous limits, no timing asserted.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

let board: EmulatedBoard;
let host: UsbHost;
let ccid: CcidClient;
let hid: HidApduClient;
const image = firmwareImage();
const SELECT = Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x07, 0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01);

// One board for the whole file: every test leaves the device as a host would find it, and the
// bad-input tests prove exactly that it stays usable.
beforeAll(() => {
  board = new EmulatedBoard({ image });
  host = new UsbHost(board);
  board.runUntil(() => board.uartText.includes("ready\r\n"), 1_000_000, "boot");
  enumerate(host);
  ccid = new CcidClient(host);
  hid = new HidApduClient(host);
});

/** The device still answers a standard request: nothing hung. */
function expectAlive(): void {
  const device = getDescriptor(host, 1, 0, 18);
  expect(device.status).toBe("ack");
  expect(host.control({ requestType: 0x80, request: 0x08, value: 0, index: 0, length: 1 })).toEqual({
    status: "ack", data: Uint8Array.of(1),
  });
}

describe("enumeration and the keyboard", () => {
  it("is configured after SET_CONFIGURATION(1) and answers GET_STATUS", () => {
    expect(host.control({ requestType: 0x80, request: 0x00, value: 0, index: 0, length: 2 })).toEqual({
      status: "ack", data: Uint8Array.of(0, 0),
    });
  });

  it("passes the LED output report to the application", () => {
    expect(setKeyboardLeds(host, 0b010).status).toBe("ack");
    board.run(1_000);
    expect(board.uartText).toContain("leds 2");
  });

  it("answers the HID class requests of a boot keyboard", () => {
    expect(host.control({ requestType: 0x21, request: 0x0a, value: 0, index: 0, length: 0 }).status).toBe("ack"); // SET_IDLE
    expect(host.control({ requestType: 0x21, request: 0x0b, value: 0, index: 0, length: 0 }).status).toBe("ack"); // boot protocol
    expect(host.control({ requestType: 0xa1, request: 0x03, value: 0, index: 0, length: 1 })).toEqual({ status: "ack", data: Uint8Array.of(0) });
    expect(host.control({ requestType: 0xa1, request: 0x01, value: 0x0100, index: 0, length: 8 })).toEqual({
      status: "ack", data: new Uint8Array(8),
    });
  });
});

describe("CCID", () => {
  it("powers the card on with an ATR whose TCK checks", () => {
    const reply = ccid.powerOn();
    expect(reply.type).toBe(0x80);
    expect(reply.status).toBe(0);
    const atr = reply.data;
    expect(atr[0]).toBe(0x3b);
    expect(atr.subarray(1).reduce((x, b) => x ^ b, 0)).toBe(0); // TCK makes T0..TCK XOR to zero
    expect([...atr]).toEqual([...TOTPKEY_ATR]); // the simulator's ATR: PC/SC clients see one token
  });

  it("carries an APDU to the application and its reply back, echoing bSeq", () => {
    ccid.powerOn();
    const reply = ccid.exchangeRaw(ccidMessage(0x6f, 0x42, SELECT));
    expect(reply.type).toBe(0x80);
    expect(reply.sequence).toBe(0x42);
    expect(reply.status).toBe(0);
    expect(reply.data.length).toBeGreaterThanOrEqual(2);
  });

  it("carries an extended APDU spanning many packets", () => {
    ccid.powerOn();
    const apdu = new Uint8Array(7 + 1000); // 16 bulk packets with the CCID header; the module's buffer is 1040 bytes
    apdu.set([0x00, 0x01, 0x00, 0x00, 0x00, 1000 >> 8, 1000 & 0xff]);
    const response = ccid.transmit(apdu);
    expect(response.length).toBeGreaterThanOrEqual(2);
  });

  it("starts a new module session at every power-on: the selection is forgotten", () => {
    ccid.powerOn();
    expect(ccid.transmit(SELECT).slice(-2)).toEqual(Uint8Array.of(0x90, 0x00));
    const list = Uint8Array.of(0x00, 0xa1, 0x00, 0x00, 0x00);
    expect(ccid.transmit(list).slice(-2)).toEqual(Uint8Array.of(0x90, 0x00));
    expect(ccid.exchange(0x63).status).toBe(0x01);
    ccid.powerOn();
    expect(ccid.transmit(list)).toEqual(Uint8Array.of(0x6d, 0x00)); // nothing selected any more
  });

  it("refuses an APDU after power-off with ICC_MUTE", () => {
    expect(ccid.exchange(0x63).status).toBe(0x01); // present, inactive
    const reply = ccid.exchange(0x6f, SELECT);
    expect(reply.status & 0x40).toBe(0x40);
    expect(reply.error).toBe(0xfe);
    ccid.powerOn();
  });

  it("answers a message shorter than its dwLength with a failed status naming dwLength", () => {
    ccid.powerOn();
    const reply = ccid.exchange(0x6f, SELECT, { declaredLength: SELECT.length + 20 });
    expect(reply.type).toBe(0x81);
    expect(reply.status & 0x40).toBe(0x40);
    expect(reply.error).toBe(1);
    expect(ccid.transmit(SELECT).length).toBeGreaterThanOrEqual(2); // and carries on
  });

  it("answers a message longer than its dwLength, or beyond the maximum, with an error", () => {
    ccid.powerOn();
    const longer = ccid.exchange(0x6f, SELECT, { declaredLength: 2 });
    expect(longer.error).toBe(1);
    const tooBig = ccidMessage(0x6f, 9, new Uint8Array(4200));
    const reply = ccid.exchangeRaw(tooBig);
    expect(reply.status & 0x40).toBe(0x40);
    expect(reply.error).toBe(1);
    expect(ccid.transmit(SELECT).length).toBeGreaterThanOrEqual(2);
  });

  it("answers a truncated header, a bad slot and an unknown message type with errors", () => {
    if (!host.sendOut(EP_CCID, Uint8Array.of(0x65, 0, 0))) throw new Error("not taken");
    const truncated = ccid.readReply();
    expect(truncated.status & 0x40).toBe(0x40);
    expect(ccid.exchange(0x65, undefined, { slot: 3 }).error).toBe(5);
    const unknown = ccid.exchange(0x99);
    expect(unknown.status & 0x40).toBe(0x40);
    expect(unknown.error).toBe(0);
    expect(ccid.exchange(0x65).status & 0x40).toBe(0); // GetSlotStatus still fine
  });

  it("answers parameters requests with T=1 data and refuses T=0", () => {
    const parameters = ccid.exchange(0x6c);
    expect(parameters.type).toBe(0x82);
    expect(parameters.parameter).toBe(1);
    const refuse = ccid.exchange(0x61, new Uint8Array(5), { parameters: [0, 0, 0] });
    expect(refuse.status & 0x40).toBe(0x40);
    expect(refuse.error).toBe(7);
  });

  it("ignores a zero-length packet between messages", () => {
    ccid.powerOn();
    host.sendOut(EP_CCID, new Uint8Array(0));
    expect(ccid.transmit(SELECT).length).toBeGreaterThanOrEqual(2);
  });
});

describe("vendor HID APDU channel", () => {
  it("exchanges a short APDU in one report and a long one in many", () => {
    expect(hid.transmit(SELECT).length).toBeGreaterThanOrEqual(2);
    const long = new Uint8Array(7 + 1000);
    long.set([0x00, 0x01, 0x00, 0x00, 0x00, 1000 >> 8, 1000 & 0xff]);
    expect(hid.transmit(long).length).toBeGreaterThanOrEqual(2);
  });

  function expectError(code: number): void {
    const reply = hid.readMessage();
    expect(reply.command).toBe(HID_FRAME_ERROR);
    expect([...reply.payload]).toEqual([code]);
  }

  it("answers framing errors with error frames and keeps working", () => {
    const continuation = new Uint8Array(64); // continuation without an initial frame
    hid.sendReports([continuation]);
    expectError(0x03);
    const unknown = hidFrames(SELECT, 0x05);
    hid.sendReports(unknown);
    expectError(0x01);
    const empty = new Uint8Array(64);
    empty[0] = 0x81;
    hid.sendReports([empty]);
    expectError(0x02);
    const [first, second] = hidFrames(new Uint8Array(200));
    second[0] = 5; // wrong sequence number
    hid.sendReports([first, second]);
    expectError(0x03);
    expect(hid.transmit(SELECT).length).toBeGreaterThanOrEqual(2);
  });

  it("answers an over-long report (65 bytes arrive as 64 + 1) with an invalid-report error", () => {
    const report = new Uint8Array(65);
    report.set(hidFrames(new Uint8Array(100))[0]);
    host.sendOut(EP_VENDOR, report);
    expectError(0x05);
    expect(hid.transmit(SELECT).length).toBeGreaterThanOrEqual(2);
  });
});

describe("malformed control requests stall EP0 and the device stays responsive", () => {
  const cases: Array<[string, number[]]> = [
    ["unknown standard request", [0x80, 0x42, 0, 0, 0, 0, 8, 0]],
    ["GET_DESCRIPTOR sent host-to-device", [0x00, 0x06, 0, 1, 0, 0, 18, 0]],
    ["device qualifier (full-speed only)", [0x80, 0x06, 0, 6, 0, 0, 10, 0]],
    ["a string that does not exist", [0x80, 0x06, 9, 3, 9, 4, 255, 0]],
    ["configuration index 1", [0x80, 0x06, 1, 2, 0, 0, 9, 0]],
    ["SET_ADDRESS 200", [0x00, 0x05, 200, 0, 0, 0, 0, 0]],
    ["SET_CONFIGURATION 7", [0x00, 0x09, 7, 0, 0, 0, 0, 0]],
    ["SET_REPORT of 9 bytes (over-long LED report)", [0x21, 0x09, 0, 2, 0, 0, 9, 0]],
    ["class request to interface 9", [0xa1, 0x01, 0, 1, 9, 0, 8, 0]],
    ["vendor request", [0xc0, 0x01, 0, 0, 0, 0, 4, 0]],
    ["GET_STATUS of a missing endpoint", [0x82, 0x00, 0, 0, 0x85, 0, 2, 0]],
    ["IN request with wLength 0 the class needs data for", [0xa1, 0x01, 0, 1, 0, 0, 0, 0]],
  ];
  for (const [name, bytes] of cases) {
    it(name, () => {
      const result = host.controlRaw(Uint8Array.from(bytes), bytes[6] && !(bytes[0] & 0x80) ? new Uint8Array(bytes[6]) : undefined);
      expect(result.status).toBe("stall");
      expectAlive();
    });
  }

  it("halts and clears an endpoint with SET_FEATURE / CLEAR_FEATURE(ENDPOINT_HALT)", () => {
    expect(host.control({ requestType: 0x02, request: 0x03, value: 0, index: 0x82, length: 0 }).status).toBe("ack");
    expect(host.endpointStalled(0x82)).toBe(true);
    expect(host.control({ requestType: 0x82, request: 0x00, value: 0, index: 0x82, length: 2 })).toEqual({ status: "ack", data: Uint8Array.of(1, 0) });
    expect(host.control({ requestType: 0x02, request: 0x01, value: 0, index: 0x82, length: 0 }).status).toBe("ack");
    expect(host.endpointStalled(0x82)).toBe(false);
    ccid.powerOn();
    expect(ccid.transmit(SELECT).length).toBeGreaterThanOrEqual(2);
  });

  it("survives a setup packet arriving in the middle of a control read", () => {
    board.rp2040.usbCtrl.sendSetupPacket(setupBytes({ requestType: 0x80, request: 0x06, value: 0x0200, index: 0, length: 255 }));
    board.run(20);
    expectAlive();
  });
});
