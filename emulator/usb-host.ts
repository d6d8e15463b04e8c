// A USB host for the emulated board, on rp2040js's device-side hooks: it resets the bus, runs
// control transfers (seeing stalls in the endpoint's buffer control, since the emulator has no
// handshake for them), collects IN packets per endpoint and feeds OUT packets when the firmware
// arms an endpoint.
import type { EmulatedBoard } from "./board.js";

export interface SetupPacket {
  requestType: number;
  request: number;
  value: number;
  index: number;
  length: number;
}

export type ControlResult = { status: "ack"; data: Uint8Array } | { status: "stall" } | { status: "timeout" };

const BUF_CTRL_STALL = 1 << 11;
const EP0_IN_BUFFER_CONTROL = 0x80;
const EP0_OUT_BUFFER_CONTROL = 0x84;
const PACKET_BYTES = 64;
const EP_STALL_ARM = 0x68;
const DEFAULT_TIMEOUT_US = 200_000;

export function setupBytes(setup: SetupPacket): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  bytes[0] = setup.requestType;
  bytes[1] = setup.request;
  view.setUint16(2, setup.value, true);
  view.setUint16(4, setup.index, true);
  view.setUint16(6, setup.length, true);
  return bytes;
}

export class UsbHost {
  /** IN packets per endpoint number, in arrival order (EP0 included). */
  readonly inPackets = new Map<number, Uint8Array[]>();
  /** OUT endpoints the firmware has armed, with the byte count it accepts. */
  private readonly armedOut = new Map<number, number>();
  resets = 0;
  busResetSeen = false;

  constructor(readonly board: EmulatedBoard) {
    const usb = board.rp2040.usbCtrl;
    usb.onUSBEnabled = () => usb.resetDevice();
    usb.onResetReceived = () => {
      this.busResetSeen = true;
      this.resets++;
    };
    usb.onEndpointWrite = (endpoint, buffer) => {
      const list = this.inPackets.get(endpoint) ?? [];
      list.push(buffer.slice());
      this.inPackets.set(endpoint, list);
    };
    usb.onEndpointRead = (endpoint, byteCount) => {
      this.armedOut.set(endpoint, byteCount);
    };
  }

  /** Waits for the firmware to attach and acknowledge the bus reset. */
  waitForReset(timeoutUs = 100_000): void {
    this.board.runUntil(() => this.busResetSeen, timeoutUs, "USB bus reset handled");
  }

  private takeIn(endpoint: number): Uint8Array | undefined {
    return this.inPackets.get(endpoint)?.shift();
  }

  // EP0 sends STALL only while EP_STALL_ARM and the buffer's STALL bit are both set (datasheet
  // 4.1.2.5.3); the controller clears EP_STALL_ARM when a SETUP arrives.
  private ep0Stalled(): boolean {
    const dpram = this.board.rp2040.usbDPRAMView;
    const armed = this.board.rp2040.usbCtrl.readUint32(EP_STALL_ARM) & 0x3;
    const buffers = (dpram.getUint32(EP0_IN_BUFFER_CONTROL, true) | dpram.getUint32(EP0_OUT_BUFFER_CONTROL, true)) & BUF_CTRL_STALL;
    return armed !== 0 && buffers !== 0;
  }

  /** A STALL set on an endpoint (SET_FEATURE halt, or the firmware's own). */
  endpointStalled(endpointAddress: number): boolean {
    const number = endpointAddress & 0x0f;
    const out = (endpointAddress & 0x80) === 0;
    const control = this.board.rp2040.usbDPRAMView.getUint32(0x80 + number * 8 + (out ? 4 : 0), true);
    return (control & BUF_CTRL_STALL) !== 0;
  }

  /** One control transfer: setup, data stage (IN collected, or `dataOut` sent), status stage. */
  control(setup: SetupPacket, dataOut?: Uint8Array, timeoutUs = DEFAULT_TIMEOUT_US): ControlResult {
    return this.controlRaw(setupBytes(setup), dataOut, timeoutUs);
  }

