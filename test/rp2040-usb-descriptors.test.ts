// The composite device's descriptors, read from the emulated board and checked field by field
// against USB 2.0 chapter 9, HID 1.11 and CCID 1.1 (the expected values are the spec's, written
// out here, not read back from the firmware's sources).
import { beforeAll, describe, expect, it, vi } from "vitest";
import { EmulatedBoard } from "../emulator/board.js";
import { firmwareImage } from "../emulator/firmware.js";
import { UsbHost } from "../emulator/usb-host.js";
import { Enumeration, enumerate, getDescriptor } from "../emulator/usb-client.js";

// Emulating the firmware is slow on a loaded 2-core machine: generous limits, no timing asserted.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

let board: EmulatedBoard;
let host: UsbHost;
let enumeration: Enumeration;

beforeAll(() => {
  board = new EmulatedBoard({ image: firmwareImage() });
  host = new UsbHost(board);
  board.runUntil(() => board.uartText.includes("ready\r\n"), 1_000_000, "boot");
  enumeration = enumerate(host);
});

const u16 = (bytes: Uint8Array, at: number) => bytes[at] | (bytes[at + 1] << 8);
const u32 = (bytes: Uint8Array, at: number) => (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;

/** Splits a configuration descriptor into its descriptors, checking every bLength fits. */
function split(configuration: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < configuration.length; ) {
    const length = configuration[at];
    expect(length).toBeGreaterThanOrEqual(2);
    expect(at + length).toBeLessThanOrEqual(configuration.length);
    parts.push(configuration.subarray(at, at + length));
    at += length;
  }
  return parts;
}

// HID 1.11 appendix E.6 (boot keyboard report descriptor), as bytes.
const BOOT_KEYBOARD_REPORT = [
  0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01,
  0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01,
  0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x01, 0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65,
  0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xc0,
];

describe("device descriptor", () => {
  it("has every field a full-speed composite device needs", () => {
    const d = enumeration.device;
    expect(d.length).toBe(18);
    expect(d[0]).toBe(18); // bLength
    expect(d[1]).toBe(1); // DEVICE
    expect(u16(d, 2)).toBe(0x0200); // bcdUSB
    expect([d[4], d[5], d[6]]).toEqual([0, 0, 0]); // class per interface
    expect(d[7]).toBe(64); // bMaxPacketSize0
    expect(u16(d, 8)).toBe(0x1209); // pid.codes
    expect(u16(d, 10)).toBe(0x0001);
    expect(u16(d, 12)).toBe(0x0100); // bcdDevice
    expect([d[14], d[15], d[16]]).toEqual([1, 2, 3]);
    expect(d[17]).toBe(1); // bNumConfigurations
  });

  it("has English strings: manufacturer, product, serial", () => {
    expect(enumeration.strings).toEqual(["totpkey", "totpkey TOTP token", "0001"]);
    const languages = getDescriptor(host, 3, 0, 255);
    expect(languages.status).toBe("ack");
    if (languages.status === "ack") expect([...languages.data]).toEqual([4, 3, 0x09, 0x04]);
  });
});

