// Test helpers for the APDU applets: APDU and TLV encoding written from the YKOATH and ISO 7816-4
// descriptions (independent of the module), and a client that follows 61xx chaining.
import { createHmac, pbkdf2Sync } from "node:crypto";
import { Token } from "../host-sim/token.js";
import { SimClock } from "../host-sim/clock.js";

export const OATH_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01]);
export const EXTENSION_AID = Uint8Array.from([0xf0, 0x74, 0x6f, 0x74, 0x70, 0x6b, 0x65, 0x79, 0x01]);

export const TAG = {
  NAME: 0x71, NAME_LIST: 0x72, KEY: 0x73, CHALLENGE: 0x74, RESPONSE: 0x75, TRUNCATED: 0x76, HOTP: 0x77,
  PROPERTY: 0x78, VERSION: 0x79, IMF: 0x7a, ALGORITHM: 0x7b, TOUCH: 0x7c, PERIOD: 0x7d,
} as const;

export const INS = {
  PUT: 0x01, DELETE: 0x02, SET_CODE: 0x03, RESET: 0x04, RENAME: 0x05, LIST: 0xa1, CALCULATE: 0xa2,
  VALIDATE: 0xa3, CALCULATE_ALL: 0xa4, SEND_REMAINING: 0xa5, SELECT: 0xa4,
} as const;

export const EXT = {
  PUT_SLOT: 0x01, DELETE_SLOT: 0x02, MOVE_SLOT: 0x03, LIST_SLOTS: 0x04, DEVICE_INFO: 0x10, GET_CLOCK: 0x20,
  SET_CLOCK: 0x21, GET_SETTING: 0x30, PUT_SETTING: 0x31, FACTORY_RESET: 0x40,
} as const;

export const ALGORITHMS = { SHA1: 1, SHA256: 2, SHA512: 3 } as const;
export const HASH_NAMES = { 1: "sha1", 2: "sha256", 3: "sha512" } as const;
export type AlgorithmId = 1 | 2 | 3;

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** BER-TLV with a one-byte tag (lengths 0x81 / 0x82 beyond 127). */
export function tlv(tag: number, value: Uint8Array | number[]): Uint8Array {
  const v = value instanceof Uint8Array ? value : Uint8Array.from(value);
  const length = v.length < 0x80 ? [v.length] : v.length < 0x100 ? [0x81, v.length] : [0x82, v.length >> 8, v.length & 0xff];
  return concat([tag, ...length], v);
}

export interface Element {
  tag: number;
  value: Uint8Array;
}

/** Parses a reply's TLV list (one-byte tags, BER lengths). Throws on malformed data. */
export function parseTlvs(data: Uint8Array): Element[] {
  const out: Element[] = [];
  let at = 0;
  while (at < data.length) {
    const tag = data[at++];
    let length = data[at++];
    if (length === 0x81) length = data[at++];
    else if (length === 0x82) {
      length = (data[at] << 8) | data[at + 1];
      at += 2;
    } else if (length > 0x80) throw new Error(`bad TLV length byte ${length.toString(16)}`);
    if (at + length > data.length) throw new Error("TLV runs past the end");
    out.push({ tag, value: data.slice(at, at + length) });
    at += length;
  }
  return out;
}

/** A command APDU: short encoding when it fits, else extended. `le` undefined: no Le field. */
export function apdu(cla: number, ins: number, p1: number, p2: number, data: Uint8Array = new Uint8Array(0), le?: number): Uint8Array {
  const extended = data.length > 255 || (le !== undefined && le > 256);
  if (!extended) {
    const lc = data.length > 0 ? [data.length] : [];
    const leField = le === undefined ? [] : [le === 256 ? 0 : le];
    return concat([cla, ins, p1, p2, ...lc], data, leField);
  }
  const lc = data.length > 0 ? [0, data.length >> 8, data.length & 0xff] : [0];
  const leField = le === undefined ? [] : data.length > 0 ? [(le >> 8) & 0xff, le & 0xff] : [(le >> 8) & 0xff, le & 0xff];
  return concat([cla, ins, p1, p2, ...lc], data, leField);
}

export interface Reply {
  data: Uint8Array;
  sw: number;
  /** Every raw response APDU the exchange produced (for leak scans). */
  raw: Uint8Array[];
}

