// The bridge from the emulated board's CCID interface to vpcd, checked against a stand-in vpcd (a
// TCP server speaking vpcd's framing, as pcscd's driver does): ATR, power control, APDUs. With a
// real pcscd and vpcd, ykman then reaches the emulated board as it reaches the simulator.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createServer, Server, Socket } from "node:net";
import { AddressInfo } from "node:net";
import { EmulatedToken } from "../emulator/token.js";
import { serveVpcdEmulated } from "../emulator/vpcd-bridge.js";
import { LengthPrefixedReader, lengthPrefixed, TOTPKEY_ATR, VpcdBridge } from "../host-sim/vpcd.js";
import { T0 } from "./ui-support.js";

// Emulating the firmware is slow on a loaded 2-core machine: generous limits, no timing asserted.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

let server: Server;
let card: Socket;
let bridge: VpcdBridge;
const replies: Uint8Array[] = [];
let waiters: Array<() => void> = [];

async function request(message: number[]): Promise<Uint8Array> {
  const arrived = new Promise<void>((resolve) => waiters.push(resolve));
  card.write(lengthPrefixed(Uint8Array.from(message)));
  await arrived;
  return replies.shift()!;
}

beforeAll(async () => {
  const token = new EmulatedToken({ rtcSeconds: T0 });
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer((socket) => resolve(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  bridge = serveVpcdEmulated(token, port);
  card = await accepted;
  const reader = new LengthPrefixedReader();
  card.on("data", (chunk: Buffer) => {
    for (const message of reader.push(chunk)) {
      replies.push(message);
      const waiting = waiters;
      waiters = [];
      waiting.forEach((wake) => wake());
    }
  });
  await bridge.connected();
});

afterAll(async () => {
  await bridge.close();
  card.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe("vpcd bridge to the emulated board", () => {
  it("answers GET_ATR with the board's ATR (the simulator's bytes)", async () => {
    expect([...(await request([0x04]))]).toEqual([...TOTPKEY_ATR]);
    expect(bridge.powered).toBe(true);
  });

  it("carries APDUs to the module: SELECT of the OATH applet answers 9000 with its version", async () => {
    const reply = await request([0x00, 0xa4, 0x04, 0x00, 0x07, 0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01]);
    expect([...reply.subarray(reply.length - 2)]).toEqual([0x90, 0x00]);
    expect(reply[0]).toBe(0x79); // version tag
  });

  it("powers the card off and on again and keeps answering", async () => {
    card.write(lengthPrefixed(Uint8Array.of(0x00)));
    card.write(lengthPrefixed(Uint8Array.of(0x01)));
    const reply = await request([0x00, 0xa4, 0x04, 0x00, 0x07, 0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01]);
    expect([...reply.subarray(reply.length - 2)]).toEqual([0x90, 0x00]);
    expect(bridge.powered).toBe(true);
  });
});
