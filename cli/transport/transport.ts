// What every way of reaching a token offers: one APDU in, its reply (data + SW1 SW2) out.

export interface Transport {
  /** Human-readable, for messages: "simulator (/tmp/totpkey-sim.sock)", "PC/SC reader 'X'". */
  readonly description: string;
  /** Sends one command APDU; resolves with the reply including SW1 SW2. */
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** The transport could not reach the token (as opposed to the token refusing a command). */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransportError";
  }
}