  /** A control transfer from raw setup bytes (for malformed requests). */
  controlRaw(setup: Uint8Array, dataOut?: Uint8Array, timeoutUs = DEFAULT_TIMEOUT_US): ControlResult {
    const usb = this.board.rp2040.usbCtrl;
    const lengthAsked = setup[6] | (setup[7] << 8);
    const deviceToHost = (setup[0] & 0x80) !== 0;
    this.inPackets.set(0, []);
    this.armedOut.delete(0);
    usb.writeUint32(EP_STALL_ARM, 0);
    usb.sendSetupPacket(setup);
    const deadline = this.board.micros + timeoutUs;
    const remaining = () => Math.max(0, deadline - this.board.micros);
    let stalled = false;
    const waitFor = (condition: () => boolean): boolean => {
      this.board.run(remaining(), () => {
        if (this.ep0Stalled()) stalled = true;
        return stalled || condition();
      });
      return !stalled && condition();
    };

    if (deviceToHost && lengthAsked > 0) {
      const received: number[] = [];
      let done = false;
      while (!done) {
        if (!waitFor(() => (this.inPackets.get(0)?.length ?? 0) > 0)) {
          return stalled ? { status: "stall" } : { status: "timeout" };
        }
        const packet = this.takeIn(0)!;
        received.push(...packet);
        done = packet.length < PACKET_BYTES || received.length >= lengthAsked;
      }
      // Status stage: a zero-length OUT once the firmware arms EP0 OUT.
      if (!waitFor(() => this.armedOut.has(0))) return stalled ? { status: "stall" } : { status: "timeout" };
      this.armedOut.delete(0);
      usb.endpointReadDone(0, new Uint8Array(0));
      this.board.run(50);
      return { status: "ack", data: new Uint8Array(received) };
    }

    if (!deviceToHost && lengthAsked > 0) {
      const data = dataOut ?? new Uint8Array(lengthAsked);
      for (let at = 0; at < data.length || at === 0; at += PACKET_BYTES) {
        if (!waitFor(() => this.armedOut.has(0))) return stalled ? { status: "stall" } : { status: "timeout" };
        this.armedOut.delete(0);
        usb.endpointReadDone(0, data.slice(at, at + PACKET_BYTES));
        if (data.length === 0) break;
      }
    }
    // Status stage IN: a zero-length packet from the firmware.
    if (!waitFor(() => (this.inPackets.get(0) ?? []).some((packet) => packet.length === 0))) {
      return stalled ? { status: "stall" } : { status: "timeout" };
    }
    this.inPackets.set(0, []);
    return { status: "ack", data: new Uint8Array(0) };
  }

  /** Sends `data` on an OUT endpoint as packets of up to 64 bytes, each when the firmware arms it.
   *  `zeroLengthEnd` adds a zero-length packet after a transfer of whole packets. */
  sendOut(endpointNumber: number, data: Uint8Array, options: { packetBytes?: number; zeroLengthEnd?: boolean; timeoutUs?: number } = {}): boolean {
    const packetBytes = options.packetBytes ?? PACKET_BYTES;
    const deadline = this.board.micros + (options.timeoutUs ?? DEFAULT_TIMEOUT_US);
    const packets: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += packetBytes) packets.push(data.slice(at, at + packetBytes));
    if (data.length === 0 || (options.zeroLengthEnd && data.length % packetBytes === 0)) packets.push(new Uint8Array(0));
    for (const packet of packets) {
      if (!this.board.run(Math.max(0, deadline - this.board.micros), () => this.armedOut.has(endpointNumber))) return false;
      this.armedOut.delete(endpointNumber);
      this.board.rp2040.usbCtrl.endpointReadDone(endpointNumber, packet);
    }
    return true;
  }

  /** Whether the firmware currently accepts a packet on this OUT endpoint. */
  outArmed(endpointNumber: number): boolean {
    return this.armedOut.has(endpointNumber);
  }

  /** Waits for the next IN packet on an endpoint; undefined on timeout. */
  receiveIn(endpointNumber: number, timeoutUs = DEFAULT_TIMEOUT_US): Uint8Array | undefined {
    this.board.run(timeoutUs, () => (this.inPackets.get(endpointNumber)?.length ?? 0) > 0);
    return this.takeIn(endpointNumber);
  }

  /** Drains every IN packet received so far on an endpoint. */
  drainIn(endpointNumber: number): Uint8Array[] {
    const list = this.inPackets.get(endpointNumber) ?? [];
    this.inPackets.set(endpointNumber, []);
    return list;
  }
}
