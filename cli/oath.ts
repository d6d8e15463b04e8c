// The YKOATH protocol (the YubiKey OATH application) as the token speaks it: no UI, only APDUs.
// Command set and encodings as ykman uses them (yubikit/oath.py): SELECT, PUT, DELETE, LIST,
// RENAME, CALCULATE, CALCULATE ALL, SET CODE, VALIDATE, RESET.
import { createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import type { Transport } from "./transport/transport.js";
import { TransportError } from "./transport/transport.js";
import { ApduError, concat, parseTlvs, sendCommand, tlv, Tlv } from "./apdu.js";
import { Algorithm, Credential, OtpType, splitStoredName, storedName } from "./parse/credential.js";

export const OATH_AID = new Uint8Array([0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01]);

const INS_SELECT = 0xa4;
const INS_PUT = 0x01;
const INS_DELETE = 0x02;
const INS_SET_CODE = 0x03;
const INS_RESET = 0x04;
const INS_RENAME = 0x05;
const INS_LIST = 0xa1;
const INS_CALCULATE = 0xa2;
const INS_VALIDATE = 0xa3;
const INS_CALCULATE_ALL = 0xa4;

const TAG_NAME = 0x71;
const TAG_NAME_LIST = 0x72;
const TAG_KEY = 0x73;
const TAG_CHALLENGE = 0x74;
const TAG_RESPONSE = 0x75;
const TAG_TRUNCATED = 0x76;
const TAG_HOTP = 0x77;
const TAG_PROPERTY = 0x78;
const TAG_VERSION = 0x79;
const TAG_IMF = 0x7a;
const TAG_ALGORITHM = 0x7b;
const TAG_TOUCH = 0x7c;

const TYPE_HOTP = 0x10;
const TYPE_TOTP = 0x20;
const PROPERTY_REQUIRE_TOUCH = 0x02;
const ALGORITHM_CODE: Record<Algorithm, number> = { SHA1: 1, SHA256: 2, SHA512: 3 };
const ALGORITHM_BY_CODE: Record<number, Algorithm> = { 1: "SHA1", 2: "SHA256", 3: "SHA512" };
const NODE_HASH: Record<Algorithm, string> = { SHA1: "sha1", SHA256: "sha256", SHA512: "sha512" };

/** PBKDF2 parameters ykman uses to turn a password into the access key. */
const ACCESS_KEY_ITERATIONS = 1000;
const ACCESS_KEY_BYTES = 16;

export interface OathInfo {
  version: string;
  /** The salt for the access key (YKOATH calls it the device id). */
  salt: Uint8Array;
  /** Present when an access password is set. */
  challenge?: Uint8Array;
  algorithm: Algorithm;
}

export interface ListedCredential {
  name: string;
  type: OtpType;
  algorithm: Algorithm;
  issuer: string;
  account: string;
  periodSeconds: number;
}

export type CodeResult =
  | { kind: "code"; code: string; validFromSeconds?: number; validToSeconds?: number }
  | { kind: "touch" }
  | { kind: "hotp" };

export class OathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OathError";
  }
}

export function deriveAccessKey(password: string, salt: Uint8Array): Uint8Array {
  return new Uint8Array(pbkdf2Sync(Buffer.from(password, "utf8"), salt, ACCESS_KEY_ITERATIONS, ACCESS_KEY_BYTES, "sha1"));
}

function hmac(algorithm: Algorithm, key: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(NODE_HASH[algorithm], key).update(message).digest());
}

/** The TOTP challenge: the time step as 8 big-endian bytes. */
export function timeChallenge(unixSeconds: number, periodSeconds: number): Uint8Array {
  const step = BigInt(Math.floor(unixSeconds / periodSeconds));
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, step);
  return out;
}

/** Formats a truncated response ([digits][4 bytes]) as a code string. */
export function formatTruncated(value: Uint8Array): string {
  if (value.length !== 5) throw new TransportError(`truncated response of ${value.length} bytes`);
  const digits = value[0];
  const number = (((value[1] << 24) | (value[2] << 16) | (value[3] << 8) | value[4]) >>> 0) & 0x7fffffff;
  return (BigInt(number) % 10n ** BigInt(digits)).toString().padStart(digits, "0");
}

function find(tlvs: Tlv[], tag: number): Uint8Array | undefined {
  return tlvs.find((entry) => entry.tag === tag)?.value;
}

const utf8 = new TextDecoder();
const encodeText = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));

/** Which applet the token has selected: shared by the sessions of one transport. */
export interface AppletSelection {
  current: "oath" | "extension" | null;
}

/**
 * VALIDATE: answers the token's SELECT challenge with HMAC(key, challenge) and checks the token's
 * answer to ours, so a fake token cannot pass as the real one. Shared by both applets.
 */
