// A transport straight into a host-sim Token in this process: tests, and the simulator's own tools.
// A deferred reply (a press awaited on the token) lets simulated time pass until the reply comes.
import type { Token } from "../../host-sim/token.js";
import { Transport, TransportError } from "./transport.js";

export interface InProcessOptions {
  /** Called once when a command waits for a press on the token: tests press OK here. */
  onDeferred?: (token: Token) => void;
  /** Simulated milliseconds to wait for a deferred reply before failing. */
  deferredTimeoutMs?: number;
}

const STEP_MS = 10;

export class InProcessTransport implements Transport {
  readonly description = "in-process simulated token";
  constructor(readonly token: Token, private readonly options: InProcessOptions = {}) {}

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const before = this.token.responses.length;
    const immediate = this.token.apdu(apdu);
    if (immediate !== null) return immediate;
    this.options.onDeferred?.(this.token);
    const limitMs = this.options.deferredTimeoutMs ?? 120_000;
    for (let waitedMs = 0; waitedMs < limitMs; waitedMs += STEP_MS) {
      if (this.token.responses.length > before) return this.token.responses[this.token.responses.length - 1];
      this.token.advance(STEP_MS);
    }
    if (this.token.responses.length > before) return this.token.responses[this.token.responses.length - 1];
    throw new TransportError(`no reply within ${limitMs} ms of simulated time`);
  }

  async close(): Promise<void> {}
}