describe("configuration descriptor", () => {
  it("declares its total length and three interfaces, bus powered at 100 mA", () => {
    const c = enumeration.configuration;
    expect(c[0]).toBe(9);
    expect(c[1]).toBe(2);
    expect(u16(c, 2)).toBe(c.length);
    expect(c[4]).toBe(3); // bNumInterfaces
    expect(c[5]).toBe(1); // bConfigurationValue
    expect(c[6]).toBe(0); // iConfiguration
    expect(c[7]).toBe(0x80); // bus powered, no remote wakeup
    expect(c[8]).toBe(50); // 100 mA
  });

  it("lists exactly the expected descriptors in order", () => {
    const kinds = split(enumeration.configuration).map((part) => `${part[1]}:${part[0]}`);
    expect(kinds).toEqual([
      "2:9",
      "4:9", "33:9", "5:7", // keyboard: interface, HID, EP1 IN
      "4:9", "33:54", "5:7", "5:7", // CCID: interface, class descriptor, bulk OUT, bulk IN
      "4:9", "33:9", "5:7", "5:7", // vendor HID: interface, HID, interrupt IN, interrupt OUT
    ]);
  });

  it("keyboard interface: HID boot keyboard, HID 1.11, 8-byte interrupt IN every 10 ms", () => {
    const [, iface, hid, endpoint] = split(enumeration.configuration);
    expect([...iface]).toEqual([9, 4, 0, 0, 1, 0x03, 0x01, 0x01, 0]);
    expect(u16(hid, 2)).toBe(0x0111);
    expect(hid[4]).toBe(0); // country
    expect(hid[5]).toBe(1); // one class descriptor
    expect(hid[6]).toBe(0x22); // report descriptor
    expect(u16(hid, 7)).toBe(BOOT_KEYBOARD_REPORT.length);
    expect([...endpoint]).toEqual([7, 5, 0x81, 0x03, 8, 0, 10]);
  });

  it("CCID interface: class 0x0B, one slot, T=1, extended APDU level, bulk pair", () => {
    const parts = split(enumeration.configuration);
    const [iface, ccid, bulkOut, bulkIn] = parts.slice(4, 8);
    expect([...iface]).toEqual([9, 4, 1, 0, 2, 0x0b, 0, 0, 0]);
    expect(u16(ccid, 2)).toBe(0x0110); // bcdCCID
    expect(ccid[4]).toBe(0); // bMaxSlotIndex
    expect(ccid[5]).toBe(0x07); // voltages
    expect(u32(ccid, 6)).toBe(0x00000002); // T=1
    expect(u32(ccid, 10)).toBe(4000); // default clock kHz
    expect(u32(ccid, 14)).toBe(4000); // maximum clock
    expect(ccid[18]).toBe(0); // clocks listed
    expect(u32(ccid, 19)).toBe(9600); // data rate
    expect(u32(ccid, 23)).toBe(9600); // max data rate
    expect(ccid[27]).toBe(0); // data rates listed
    expect(u32(ccid, 28)).toBe(254); // max IFSD
    expect(u32(ccid, 32)).toBe(0); // synch protocols
    expect(u32(ccid, 36)).toBe(0); // mechanical
    expect(u32(ccid, 40) & 0x00070000).toBe(0x00040000); // extended APDU level exchange
    expect(u32(ccid, 40) & 0xfe).toBe(0xfe); // automatic parameters
    expect(u32(ccid, 44)).toBe(10 + 1040); // dwMaxCCIDMessageLength: header + the module's buffer
    expect([ccid[48], ccid[49]]).toEqual([0xff, 0xff]);
    expect(u16(ccid, 50)).toBe(0); // no LCD
    expect(ccid[52]).toBe(0); // no PIN pad
    expect(ccid[53]).toBe(1); // busy slots
    expect([...bulkOut]).toEqual([7, 5, 0x02, 0x02, 64, 0, 0]);
    expect([...bulkIn]).toEqual([7, 5, 0x82, 0x02, 64, 0, 0]);
  });

  it("vendor HID interface: 64-byte interrupt IN and OUT", () => {
    const parts = split(enumeration.configuration);
    const [iface, hid, endpointIn, endpointOut] = parts.slice(8, 12);
    expect([...iface]).toEqual([9, 4, 2, 0, 2, 0x03, 0, 0, 0]);
    expect(u16(hid, 2)).toBe(0x0111);
    expect(hid[6]).toBe(0x22);
    expect([...endpointIn]).toEqual([7, 5, 0x83, 0x03, 64, 0, 1]);
    expect([...endpointOut]).toEqual([7, 5, 0x03, 0x03, 64, 0, 1]);
    const report = getDescriptor(host, 0x22, 0, 255, 0x81, 2);
    expect(report.status).toBe("ack");
    if (report.status !== "ack") return;
    expect(report.data.length).toBe(u16(hid, 7));
    expect([...report.data.subarray(0, 3)]).toEqual([0x06, 0x00, 0xff]); // vendor usage page 0xFF00
    const text = Buffer.from(report.data).toString("hex");
    expect(text).toContain("95408102"); // Report Count 64, Input
    expect(text).toContain("95409102"); // Report Count 64, Output
  });

  it("serves the boot keyboard report descriptor of HID 1.11 and the HID descriptor itself", () => {
    const report = getDescriptor(host, 0x22, 0, 255, 0x81, 0);
    expect(report.status).toBe("ack");
    if (report.status === "ack") expect([...report.data]).toEqual(BOOT_KEYBOARD_REPORT);
    const hid = getDescriptor(host, 0x21, 0, 9, 0x81, 0);
    expect(hid.status).toBe("ack");
    if (hid.status === "ack") expect([...hid.data]).toEqual([...split(enumeration.configuration)[2]]);
  });
});