export async function proveAccess(
  transport: Transport, password: string, salt: Uint8Array, challenge: Uint8Array, algorithm: Algorithm,
): Promise<void> {
  const key = deriveAccessKey(password, salt);
  const ourChallenge = new Uint8Array(randomBytes(8));
  let reply: Uint8Array;
  try {
    reply = await sendCommand(transport, "VALIDATE", 0x00, INS_VALIDATE, 0, 0, concat([
      tlv(TAG_RESPONSE, hmac(algorithm, key, challenge)), tlv(TAG_CHALLENGE, ourChallenge),
    ]));
  } catch (error) {
    if (error instanceof ApduError) throw new OathError("wrong password");
    throw error;
  }
  const tokenResponse = find(parseTlvs(reply, "VALIDATE"), TAG_RESPONSE);
  const expected = hmac(algorithm, key, ourChallenge);
  if (!tokenResponse || tokenResponse.length !== expected.length || !timingSafeEqual(tokenResponse, expected)) {
    throw new OathError("the token's answer to VALIDATE is wrong: not the token you set the password on?");
  }
}

export class OathSession {
  info: OathInfo | null = null;
  /** Remembered after a successful validate(), to unlock again after another applet was selected. */
  private password: string | undefined;

  constructor(readonly transport: Transport, readonly selection: AppletSelection = { current: null }) {}

  /** Selects OATH again (and unlocks) when another applet was selected in between. */
  private async ready(): Promise<void> {
    if (this.selection.current !== "oath" || !this.info) {
      await this.select();
      if (this.locked && this.password !== undefined) await this.validate(this.password);
    }
  }

  private async send(what: string, ins: number, p1: number, p2: number, data?: Uint8Array): Promise<Uint8Array> {
    await this.ready();
    return sendCommand(this.transport, what, 0x00, ins, p1, p2, data);
  }

  async select(): Promise<OathInfo> {
    const reply = await sendCommand(this.transport, "SELECT OATH", 0x00, INS_SELECT, 0x04, 0x00, OATH_AID);
    this.selection.current = "oath";
    const tlvs = parseTlvs(reply, "SELECT OATH");
    const version = find(tlvs, TAG_VERSION) ?? new Uint8Array(0);
    const algorithmCode = find(tlvs, TAG_ALGORITHM)?.[0] ?? 1;
    this.info = {
      version: [...version].join("."),
      salt: find(tlvs, TAG_NAME) ?? new Uint8Array(0),
      challenge: find(tlvs, TAG_CHALLENGE),
      algorithm: ALGORITHM_BY_CODE[algorithmCode] ?? "SHA1",
    };
    this.passwordWasSet = this.info.challenge !== undefined;
    return this.info;
  }

  /** Whether SELECT reported a password (stays true after a successful VALIDATE). */
  passwordWasSet = false;

  get locked(): boolean {
    return this.info?.challenge !== undefined;
  }

  /** Proves the password (after select()); throws OathError when it is wrong. */
  async validate(password: string): Promise<void> {
    const info = this.info ?? (await this.select());
    if (!info.challenge) return;
    await proveAccess(this.transport, password, info.salt, info.challenge, info.algorithm);
    info.challenge = undefined;
    this.password = password;
  }

  async setPassword(password: string): Promise<void> {
    await this.ready();
    const info = this.info!;
    const key = deriveAccessKey(password, info.salt);
    const challenge = new Uint8Array(randomBytes(8));
    await this.send("SET CODE", INS_SET_CODE, 0, 0, concat([
      tlv(TAG_KEY, concat([new Uint8Array([TYPE_TOTP | ALGORITHM_CODE.SHA1]), key])),
      tlv(TAG_CHALLENGE, challenge),
      tlv(TAG_RESPONSE, hmac("SHA1", key, challenge)),
    ]));
    this.password = password;
  }

  async clearPassword(): Promise<void> {
    await this.send("SET CODE", INS_SET_CODE, 0, 0, tlv(TAG_KEY));
    this.password = undefined;
  }

  async put(credential: Credential): Promise<string> {
    const name = storedName(credential);
    const typeAlgorithm = (credential.type === "hotp" ? TYPE_HOTP : TYPE_TOTP) | ALGORITHM_CODE[credential.algorithm];
    const parts = [
      tlv(TAG_NAME, encodeText(name)),
      tlv(TAG_KEY, concat([new Uint8Array([typeAlgorithm, credential.digits]), credential.secret])),
    ];
    // ykman sends the touch property as a bare tag and value, without a length.
    if (credential.touch) parts.push(new Uint8Array([TAG_PROPERTY, PROPERTY_REQUIRE_TOUCH]));
    if (credential.type === "hotp" && credential.counter > 0) {
      const counter = new Uint8Array(4);
      new DataView(counter.buffer).setUint32(0, credential.counter);
      parts.push(tlv(TAG_IMF, counter));
    }
    await this.send("PUT", INS_PUT, 0, 0, concat(parts));
    return name;
  }

