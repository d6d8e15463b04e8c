// PC/SC through pcscd: boards through their CCID interface, the simulator through vpcd. Uses the
// npm package pcsclite (a native addon: needs libpcsclite-dev to build; optional, so that a machine
// without it still installs and runs the other transports).
import { createRequire } from "node:module";
import { Transport, TransportError } from "./transport.js";
import type { TransportKind } from "../device.js";

interface PcscReader {
  name: string;
  state: number;
  SCARD_SHARE_SHARED: number;
  SCARD_STATE_PRESENT: number;
  SCARD_LEAVE_CARD: number;
  on(event: "status", listener: (status: { state: number; atr?: Buffer }) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  connect(options: { share_mode: number }, callback: (error: Error | null, protocol: number) => void): void;
  transmit(data: Buffer, maxResponseBytes: number, protocol: number, callback: (error: Error | null, data: Buffer) => void): void;
  disconnect(disposition: number, callback: (error: Error | null) => void): void;
  close(): void;
}
interface Pcsc {
  on(event: "reader", listener: (reader: PcscReader) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  close(): void;
}

function loadPcsclite(): () => Pcsc {
  try {
    return createRequire(import.meta.url)("pcsclite") as () => Pcsc;
  } catch (error) {
    throw new TransportError(`PC/SC support is not installed (npm package pcsclite, built against libpcsclite-dev: ${(error as Error).message.split("\n")[0]})`);
  }
}

/** How long to collect reader announcements from pcscd. */
const DISCOVERY_MS = 600;
/** Extended APDU replies: 64 KiB and the status word. */
const MAX_REPLY_BYTES = 65538;

/** Stops pcsclite's watcher threads (each reader has one) so that the process can exit. */
function closeAll(pcsc: Pcsc, readers: PcscReader[]): void {
  for (const reader of readers) reader.close();
  pcsc.close();
}

/** Readers that hold a card, after pcscd has announced them (`all`: every reader, to close). */
async function readersWithCards(): Promise<{ pcsc: Pcsc; readers: PcscReader[]; all: PcscReader[] }> {
  let pcsc: Pcsc;
  try {
    pcsc = loadPcsclite()();
  } catch (error) {
    if (error instanceof TransportError) throw error;
    throw new TransportError(`PC/SC: ${(error as Error).message} (is pcscd running?)`);
  }
  const readers: PcscReader[] = [];
  const present = new Set<PcscReader>();
  let failure: Error | null = null;
  await new Promise<void>((resolve) => {
    pcsc.on("error", (error) => { failure = error; resolve(); });
    pcsc.on("reader", (reader) => {
      readers.push(reader);
      reader.on("error", () => {});
      reader.on("status", (status) => {
        if (status.state & reader.SCARD_STATE_PRESENT) present.add(reader);
        else present.delete(reader);
      });
    });
    setTimeout(resolve, DISCOVERY_MS);
  });
  if (failure !== null && readers.length === 0) {
    closeAll(pcsc, readers);
    throw new TransportError(`PC/SC: ${(failure as Error).message} (is pcscd running?)`);
  }
  return { pcsc, readers: readers.filter((reader) => present.has(reader)), all: readers };
}

export class PcscTransport implements Transport {
  private constructor(private readonly pcsc: Pcsc, private readonly reader: PcscReader, private readonly protocol: number,
    private readonly allReaders: PcscReader[]) {}

  get description(): string {
    return `PC/SC reader '${this.reader.name}'`;
  }

  static async open(readerQuery: string | undefined): Promise<PcscTransport> {
    const { pcsc, readers, all } = await readersWithCards();
    const matches = readerQuery === undefined ? readers : readers.filter((reader) => reader.name.toLowerCase().includes(readerQuery.toLowerCase()));
    if (matches.length !== 1) {
      closeAll(pcsc, all);
      const names = readers.map((reader) => `'${reader.name}'`).join(", ") || "none";
      throw new TransportError(matches.length === 0
        ? `no PC/SC reader with a card${readerQuery ? ` matching '${readerQuery}'` : ""} (readers with cards: ${names})`
        : `several PC/SC readers match (${names}); name one with --device pcsc:NAME`);
    }
    const reader = matches[0];
    const protocol = await new Promise<number>((resolve, reject) => {
      reader.connect({ share_mode: reader.SCARD_SHARE_SHARED }, (error, chosen) => (error ? reject(error) : resolve(chosen)));
    }).catch((error: Error) => {
      closeAll(pcsc, all);
      throw new TransportError(`cannot connect to '${reader.name}': ${error.message}`);
    });
    return new PcscTransport(pcsc, reader, protocol, all);
  }

  transmit(apdu: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.reader.transmit(Buffer.from(apdu), MAX_REPLY_BYTES, this.protocol, (error, data) => {
        if (error) reject(new TransportError(`PC/SC transmit: ${error.message}`));
        else resolve(new Uint8Array(data));
      });
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.reader.disconnect(this.reader.SCARD_LEAVE_CARD, () => resolve()));
    closeAll(this.pcsc, this.allReaders);
  }
}

export const pcscKind: TransportKind = {
  kind: "pcsc",
  async detect() {
    let found: { pcsc: Pcsc; readers: PcscReader[]; all: PcscReader[] };
    try {
      found = await readersWithCards();
    } catch {
      return [];
    }
    const names = found.readers.map((reader) => reader.name);
    closeAll(found.pcsc, found.all);
    return names;
  },
  open(target) {
    return PcscTransport.open(target);
  },
};
