// Plaintext JSON exports of two authenticator apps: Aegis and 2FAS.
import { decodeBase32 } from "./base32.js";
import { makeCredential, parseAlgorithm, OtpType, Credential } from "./credential.js";
import { ParseError, describeValue } from "./errors.js";
import type { ImportEntry } from "./migration.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

function optionalInteger(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return Number(value);
  throw new ParseError(`${what} ${describeValue(value)} is not a whole number`);
}

function entryOf(label: string, build: () => Credential): ImportEntry {
  try {
    return { label, credential: build() };
  } catch (error) {
    if (error instanceof ParseError) return { label, error: error.message };
    throw error;
  }
}

function labelOf(issuer: string, account: string, fallback: string): string {
  if (issuer && account) return `${issuer}:${account}`;
  return issuer || account || fallback;
}

function otpType(typeText: string): OtpType {
  const type = typeText.toLowerCase();
  if (type === "totp" || type === "hotp") return type;
  throw new ParseError(`type ${describeValue(typeText)} is not supported by the token (totp or hotp only)`);
}

export function isAegisExport(json: unknown): boolean {
  return isObject(json) && "db" in json && isObject(json.header);
}

/** Aegis vault export (version 1): {version, header: {slots, params}, db: {version, entries: [...]}}. */
export function parseAegis(json: unknown): ImportEntry[] {
  if (!isAegisExport(json)) throw new ParseError("not an Aegis export");
  const vault = json as Json;
  if (typeof vault.db === "string" || (isObject(vault.header) && Array.isArray(vault.header.slots))) {
    throw new ParseError("this Aegis export is encrypted; export it again as plaintext JSON (Aegis: Settings, Import & export, Export, unencrypted)");
  }
  if (!isObject(vault.db) || !Array.isArray(vault.db.entries)) throw new ParseError("Aegis export: db.entries is missing");
  return vault.db.entries.map((entry: unknown, index: number) => {
    if (!isObject(entry)) return { label: `entry ${index + 1}`, error: "not an object" };
    const issuer = text(entry.issuer);
    const account = text(entry.name);
    const label = labelOf(issuer, account, `entry ${index + 1}`);
    return entryOf(label, () => {
      const info = isObject(entry.info) ? entry.info : {};
      const type = otpType(text(entry.type) || "totp");
      return makeCredential({
        type,
        issuer,
        account,
        secret: decodeBase32(text(info.secret)),
        algorithm: info.algo === undefined ? "SHA1" : parseAlgorithm(text(info.algo)),
        digits: optionalInteger(info.digits, "digits") ?? 6,
        periodSeconds: optionalInteger(info.period, "period") ?? 30,
        counter: type === "hotp" ? optionalInteger(info.counter, "counter") ?? 0 : 0,
      });
    });
  });
}

export function isTwoFasExport(json: unknown): boolean {
  return isObject(json) && ("services" in json) && ("schemaVersion" in json || "servicesEncrypted" in json);
}

/** 2FAS backup (.2fas): {services: [{name, secret, otp: {account, issuer, digits, period, algorithm, tokenType, counter}}], schemaVersion}. */
export function parseTwoFas(json: unknown): ImportEntry[] {
  if (!isTwoFasExport(json)) throw new ParseError("not a 2FAS export");
  const backup = json as Json;
  if (typeof backup.servicesEncrypted === "string" && backup.servicesEncrypted !== "") {
    throw new ParseError("this 2FAS export is encrypted; export it again without a password");
  }
  if (!Array.isArray(backup.services)) throw new ParseError("2FAS export: services is missing");
  return backup.services.map((service: unknown, index: number) => {
    if (!isObject(service)) return { label: `service ${index + 1}`, error: "not an object" };
    const otp = isObject(service.otp) ? service.otp : {};
    const issuer = text(otp.issuer) || text(service.name);
    const account = text(otp.account) || (issuer ? "" : text(otp.label));
    const label = labelOf(issuer, account, `service ${index + 1}`);
    return entryOf(label, () => {
      const type = otpType(text(otp.tokenType) || "totp");
      return makeCredential({
        type,
        issuer,
        account,
        secret: decodeBase32(text(service.secret)),
        algorithm: otp.algorithm === undefined ? "SHA1" : parseAlgorithm(text(otp.algorithm)),
        digits: optionalInteger(otp.digits, "digits") ?? 6,
        periodSeconds: optionalInteger(otp.period, "period") ?? 30,
        counter: type === "hotp" ? optionalInteger(otp.counter, "counter") ?? 0 : 0,
      });
    });
  });
}