  async delete(name: string): Promise<void> {
    await this.send("DELETE", INS_DELETE, 0, 0, tlv(TAG_NAME, encodeText(name)));
  }

  async rename(oldName: string, newName: string): Promise<void> {
    await this.send("RENAME", INS_RENAME, 0, 0, concat([tlv(TAG_NAME, encodeText(oldName)), tlv(TAG_NAME, encodeText(newName))]));
  }

  async list(): Promise<ListedCredential[]> {
    const reply = await this.send("LIST", INS_LIST, 0, 0);
    return parseTlvs(reply, "LIST").filter((entry) => entry.tag === TAG_NAME_LIST).map((entry) => {
      const typeAlgorithm = entry.value[0];
      const type: OtpType = (typeAlgorithm & 0xf0) === TYPE_HOTP ? "hotp" : "totp";
      const name = utf8.decode(entry.value.subarray(1));
      const split = splitStoredName(name, type);
      return { name, type, algorithm: ALGORITHM_BY_CODE[typeAlgorithm & 0x0f] ?? "SHA1", ...split };
    });
  }

  /** One code; TOTP at `unixSeconds` with the period from the name. Waits for a touch if needed. */
  async calculate(credential: ListedCredential, unixSeconds: number): Promise<CodeResult> {
    const challenge = credential.type === "totp" ? timeChallenge(unixSeconds, credential.periodSeconds) : new Uint8Array(0);
    const reply = await this.send("CALCULATE", INS_CALCULATE, 0, 0x01, concat([
      tlv(TAG_NAME, encodeText(credential.name)), tlv(TAG_CHALLENGE, challenge),
    ]));
    const truncated = find(parseTlvs(reply, "CALCULATE"), TAG_TRUNCATED);
    if (!truncated) throw new TransportError("CALCULATE: no code in the reply");
    return { kind: "code", code: formatTruncated(truncated), ...this.validity(credential, unixSeconds) };
  }

  private validity(credential: ListedCredential, unixSeconds: number): { validFromSeconds?: number; validToSeconds?: number } {
    if (credential.type !== "totp") return {};
    const from = Math.floor(unixSeconds / credential.periodSeconds) * credential.periodSeconds;
    return { validFromSeconds: from, validToSeconds: from + credential.periodSeconds };
  }

  /**
   * Codes of every credential (CALCULATE ALL with the 30 s challenge, then one CALCULATE for each
   * TOTP credential with another period, as ykman does). HOTP and touch credentials are not computed.
   */
  async calculateAll(unixSeconds: number, listed?: ListedCredential[]): Promise<Map<string, CodeResult>> {
    const reply = await this.send("CALCULATE ALL", INS_CALCULATE_ALL, 0, 0x01, tlv(TAG_CHALLENGE, timeChallenge(unixSeconds, 30)));
    const tlvs = parseTlvs(reply, "CALCULATE ALL");
    const results = new Map<string, CodeResult>();
    const credentials = listed ?? (await this.list());
    const byName = new Map(credentials.map((credential) => [credential.name, credential]));
    for (let i = 0; i + 1 < tlvs.length; i += 2) {
      if (tlvs[i].tag !== TAG_NAME) throw new TransportError("CALCULATE ALL: unexpected reply layout");
      const name = utf8.decode(tlvs[i].value);
      const answer = tlvs[i + 1];
      const credential = byName.get(name) ?? { name, ...splitStoredName(name, answer.tag === TAG_HOTP ? "hotp" : "totp"), type: answer.tag === TAG_HOTP ? "hotp" : "totp", algorithm: "SHA1" };
      if (answer.tag === TAG_TOUCH) results.set(name, { kind: "touch" });
      else if (answer.tag === TAG_HOTP) results.set(name, { kind: "hotp" });
      else if (answer.tag === TAG_TRUNCATED) {
        if (credential.type === "totp" && credential.periodSeconds !== 30) {
          results.set(name, await this.calculate(credential as ListedCredential, unixSeconds));
        } else {
          results.set(name, { kind: "code", code: formatTruncated(answer.value), ...this.validity(credential as ListedCredential, unixSeconds) });
        }
      } else throw new TransportError(`CALCULATE ALL: unexpected tag 0x${answer.tag.toString(16)}`);
    }
    return results;
  }

  /** Erases every credential and the password. */
  async reset(): Promise<void> {
    await this.send("RESET", INS_RESET, 0xde, 0xad);
    this.info = null;
  }
}
