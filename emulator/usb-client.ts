// The host-side view of the totpkey composite device: enumeration, the CCID interface and the
// vendor HID APDU channel (framing as docs/SPEC.md "HID APDU framing"), keyboard reports.
import { ControlResult, UsbHost } from "./usb-host.js";

export const EP_KEYBOARD_IN = 1;
export const EP_CCID = 2;
export const EP_VENDOR = 3;

export interface Enumeration {
  device: Uint8Array;
  configuration: Uint8Array;
  strings: string[];
}

function expectAck(result: ControlResult, what: string): Uint8Array {
  if (result.status !== "ack") throw new Error(`USB ${what}: ${result.status}`);
  return result.data;
}

export function getDescriptor(host: UsbHost, type: number, index: number, length: number, requestType = 0x80, wIndex = 0): ControlResult {
  return host.control({ requestType, request: 0x06, value: (type << 8) | index, index: wIndex, length });
}

function decodeString(descriptor: Uint8Array): string {
  let text = "";
  for (let i = 2; i + 1 < descriptor[0]; i += 2) text += String.fromCharCode(descriptor[i] | (descriptor[i + 1] << 8));
  return text;
}

/** Enumerates as a host OS does: device descriptor, address, configuration, strings, configure. */
export function enumerate(host: UsbHost): Enumeration {
  host.waitForReset();
  const first = expectAck(getDescriptor(host, 1, 0, 64), "device descriptor (first 64)");
  expectAck(host.control({ requestType: 0x00, request: 0x05, value: 1, index: 0, length: 0 }), "SET_ADDRESS");
  const device = expectAck(getDescriptor(host, 1, 0, 18), "device descriptor");
  if (first[0] !== 18) throw new Error("device descriptor length");
  const header = expectAck(getDescriptor(host, 2, 0, 9), "configuration header");
  const totalLength = header[2] | (header[3] << 8);
  const configuration = expectAck(getDescriptor(host, 2, 0, totalLength), "configuration");
  const strings: string[] = [];
  for (const index of [device[14], device[15], device[16]]) {
    strings.push(index ? decodeString(expectAck(getDescriptor(host, 3, index, 255, 0x80, 0x0409), `string ${index}`)) : "");
  }
  expectAck(host.control({ requestType: 0x00, request: 0x09, value: 1, index: 0, length: 0 }), "SET_CONFIGURATION");
  return { device, configuration, strings };
}

/** Sends the keyboard's LED output report (bit 0 NumLock, 1 CapsLock, 2 ScrollLock). */
export function setKeyboardLeds(host: UsbHost, bits: number): ControlResult {
  return host.control({ requestType: 0x21, request: 0x09, value: 0x0200, index: 0, length: 1 }, Uint8Array.of(bits));
}

export interface CcidReply {
  type: number;
  length: number;
  slot: number;
  sequence: number;
  status: number;
  error: number;
  parameter: number;
  data: Uint8Array;
}

export function ccidMessage(type: number, sequence: number, data: Uint8Array = new Uint8Array(0), options: { slot?: number; declaredLength?: number; parameters?: number[] } = {}): Uint8Array {
  const message = new Uint8Array(10 + data.length);
  const view = new DataView(message.buffer);
  message[0] = type;
  view.setUint32(1, options.declaredLength ?? data.length, true);
  message[5] = options.slot ?? 0;
  message[6] = sequence;
  (options.parameters ?? [0, 0, 0]).forEach((value, i) => (message[7 + i] = value));
  message.set(data, 10);
  return message;
}

export class CcidClient {
  private sequence = 0;
  constructor(readonly host: UsbHost) {}

  /** Reads one reply: bulk IN packets until a short one. Time-extension replies are returned too. */
  readReply(timeoutUs = 500_000): CcidReply {
    const bytes: number[] = [];
    for (;;) {
      const packet = this.host.receiveIn(EP_CCID, timeoutUs);
      if (!packet) throw new Error(`CCID: no reply within ${timeoutUs} us (got ${bytes.length} bytes)`);
      bytes.push(...packet);
      if (packet.length < 64) break;
    }
    const message = new Uint8Array(bytes);
    const view = new DataView(message.buffer);
    return {
      type: message[0],
      length: view.getUint32(1, true),
      slot: message[5],
      sequence: message[6],
      status: message[7],
      error: message[8],
      parameter: message[9],
      data: message.subarray(10),
    };
  }

