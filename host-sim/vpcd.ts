// The simulator as a smart card for PC/SC clients (ykman, pcsc_scan, opensc-tool): a client of
// vsmartcard's vpcd, the pcscd reader driver that listens on TCP (localhost:35963 for its first
// reader, "Virtual PCD 00 00"). The virtual card connects to it; every message either way is a
// 2-byte big-endian length then the payload. A 1-byte payload from vpcd is a control code:
// 0 power off, 1 power on, 2 reset, 4 "send your ATR"; anything longer is a command APDU, which the
// card answers with one length-prefixed response APDU.
import { Socket, createConnection } from "node:net";
import type { Token } from "./token.js";
import { TICK_MS } from "./token.js";

export const VPCD_DEFAULT_PORT = 35963;
export const VPCD_CONTROL_POWER_OFF = 0x00;
export const VPCD_CONTROL_POWER_ON = 0x01;
export const VPCD_CONTROL_RESET = 0x02;
export const VPCD_CONTROL_GET_ATR = 0x04;

/**
 * Our ATR: direct convention (3B), TA1/TB1/TC1/TD1 present with 8 historical bytes (F8), TA1 13,
 * TB1 00, TC1 00, TD1 81 (T=1, TD2 follows), TD2 31 (T=1, TA3 and TB3 follow), TA3 FE (IFSC 254),
 * TB3 15, the historical bytes "totpkey1", and TCK (XOR of T0..the last historical byte). T0's high
 * nibble F makes ykman treat the reader as USB rather than NFC.
 */
export const TOTPKEY_ATR: Uint8Array = (() => {
  const body = [0xf8, 0x13, 0x00, 0x00, 0x81, 0x31, 0xfe, 0x15, ...new TextEncoder().encode("totpkey1")];
  const tck = body.reduce((x, b) => x ^ b, 0);
  return new Uint8Array([0x3b, ...body, tck]);
})();

export interface VpcdOptions {
  host?: string;
  /** Advance the token's clock with real time and tick it every TICK_MS while a reply waits (a
   *  press on the token, a timeout). Leave off when another loop (the front panel) ticks it. */
  driveClock?: boolean;
  /** Called when a command waits for a press on the token (the reply is deferred). */
  onDeferred?: () => void;
  /** Called with each command and its response (diagnostics, tests). */
  onExchange?: (command: Uint8Array, response: Uint8Array) => void;
  /** Retry interval while vpcd (pcscd) is not listening yet, in ms. */
  retryMs?: number;
}

/** A running bridge: connected() resolves once vpcd accepted the card; close() stops it. */
export interface VpcdBridge {
  connected(): Promise<void>;
  close(): Promise<void>;
  readonly powered: boolean;
}

/** Frames length-prefixed messages out of a TCP byte stream. */
export class LengthPrefixedReader {
  private pending: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Uint8Array[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Uint8Array[] = [];
    while (this.pending.length >= 2) {
      const length = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + length) break;
      messages.push(new Uint8Array(this.pending.subarray(2, 2 + length)));
      this.pending = this.pending.subarray(2 + length);
    }
    return messages;
  }
}

export function lengthPrefixed(payload: Uint8Array): Buffer {
  if (payload.length > 0xffff) throw new RangeError("message longer than 65535 bytes");
  const framed = Buffer.alloc(2 + payload.length);
  framed.writeUInt16BE(payload.length, 0);
  framed.set(payload, 2);
  return framed;
}

/**
 * Sends one APDU to the token and resolves with its response, ticking the token (and, with
 * `driveClock`, moving its clock with real time) while the reply is deferred.
 */
export function transmit(token: Token, command: Uint8Array, options: VpcdOptions = {}): Promise<Uint8Array> {
  const before = token.responses.length;
  const immediate = token.apdu(command);
  if (immediate !== null) return Promise.resolve(immediate);
  options.onDeferred?.();
  return new Promise((resolve) => {
    let last = Date.now();
    const timer = setInterval(() => {
      if (options.driveClock) {
        const now = Date.now();
        const elapsed = Math.max(0, now - last);
        last = now;
        if (elapsed > 0) token.clock.advance(elapsed);
        token.tick();
      }
      if (token.responses.length > before) {
        clearInterval(timer);
        resolve(token.responses[token.responses.length - 1]);
      }
    }, TICK_MS);
  });
}

/** A card's connection to vpcd: connects as its card, hands every message to `onMessage`, and
 *  reconnects when vpcd (pcscd) is not there yet or restarts. Shared by every card we serve. */
export function connectVpcdCard(port: number, options: { host?: string; retryMs?: number },
  onMessage: (sock: Socket, message: Uint8Array) => void): { connected(): Promise<void>; close(): Promise<void> } {
  const host = options.host ?? "127.0.0.1";
  const retryMs = options.retryMs ?? 200;
  let socket: Socket | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let resolveConnected: () => void = () => {};
  const connectedOnce = new Promise<void>((resolve) => (resolveConnected = resolve));

  const connect = (): void => {
    if (closed) return;
    const sock = createConnection({ host, port });
    socket = sock;
    const reader = new LengthPrefixedReader();
    sock.setNoDelay(true);
    sock.on("connect", () => resolveConnected());
    sock.on("data", (chunk: Buffer) => {
      for (const message of reader.push(chunk)) onMessage(sock, message);
    });
    sock.on("error", () => {}); // "close" follows; a refused connect is retried there
    sock.on("close", () => {
      socket = null;
      if (!closed) retryTimer = setTimeout(connect, retryMs);
    });
  };
  connect();

  return {
    connected: () => connectedOnce,
    close: async () => {
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      const sock = socket;
      if (sock !== null && !sock.destroyed) {
        await new Promise<void>((resolve) => {
          sock.once("close", () => resolve());
          sock.end();
          sock.destroy();
        });
      }
    },
  };
}

/**
 * Connects `token` to vpcd at host:port as its card and serves it until close(). Reconnects when
 * vpcd (pcscd) is not there yet or restarts. APDUs too long for the module's buffer get 6700.
 */
export function serveVpcd(token: Token, port = VPCD_DEFAULT_PORT, options: VpcdOptions = {}): VpcdBridge {
  let powered = false;
  // Commands are answered one at a time, in order (vpcd sends the next only after a response).
  let queue: Promise<void> = Promise.resolve();

  const answer = async (sock: Socket, command: Uint8Array): Promise<void> => {
    let response: Uint8Array;
    if (command.length > token.exports.apdu_capacity()) response = new Uint8Array([0x67, 0x00]);
    else response = await transmit(token, command, options);
    options.onExchange?.(command, response);
    if (!sock.destroyed) sock.write(lengthPrefixed(response));
  };

  const connection = connectVpcdCard(port, options, (sock, message) => {
    if (message.length === 1) {
      const control = message[0];
      if (control === VPCD_CONTROL_GET_ATR) sock.write(lengthPrefixed(TOTPKEY_ATR));
      else if (control === VPCD_CONTROL_POWER_ON || control === VPCD_CONTROL_RESET) powered = true;
      else if (control === VPCD_CONTROL_POWER_OFF) powered = false;
      // A power cycle or reset ends the session (after the command in progress, if any):
      // the next client must select and prove the access password again.
      if (control !== VPCD_CONTROL_GET_ATR) queue = queue.then(() => token.sessionReset());
    } else if (message.length > 1) {
      queue = queue.then(() => answer(sock, message));
    }
  });

  return {
    connected: connection.connected,
    get powered() {
      return powered;
    },
    close: connection.close,
  };
}
