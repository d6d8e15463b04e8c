// The simulator's local socket (host-sim/socket.ts, docs/SPEC.md): a Unix socket carrying command
// and response APDUs, each framed as a 2-byte big-endian length then the bytes.
import { createConnection, Socket } from "node:net";
import { existsSync } from "node:fs";
import { Transport, TransportError } from "./transport.js";
import type { TransportKind } from "../device.js";
import { defaultSocketPath } from "../../host-sim/socket.js";

// Where totpkey-sim listens: one definition, the simulator's own.
export { defaultSocketPath };

export class SocketTransport implements Transport {
  private pending: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (reply: Uint8Array) => void; reject: (error: Error) => void }[] = [];
  private closed = false;

  private constructor(private readonly socket: Socket, readonly description: string) {
    socket.on("data", (chunk: Buffer) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 2) {
        const length = this.pending.readUInt16BE(0);
        if (this.pending.length < 2 + length) break;
        const reply = new Uint8Array(this.pending.subarray(2, 2 + length));
        this.pending = this.pending.subarray(2 + length);
        this.waiting.shift()?.resolve(reply);
      }
    });
    const fail = (error: Error) => {
      for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    };
    socket.on("error", (error) => fail(new TransportError(`simulator socket: ${error.message}`)));
    socket.on("close", () => {
      if (!this.closed) fail(new TransportError("the simulator closed the connection"));
    });
  }

  static connect(path: string): Promise<SocketTransport> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once("error", (error: NodeJS.ErrnoException) => {
        const hint = error.code === "ENOENT" || error.code === "ECONNREFUSED" ? " (is totpkey-sim running?)" : "";
        reject(new TransportError(`cannot connect to the simulator at ${path}: ${error.code ?? error.message}${hint}`));
      });
      socket.once("connect", () => resolve(new SocketTransport(socket, `simulator (${path})`)));
    });
  }

  transmit(apdu: Uint8Array): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new TransportError("transport closed"));
    if (apdu.length > 0xffff) return Promise.reject(new TransportError("APDU too long for the socket framing"));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      const framed = Buffer.alloc(2 + apdu.length);
      framed.writeUInt16BE(apdu.length, 0);
      framed.set(apdu, 2);
      this.socket.write(framed);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.end(() => resolve()));
    this.socket.destroy();
  }
}

export const socketKind: TransportKind = {
  kind: "sim",
  async detect(env) {
    const path = env.TOTPKEY_SIM_SOCKET || defaultSocketPath(env);
    return existsSync(path) ? [path] : [];
  },
  open(target, env) {
    return SocketTransport.connect(target ?? (env.TOTPKEY_SIM_SOCKET || defaultSocketPath(env)));
  },
};
