// The token's vendor HID interface (usage page 0xFF00, 64-byte reports without a report id),
// carrying APDUs as docs/SPEC.md "HID APDU framing" defines (boards/rp2040/usb_hid.c):
//   first frame: 0x80 | command, length (2 bytes, big-endian), 61 payload bytes;
//   next frames: sequence 0, 1, 2..., 63 payload bytes. Command 0x01 APDU, 0x3F error (1-byte code).
import { createRequire } from "node:module";
import { Transport, TransportError } from "./transport.js";
import type { TransportKind } from "../device.js";

export const HID_REPORT_BYTES = 64;
export const HID_USAGE_PAGE = 0xff00;
/** pid.codes test ids the board uses until the project has its own (boards/rp2040/usb_descriptors.h). */
export const TOTPKEY_VENDOR_ID = 0x1209;
export const TOTPKEY_PRODUCT_ID = 0x0001;

const FRAME_INIT = 0x80;
export const FRAME_COMMAND_APDU = 0x01;
export const FRAME_COMMAND_ERROR = 0x3f;
const INIT_PAYLOAD_BYTES = HID_REPORT_BYTES - 3;
const CONT_PAYLOAD_BYTES = HID_REPORT_BYTES - 1;
const MAX_SEQUENCE = 0x7f;

const FRAME_ERRORS: Record<number, string> = {
  1: "invalid command", 2: "invalid length", 3: "invalid sequence", 4: "busy", 5: "invalid report",
};

/** Splits one message into 64-byte reports. */
export function encodeFrames(payload: Uint8Array, command = FRAME_COMMAND_APDU): Uint8Array[] {
  if (payload.length === 0 || payload.length > 0xffff) throw new TransportError(`HID: cannot frame ${payload.length} bytes`);
  const frames: Uint8Array[] = [];
  const first = new Uint8Array(HID_REPORT_BYTES);
  first[0] = FRAME_INIT | command;
  first[1] = payload.length >> 8;
  first[2] = payload.length & 0xff;
  first.set(payload.subarray(0, INIT_PAYLOAD_BYTES), 3);
  frames.push(first);
  let sequence = 0;
  for (let offset = INIT_PAYLOAD_BYTES; offset < payload.length; offset += CONT_PAYLOAD_BYTES) {
    if (sequence > MAX_SEQUENCE) throw new TransportError("HID: message too long for the sequence numbers");
    const frame = new Uint8Array(HID_REPORT_BYTES);
    frame[0] = sequence++;
    frame.set(payload.subarray(offset, offset + CONT_PAYLOAD_BYTES), 1);
    frames.push(frame);
  }
  return frames;
}

/** Reassembles a reply from 64-byte reports; feed frames until it returns a message. */
export class FrameAssembler {
  private expected = -1;
  private received = 0;
  private nextSequence = 0;
  private buffer = new Uint8Array(0);
  private command = 0;

  /** Returns {command, payload} when complete, null while more frames are needed. */
  push(frame: Uint8Array): { command: number; payload: Uint8Array } | null {
    if (frame.length < HID_REPORT_BYTES) throw new TransportError(`HID: short report of ${frame.length} bytes`);
    if (frame[0] & FRAME_INIT) {
      this.command = frame[0] & 0x7f;
      this.expected = (frame[1] << 8) | frame[2];
      this.buffer = new Uint8Array(this.expected);
      const chunk = Math.min(this.expected, INIT_PAYLOAD_BYTES);
      this.buffer.set(frame.subarray(3, 3 + chunk));
      this.received = chunk;
      this.nextSequence = 0;
    } else {
      if (this.expected < 0 || frame[0] !== this.nextSequence) throw new TransportError("HID: reply frames out of sequence");
      this.nextSequence++;
      const chunk = Math.min(this.expected - this.received, CONT_PAYLOAD_BYTES);
      this.buffer.set(frame.subarray(1, 1 + chunk), this.received);
      this.received += chunk;
    }
    if (this.received < this.expected) return null;
    const done = { command: this.command, payload: this.buffer };
    this.expected = -1;
    return done;
  }
}

/** The parts of node-hid's HIDAsync used here (tests give a simulated device). */
export interface HidDevice {
  write(data: number[] | Buffer): Promise<number>;
  read(timeoutMs?: number): Promise<Buffer | undefined>;
  close(): Promise<void>;
}
interface HidModule {
  devicesAsync(): Promise<{ path?: string; vendorId: number; productId: number; usagePage?: number; product?: string }[]>;
  HIDAsync: { open(path: string): Promise<HidDevice> };
}

function loadNodeHid(): HidModule {
  try {
    return createRequire(import.meta.url)("node-hid") as HidModule;
  } catch (error) {
    throw new TransportError(`USB HID support is not installed (npm package node-hid: ${(error as Error).message.split("\n")[0]})`);
  }
}

/** Replies can wait for a press on the token (touch, factory reset: up to 30 s). */
const REPLY_TIMEOUT_MS = 45_000;

export class HidTransport implements Transport {
  private constructor(private readonly device: HidDevice, readonly description: string) {}

  /** A transport over an already open device. */
  static fromDevice(device: HidDevice, description: string): HidTransport {
    return new HidTransport(device, description);
  }

  static async open(path: string): Promise<HidTransport> {
    const hid = loadNodeHid();
    try {
      return new HidTransport(await hid.HIDAsync.open(path), `USB HID (${path})`);
    } catch (error) {
      throw new TransportError(`cannot open ${path}: ${(error as Error).message} (on Linux your user needs access to the hidraw device, e.g. a udev rule for 1209:0001)`);
    }
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    for (const frame of encodeFrames(apdu)) {
      // No report id: node-hid wants a leading 0 byte.
      await this.device.write([0, ...frame]);
    }
    const assembler = new FrameAssembler();
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const report = await this.device.read(1000);
      if (!report || report.length === 0) continue;
      const message = assembler.push(new Uint8Array(report));
      if (!message) continue;
      if (message.command === FRAME_COMMAND_ERROR) {
        throw new TransportError(`HID: the token reported ${FRAME_ERRORS[message.payload[0]] ?? `error ${message.payload[0]}`}`);
      }
      return message.payload;
    }
    throw new TransportError("HID: no reply from the token");
  }

  async close(): Promise<void> {
    await this.device.close();
  }
}

export const hidKind: TransportKind = {
  kind: "hid",
  async detect() {
    let hid: HidModule;
    try {
      hid = loadNodeHid();
    } catch {
      return [];
    }
    const devices = await hid.devicesAsync();
    return devices
      .filter((device) => device.vendorId === TOTPKEY_VENDOR_ID && device.productId === TOTPKEY_PRODUCT_ID &&
        (device.usagePage === undefined || device.usagePage === HID_USAGE_PAGE) && device.path)
      .map((device) => device.path!);
  },
  async open(target, env) {
    const path = target ?? (await hidKind.detect(env))[0];
    if (!path) throw new TransportError("no totpkey found on USB HID");
    return HidTransport.open(path);
  },
};
