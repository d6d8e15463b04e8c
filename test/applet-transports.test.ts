// The simulator's transports without pcscd: the vpcd client against a stand-in for vpcd's TCP side
// (framing, control codes, ATR, a reply deferred until a press, reconnecting), and the local socket
// with its client. The real pcscd + ykman path is test/ykman-oath.test.ts.
import { afterEach, describe, expect, it } from "vitest";
import { createServer, Server, Socket, AddressInfo } from "node:net";
import { mkdtempSync, statSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { BUTTON_OK } from "../host-sim/token.js";
import { serveVpcd, LengthPrefixedReader, lengthPrefixed, TOTPKEY_ATR, VpcdBridge } from "../host-sim/vpcd.js";
import { serveSocket, SocketClient, SocketServer } from "../host-sim/socket.js";
import { apdu, concat, freshToken, hex, put, selectOath, tlv, utf8, counterBytes, hmac, parseTlvs, INS, TAG, OATH_AID } from "./applet-kit.js";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A stand-in for vpcd: accepts one card, sends messages, collects the card's answers. */
async function fakeVpcd(): Promise<{ port: number; card: () => Promise<Socket>; server: Server }> {
  const server = createServer();
  const sockets: Socket[] = [];
  let waiting: ((s: Socket) => void) | null = null;
  server.on("connection", (socket) => {
    sockets.push(socket);
    waiting?.(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    card: () => new Promise((resolve) => {
      const open = sockets.find((s) => !s.destroyed);
      if (open) resolve(open);
      else waiting = resolve;
    }),
  };
}

function answers(socket: Socket): (count: number) => Promise<Uint8Array[]> {
  const reader = new LengthPrefixedReader();
  const got: Uint8Array[] = [];
  socket.on("data", (chunk: Buffer) => got.push(...reader.push(chunk)));
  return async (count) => {
    for (let i = 0; i < 200 && got.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    return got.splice(0, count);
  };
}

describe("vpcd client", () => {
  it("frames messages with a 2-byte length, across TCP chunk boundaries", () => {
    const reader = new LengthPrefixedReader();
    const framed = Buffer.concat([lengthPrefixed(Uint8Array.from([1, 2, 3])), lengthPrefixed(Uint8Array.from([4]))]);
    expect(reader.push(framed.subarray(0, 2))).toEqual([]);
    expect(reader.push(framed.subarray(2, 6)).map((m) => [...m])).toEqual([[1, 2, 3]]);
    expect(reader.push(framed.subarray(6)).map((m) => [...m])).toEqual([[4]]);
  });

  it("has a well-formed ATR (TCK is the XOR of T0..the last historical byte)", () => {
    expect(TOTPKEY_ATR[0]).toBe(0x3b);
    expect(TOTPKEY_ATR.subarray(1).reduce((x, b) => x ^ b, 0)).toBe(0);
    expect(new TextDecoder().decode(TOTPKEY_ATR.subarray(9, 17))).toBe("totpkey1");
  });

  it("answers ATR requests and APDUs; a touch CALCULATE is answered after OK; reconnects when vpcd restarts", async () => {
    const vpcd = await fakeVpcd();
    const token = freshToken();
    selectOath(token);
    const key = utf8("12345678901234567890");
    put(token, { name: "touchy", secret: key, touch: true });
    let deferred = 0;
    const bridge: VpcdBridge = serveVpcd(token, vpcd.port, {
      driveClock: true, retryMs: 50,
      onDeferred: () => { deferred++; setTimeout(() => token.press(BUTTON_OK), 50); },
    });
    closers.push(() => bridge.close());
    await bridge.connected();
    const card = await vpcd.card();
    const next = answers(card);
    card.write(lengthPrefixed(Uint8Array.from([0x01]))); // power on: no answer
    card.write(lengthPrefixed(Uint8Array.from([0x04]))); // ATR
    card.write(lengthPrefixed(apdu(0, 0xa4, 4, 0, OATH_AID)));
    const [atr, select] = await next(2);
    expect(hex(atr)).toBe(hex(TOTPKEY_ATR));
    expect(hex(select.subarray(-2))).toBe("9000");
    expect(bridge.powered).toBe(true);
    card.write(lengthPrefixed(apdu(0, INS.CALCULATE, 0, 0, concat(tlv(TAG.NAME, utf8("touchy")), tlv(TAG.CHALLENGE, counterBytes(3))))));
    const [calculated] = await next(1);
    expect(deferred).toBe(1);
    expect(hex(calculated.subarray(-2))).toBe("9000");
    expect(hex(parseTlvs(calculated.subarray(0, -2))[0].value.subarray(1))).toBe(hex(hmac(1, key, counterBytes(3))));
    // vpcd goes away and comes back (pcscd restarted): the card connects again.
    card.destroy();
    const again = await vpcd.card();
    const nextAgain = answers(again);
    again.write(lengthPrefixed(Uint8Array.from([0x04])));
    expect(hex((await nextAgain(1))[0])).toBe(hex(TOTPKEY_ATR));
  });
});

describe("local socket", () => {
  it("serves length-prefixed APDUs to clients, one at a time; 6700 for an empty command; socket mode 0600", async () => {
    const dir = mkdtempSync(join(tmpdir(), "totpkey-socket-"));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const token = freshToken();
    const server: SocketServer = await serveSocket(token, join(dir, "sub", "sim.sock"));
    closers.push(() => server.close());
    expect(statSync(server.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "sub")).mode & 0o777).toBe(0o700);
    const a = await SocketClient.connect(server.path);
    const b = await SocketClient.connect(server.path);
    closers.push(() => { a.close(); b.close(); });
    const [selectA, selectB] = await Promise.all([a.transmit(apdu(0, 0xa4, 4, 0, OATH_AID)), b.transmit(apdu(0, 0xa4, 4, 0, OATH_AID))]);
    expect(hex(selectA.subarray(-2))).toBe("9000");
    expect(hex(selectB.subarray(-2))).toBe("9000");
    expect(hex(await a.transmit(apdu(0, INS.PUT, 0, 0, concat(tlv(TAG.NAME, utf8("s")), tlv(TAG.KEY, [0x21, 6, 1, 2, 3])))))).toBe("9000");
    const listed = await b.transmit(apdu(0, INS.LIST, 0, 0));
    expect(hex(listed)).toBe(hex(Uint8Array.from([0x72, 2, 0x21, 0x73, 0x90, 0x00])));
    expect(hex(await a.transmit(new Uint8Array(0)))).toBe("6700");
  });
});
