// A local socket into the simulated token for the project's own CLI (docs/SPEC.md, "APDU
// applets", "The simulator's local socket"): a Unix socket in the per-user runtime directory,
// carrying command APDUs and response APDUs, each framed as a 2-byte big-endian length then the
// bytes. One command is answered at a time, across all clients, in arrival order.
import { createServer, createConnection, Server, Socket } from "node:net";
import { mkdirSync, rmSync, existsSync, chmodSync } from "node:fs";
import { join, dirname } from "node:path";
import { tmpdir, userInfo } from "node:os";
import type { Token } from "./token.js";
import { LengthPrefixedReader, lengthPrefixed, transmit, VpcdOptions } from "./vpcd.js";

/** $XDG_RUNTIME_DIR/totpkey/sim.sock, or <tmp>/totpkey-<uid>/sim.sock without a runtime dir. */
export function defaultSocketPath(env: Record<string, string | undefined> = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  const dir = runtime && runtime.length > 0 ? join(runtime, "totpkey") : join(tmpdir(), `totpkey-${userInfo().uid}`);
  return join(dir, "sim.sock");
}

export interface SocketServer {
  readonly path: string;
  close(): Promise<void>;
}

/** Serves `token` on a Unix socket at `path` (its directory created with mode 0700; a stale
 *  socket file is replaced). Options as for vpcd (driveClock, onDeferred). */
export async function serveSocket(token: Token, path = defaultSocketPath(), options: VpcdOptions = {}): Promise<SocketServer> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  chmodSync(dirname(path), 0o700);
  if (existsSync(path)) rmSync(path);
  let queue: Promise<void> = Promise.resolve();
  const clients = new Set<Socket>();
  const server: Server = createServer((client) => {
    clients.add(client);
    // Each connection is a new session: it must select and prove the access password itself.
    queue = queue.then(() => token.sessionReset());
    const reader = new LengthPrefixedReader();
    client.on("data", (chunk: Buffer) => {
      for (const command of reader.push(chunk)) {
        queue = queue.then(async () => {
          const response = command.length > token.exports.apdu_capacity() || command.length === 0
            ? new Uint8Array([0x67, 0x00])
            : await transmit(token, command, options);
          options.onExchange?.(command, response);
          if (!client.destroyed) client.write(lengthPrefixed(response));
        });
      }
    });
    client.on("error", () => {});
    client.on("close", () => clients.delete(client));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.destroy();
        server.close(() => {
          if (existsSync(path)) rmSync(path);
          resolve();
        });
      }),
  };
}

/** A client of that socket: one transmit at a time. */
export class SocketClient {
  private readonly reader = new LengthPrefixedReader();
  private waiting: ((response: Uint8Array) => void)[] = [];
  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const response of this.reader.push(chunk)) this.waiting.shift()?.(response);
    });
  }

  static connect(path = defaultSocketPath()): Promise<SocketClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once("error", reject);
      socket.once("connect", () => resolve(new SocketClient(socket)));
    });
  }

  transmit(command: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(lengthPrefixed(command));
    });
  }

  close(): void {
    this.socket.end();
  }
}