  /** Sends raw message bytes and returns the final reply (skipping time extensions). */
  exchangeRaw(message: Uint8Array, timeoutUs = 2_000_000): CcidReply {
    if (!this.host.sendOut(EP_CCID, message, { timeoutUs })) throw new Error("CCID: the firmware never took the message");
    for (;;) {
      const reply = this.readReply(timeoutUs);
      if ((reply.status & 0xc0) !== 0x80) return reply;
    }
  }

  exchange(type: number, data?: Uint8Array, options?: { slot?: number; declaredLength?: number; parameters?: number[] }): CcidReply {
    const sequence = this.sequence++ & 0xff;
    return this.exchangeRaw(ccidMessage(type, sequence, data, options));
  }

  powerOn(): CcidReply {
    return this.exchange(0x62);
  }

  /** An APDU through PC_to_RDR_XfrBlock; returns the response APDU (data and status word). */
  transmit(apdu: Uint8Array): Uint8Array {
    const reply = this.exchange(0x6f, apdu);
    if (reply.type !== 0x80 || (reply.status & 0x40) !== 0) {
      throw new Error(`CCID XfrBlock failed: type ${reply.type} status ${reply.status} error ${reply.error}`);
    }
    return reply.data.slice();
  }
}

export const HID_FRAME_APDU = 0x81;
export const HID_FRAME_ERROR = 0xbf;

/** Splits a payload into 64-byte vendor reports (SPEC "HID APDU framing"). */
export function hidFrames(payload: Uint8Array, command = 0x01): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const first = new Uint8Array(64);
  first[0] = 0x80 | command;
  first[1] = payload.length >> 8;
  first[2] = payload.length & 0xff;
  first.set(payload.subarray(0, 61), 3);
  frames.push(first);
  for (let at = 61, sequence = 0; at < payload.length; at += 63, sequence++) {
    const frame = new Uint8Array(64);
    frame[0] = sequence;
    frame.set(payload.subarray(at, at + 63), 1);
    frames.push(frame);
  }
  return frames;
}

export class HidApduClient {
  constructor(readonly host: UsbHost) {}

  sendReports(reports: Uint8Array[]): void {
    for (const report of reports) {
      if (!this.host.sendOut(EP_VENDOR, report, { packetBytes: 64 })) throw new Error("HID: the firmware never took the report");
    }
  }

  /** Reads one framed message from the device: { command byte of the first frame, payload }. */
  readMessage(timeoutUs = 2_000_000): { command: number; payload: Uint8Array } {
    const first = this.host.receiveIn(EP_VENDOR, timeoutUs);
    if (!first) throw new Error("HID: no reply");
    if ((first[0] & 0x80) === 0) throw new Error(`HID: reply starts with a continuation frame ${first[0]}`);
    const total = (first[1] << 8) | first[2];
    const payload = new Uint8Array(total);
    payload.set(first.subarray(3, 3 + Math.min(61, total)));
    let received = Math.min(61, total);
    for (let sequence = 0; received < total; sequence++) {
      const frame = this.host.receiveIn(EP_VENDOR, timeoutUs);
      if (!frame) throw new Error("HID: reply cut short");
      if (frame[0] !== sequence) throw new Error(`HID: sequence ${frame[0]}, expected ${sequence}`);
      const chunk = Math.min(63, total - received);
      payload.set(frame.subarray(1, 1 + chunk), received);
      received += chunk;
    }
    return { command: first[0], payload };
  }

  transmit(apdu: Uint8Array): Uint8Array {
    this.sendReports(hidFrames(apdu));
    const reply = this.readMessage();
    if (reply.command !== HID_FRAME_APDU) throw new Error(`HID: error reply ${reply.payload[0]}`);
    return reply.payload;
  }
}
