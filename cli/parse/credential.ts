// The credential a token slot holds, as every importer produces it, and the token's limits.
import { ParseError, describeValue } from "./errors.js";

export type OtpType = "totp" | "hotp";
export type Algorithm = "SHA1" | "SHA256" | "SHA512";
export const ALGORITHMS: readonly Algorithm[] = ["SHA1", "SHA256", "SHA512"];

/** Token limits (docs/SPEC.md): the module refuses anything outside them. */
export const NAME_MAX_BYTES = 64;
export const SECRET_MAX_BYTES = 128;
export const DIGITS_MIN = 4;
export const DIGITS_MAX = 10;
/** YKOATH's PUT carries only 6, 7 or 8 digits; other lengths need the extension applet. */
export const YKOATH_DIGITS_MIN = 6;
export const YKOATH_DIGITS_MAX = 8;
export const PERIOD_MIN_SECONDS = 1;
export const PERIOD_MAX_SECONDS = 255;
export const DEFAULT_PERIOD_SECONDS = 30;
export const SLOT_COUNT = 100;

export interface Credential {
  type: OtpType;
  issuer: string;
  account: string;
  secret: Uint8Array;
  algorithm: Algorithm;
  digits: number;
  periodSeconds: number;
  /** HOTP initial counter (0 for TOTP). */
  counter: number;
  touch: boolean;
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** The name stored on the token: "issuer:account", with ykman's "period/" prefix when not 30 s. */
export function storedName(credential: Pick<Credential, "type" | "issuer" | "account" | "periodSeconds">): string {
  const base = credential.issuer ? `${credential.issuer}:${credential.account}` : credential.account;
  if (credential.type === "totp" && credential.periodSeconds !== DEFAULT_PERIOD_SECONDS) {
    return `${credential.periodSeconds}/${base}`;
  }
  return base;
}

/** Splits a stored name back into period, issuer and account, as ykman does. */
export function splitStoredName(name: string, type: OtpType): { periodSeconds: number; issuer: string; account: string } {
  let rest = name;
  let periodSeconds = DEFAULT_PERIOD_SECONDS;
  const periodMatch = type === "totp" ? /^(\d+)\/(.+)$/s.exec(rest) : null;
  if (periodMatch) {
    periodSeconds = Number(periodMatch[1]);
    rest = periodMatch[2];
  }
  const colon = rest.indexOf(":");
  if (colon < 0) return { periodSeconds, issuer: "", account: rest };
  return { periodSeconds, issuer: rest.slice(0, colon), account: rest.slice(colon + 1) };
}

export function parseAlgorithm(text: string): Algorithm {
  const normalized = text.trim().toUpperCase().replace(/^HMAC-?/, "").replace("-", "");
  if ((ALGORITHMS as readonly string[]).includes(normalized)) return normalized as Algorithm;
  throw new ParseError(`unknown algorithm ${describeValue(text)} (use SHA1, SHA256 or SHA512)`);
}

export function parseIntegerField(text: string | number, what: string): number {
  const value = typeof text === "number" ? text : /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw new ParseError(`${what} ${describeValue(text)} is not a whole number`);
  return value;
}

export function checkDigits(digits: number): number {
  if (!Number.isInteger(digits) || digits < DIGITS_MIN || digits > DIGITS_MAX) {
    throw new ParseError(`digits ${digits} is out of range (${DIGITS_MIN}-${DIGITS_MAX})`);
  }
  return digits;
}

export function checkPeriod(periodSeconds: number): number {
  if (!Number.isInteger(periodSeconds) || periodSeconds < PERIOD_MIN_SECONDS || periodSeconds > PERIOD_MAX_SECONDS) {
    throw new ParseError(`period ${periodSeconds} s is out of range (${PERIOD_MIN_SECONDS}-${PERIOD_MAX_SECONDS})`);
  }
  return periodSeconds;
}

export function checkCounter(counter: number): number {
  if (!Number.isSafeInteger(counter) || counter < 0 || counter > 0xffffffff) {
    throw new ParseError(`counter ${counter} is out of range (0-4294967295)`);
  }
  return counter;
}

/** Checks every field against the token's limits; returns the credential or throws ParseError. */
export function validateCredential(credential: Credential): Credential {
  if (credential.secret.length === 0) throw new ParseError("the secret is empty");
  if (credential.secret.length > SECRET_MAX_BYTES) {
    throw new ParseError(`the secret is ${credential.secret.length} bytes; the token holds at most ${SECRET_MAX_BYTES}`);
  }
  checkDigits(credential.digits);
  if (credential.type === "totp") checkPeriod(credential.periodSeconds);
  else checkCounter(credential.counter);
  if (credential.account.length === 0 && credential.issuer.length === 0) throw new ParseError("the name is empty");
  if (credential.issuer.includes(":")) throw new ParseError(`the issuer '${credential.issuer}' contains ':'`);
  const name = storedName(credential);
  const nameBytes = utf8Bytes(name);
  if (nameBytes > NAME_MAX_BYTES) {
    throw new ParseError(`the name '${name}' is ${nameBytes} bytes in UTF-8; the token holds at most ${NAME_MAX_BYTES}`);
  }
  return credential;
}

/** A credential with defaults filled in, then validated. */
export function makeCredential(fields: Partial<Credential> & { secret: Uint8Array }): Credential {
  let issuer = fields.issuer ?? "";
  let account = fields.account ?? "";
  // An issuer alone (no account) is stored as the bare name, not "issuer:".
  if (account === "" && issuer !== "") [account, issuer] = [issuer, ""];
  return validateCredential({
    type: fields.type ?? "totp",
    issuer,
    account,
    secret: fields.secret,
    algorithm: fields.algorithm ?? "SHA1",
    digits: fields.digits ?? 6,
    periodSeconds: fields.periodSeconds ?? DEFAULT_PERIOD_SECONDS,
    counter: fields.counter ?? 0,
    touch: fields.touch ?? false,
  });
}