export const swOf = (response: Uint8Array): number => (response[response.length - 2] << 8) | response[response.length - 1];

/** Sends a command and follows 61xx with SEND REMAINING (YKOATH 0xA5) until the last chunk. */
export function send(token: Token, command: Uint8Array, sendRemainingIns: number = INS.SEND_REMAINING): Reply {
  const raw: Uint8Array[] = [];
  const chunks: Uint8Array[] = [];
  let response = token.apdu(command);
  if (response === null) throw new Error("reply deferred (waiting for a press)");
  for (;;) {
    raw.push(response);
    chunks.push(response.subarray(0, response.length - 2));
    const sw = swOf(response);
    if (sw >> 8 !== 0x61) return { data: concat(...chunks), sw, raw };
    response = token.apdu(Uint8Array.from([0x00, sendRemainingIns, 0x00, 0x00]));
    if (response === null) throw new Error("SEND REMAINING deferred");
  }
}

export interface CredentialSpec {
  name: string;
  secret: Uint8Array;
  type?: "totp" | "hotp";
  algorithm?: AlgorithmId;
  digits?: number;
  touch?: boolean;
  counter?: number;
}

/** The PUT data as ykman builds it (name, key, property without length, IMF). */
export function putData(spec: CredentialSpec): Uint8Array {
  const typeNibble = spec.type === "hotp" ? 0x10 : 0x20;
  const parts = [
    tlv(TAG.NAME, utf8(spec.name)),
    tlv(TAG.KEY, concat([typeNibble | (spec.algorithm ?? 1), spec.digits ?? 6], spec.secret)),
  ];
  if (spec.touch) parts.push(Uint8Array.from([TAG.PROPERTY, 0x02]));
  if (spec.counter !== undefined) {
    const imf = new Uint8Array(4);
    new DataView(imf.buffer).setUint32(0, spec.counter);
    parts.push(tlv(TAG.IMF, imf));
  }
  return concat(...parts);
}

export function hmac(algorithm: AlgorithmId, key: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(HASH_NAMES[algorithm], key).update(message).digest());
}

export function counterBytes(counter: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(counter));
  return out;
}

/** RFC 4226 dynamic truncation, written independently of the module. */
export function truncate(digest: Uint8Array): number {
  const offset = digest[digest.length - 1] & 0x0f;
  return ((digest[offset] & 0x7f) << 24) | (digest[offset + 1] << 16) | (digest[offset + 2] << 8) | digest[offset + 3];
}

export function derivePasswordKey(password: string, salt: Uint8Array): Uint8Array {
  return new Uint8Array(pbkdf2Sync(password, salt, 1000, 16, "sha1"));
}

/** A fresh token on a fresh flash, clock at `unixSeconds`. */
export function freshToken(unixSeconds = 1_700_000_000): Token {
  const token = new Token({ clock: new SimClock(unixSeconds) });
  if (token.initStatus !== 0) throw new Error(`init failed: ${token.initStatus}`);
  return token;
}

export function selectOath(token: Token): Reply {
  return send(token, apdu(0x00, INS.SELECT, 0x04, 0x00, OATH_AID));
}

export function selectExtension(token: Token): Reply {
  return send(token, apdu(0x00, INS.SELECT, 0x04, 0x00, EXTENSION_AID));
}

export function put(token: Token, spec: CredentialSpec): Reply {
  return send(token, apdu(0x00, INS.PUT, 0, 0, putData(spec)));
}

/** LIST as name -> type|algorithm byte. */
export function list(token: Token): Map<string, number> {
  const reply = send(token, apdu(0x00, INS.LIST, 0, 0));
  if (reply.sw !== 0x9000) throw new Error(`LIST failed: ${reply.sw.toString(16)}`);
  const out = new Map<string, number>();
  for (const e of parseTlvs(reply.data)) out.set(new TextDecoder().decode(e.value.subarray(1)), e.value[0]);
  return out;
}

/** The full state a test can see through the protocol: LIST plus the extension's slot list. */
export function visibleState(token: Token): string {
  const slots = send(token, apdu(0x80, EXT.LIST_SLOTS, 0, 0));
  return `${hex(slots.data)}/${slots.sw.toString(16)}`;
}
