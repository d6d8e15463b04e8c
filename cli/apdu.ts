// ISO 7816-4 command encoding, status words, and replies chained with 61xx (fetched with
// SEND REMAINING, as YKOATH does).
import type { Transport } from "./transport/transport.js";
import { TransportError } from "./transport/transport.js";

export const SW_OK = 0x9000;
export const SW_MORE_DATA_PREFIX = 0x61;
export const SW_WRONG_LENGTH = 0x6700;
export const SW_SECURITY_NOT_SATISFIED = 0x6982;
export const SW_NO_SUCH_OBJECT = 0x6984;
export const SW_CONDITIONS_NOT_SATISFIED = 0x6985;
export const SW_WRONG_DATA = 0x6a80;
export const SW_FILE_NOT_FOUND = 0x6a82;
export const SW_NO_SPACE = 0x6a84;
export const SW_ALREADY_EXISTS = 0x6a89;
export const SW_WRONG_P1P2 = 0x6b00;
export const SW_INS_NOT_SUPPORTED = 0x6d00;
export const SW_CLA_NOT_SUPPORTED = 0x6e00;
export const SW_MEMORY_FAILURE = 0x6581;

export const INS_SEND_REMAINING = 0xa5;

const SW_TEXT: Record<number, string> = {
  [SW_WRONG_LENGTH]: "wrong length",
  [SW_SECURITY_NOT_SATISFIED]: "access denied (password required, or no press on the token in time)",
  [SW_NO_SUCH_OBJECT]: "no such credential",
  [SW_CONDITIONS_NOT_SATISFIED]: "refused in the token's current state",
  [SW_WRONG_DATA]: "the token refused the data",
  [SW_FILE_NOT_FOUND]: "applet not found",
  [SW_NO_SPACE]: "no space left on the token",
  [SW_ALREADY_EXISTS]: "already exists",
  [SW_WRONG_P1P2]: "wrong parameters",
  [SW_INS_NOT_SUPPORTED]: "command not supported by this token",
  [SW_CLA_NOT_SUPPORTED]: "class not supported",
  [SW_MEMORY_FAILURE]: "the token's memory failed",
};

/** The token answered with an error status word. */
export class ApduError extends Error {
  constructor(readonly sw: number, readonly command: string) {
    super(`${command}: ${SW_TEXT[sw] ?? "error"} (SW ${sw.toString(16).toUpperCase().padStart(4, "0")})`);
    this.name = "ApduError";
  }
}

/** Encodes a command APDU: short lengths when the data fits 255 bytes, extended otherwise. */
export function encodeApdu(cla: number, ins: number, p1: number, p2: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (data.length === 0) return new Uint8Array([cla, ins, p1, p2]);
  if (data.length <= 255) return new Uint8Array([cla, ins, p1, p2, data.length, ...data]);
  if (data.length > 65535) throw new RangeError("APDU data over 65535 bytes");
  return new Uint8Array([cla, ins, p1, p2, 0, data.length >> 8, data.length & 0xff, ...data]);
}

function splitReply(reply: Uint8Array): { data: Uint8Array; sw: number } {
  if (reply.length < 2) throw new TransportError(`reply of ${reply.length} bytes has no status word`);
  return { data: reply.subarray(0, reply.length - 2), sw: (reply[reply.length - 2] << 8) | reply[reply.length - 1] };
}

/**
 * Sends a command and collects a chained reply. Returns the data; throws ApduError on an error SW.
 * `what` names the command in error messages.
 */
export async function sendCommand(
  transport: Transport, what: string, cla: number, ins: number, p1: number, p2: number, data?: Uint8Array,
): Promise<Uint8Array> {
  let { data: chunk, sw } = splitReply(await transport.transmit(encodeApdu(cla, ins, p1, p2, data)));
  const parts: Uint8Array[] = [chunk];
  let rounds = 0;
  while (sw >> 8 === SW_MORE_DATA_PREFIX) {
    if (++rounds > 4096) throw new TransportError(`${what}: the reply never ends`);
    // SEND REMAINING is an inter-industry command (CLA 00) whatever class the command had.
    ({ data: chunk, sw } = splitReply(await transport.transmit(encodeApdu(0x00, INS_SEND_REMAINING, 0, 0))));
    parts.push(chunk);
  }
  if (sw !== SW_OK) throw new ApduError(sw, what);
  return concat(parts);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// ---- BER-TLV as YKOATH uses it: one-byte tags, lengths in short or 0x81/0x82 long form ---------
export interface Tlv {
  tag: number;
  value: Uint8Array;
}

export function tlv(tag: number, value: Uint8Array | number[] = []): Uint8Array {
  const bytes = value instanceof Uint8Array ? value : new Uint8Array(value);
  const length = bytes.length;
  const header = length < 0x80 ? [tag, length] : length < 0x100 ? [tag, 0x81, length] : [tag, 0x82, length >> 8, length & 0xff];
  return concat([new Uint8Array(header), bytes]);
}

export function parseTlvs(data: Uint8Array, what: string): Tlv[] {
  const out: Tlv[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (offset + 2 > data.length) throw new TransportError(`${what}: truncated TLV in the reply`);
    const tag = data[offset++];
    let length = data[offset++];
    if (length === 0x81) {
      length = data[offset++];
    } else if (length === 0x82) {
      length = (data[offset] << 8) | data[offset + 1];
      offset += 2;
    } else if (length > 0x80) {
      throw new TransportError(`${what}: unsupported TLV length form 0x${length.toString(16)}`);
    }
    if (offset + length > data.length) throw new TransportError(`${what}: TLV runs past the end of the reply`);
    out.push({ tag, value: data.slice(offset, offset + length) });
    offset += length;
  }
  return out;
}
