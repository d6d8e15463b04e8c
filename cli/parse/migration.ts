// Google Authenticator's "Transfer accounts" export: otpauth-migration://offline?data=BASE64,
// a protobuf MigrationPayload of OtpParameters, possibly split over several QR codes (batches).
import { Credential, makeCredential, Algorithm, OtpType } from "./credential.js";
import { ParseError } from "./errors.js";
import { ProtoReader, ProtoField, WIRE_BYTES, WIRE_VARINT } from "./protobuf.js";

// MigrationPayload fields.
const PAYLOAD_OTP_PARAMETERS = 1;
const PAYLOAD_BATCH_SIZE = 3;
const PAYLOAD_BATCH_INDEX = 4;
const PAYLOAD_BATCH_ID = 5;
// OtpParameters fields.
const OTP_SECRET = 1;
const OTP_NAME = 2;
const OTP_ISSUER = 3;
const OTP_ALGORITHM = 4;
const OTP_DIGITS = 5;
const OTP_TYPE = 6;
const OTP_COUNTER = 7;

const ALGORITHM_BY_CODE: Record<number, Algorithm | "MD5"> = { 0: "SHA1", 1: "SHA1", 2: "SHA256", 3: "SHA512", 4: "MD5" };
const DIGITS_BY_CODE: Record<number, number> = { 0: 6, 1: 6, 2: 8 };
const TYPE_BY_CODE: Record<number, OtpType> = { 0: "totp", 1: "hotp", 2: "totp" };

/** One entry of an export: a credential, or the reason it cannot be one. */
export type ImportEntry = { label: string; credential: Credential } | { label: string; error: string };

export interface MigrationBatch {
  entries: ImportEntry[];
  batchSize: number;
  batchIndex: number;
  batchId: number;
}

function expectBytes(field: ProtoField, what: string): Uint8Array {
  if (field.wireType !== WIRE_BYTES || !field.bytes) throw new ParseError(`migration payload: ${what} has the wrong wire type`);
  return field.bytes;
}

function expectVarint(field: ProtoField, what: string): bigint {
  if (field.wireType !== WIRE_VARINT || field.varint === undefined) {
    throw new ParseError(`migration payload: ${what} has the wrong wire type`);
  }
  return field.varint;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeText(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ParseError(`migration payload: ${what} is not valid UTF-8`);
  }
}

function parseOtpParameters(data: Uint8Array): ImportEntry {
  let secret: Uint8Array = new Uint8Array(0);
  let name = "";
  let issuer = "";
  let algorithmCode = 0;
  let digitsCode = 0;
  let typeCode = 0;
  let counter = 0n;
  for (const field of ProtoReader.fields(data)) {
    switch (field.fieldNumber) {
      case OTP_SECRET: secret = expectBytes(field, "secret"); break;
      case OTP_NAME: name = decodeText(expectBytes(field, "name"), "name"); break;
      case OTP_ISSUER: issuer = decodeText(expectBytes(field, "issuer"), "issuer"); break;
      case OTP_ALGORITHM: algorithmCode = Number(expectVarint(field, "algorithm")); break;
      case OTP_DIGITS: digitsCode = Number(expectVarint(field, "digits")); break;
      case OTP_TYPE: typeCode = Number(expectVarint(field, "type")); break;
      case OTP_COUNTER: counter = expectVarint(field, "counter"); break;
      default: break; // unknown fields are skipped, as protobuf intends
    }
  }
  // Names are often "Issuer:account" with the issuer repeated in its own field.
  let account = name;
  const colon = name.indexOf(":");
  if (colon >= 0) {
    if (!issuer) issuer = name.slice(0, colon).trim();
    account = name.slice(colon + 1).trim();
  }
  const label = issuer ? `${issuer}:${account}` : account;
  try {
    const algorithm = ALGORITHM_BY_CODE[algorithmCode];
    if (algorithm === undefined) throw new ParseError(`unknown algorithm code ${algorithmCode}`);
    if (algorithm === "MD5") throw new ParseError("MD5 is not supported by the token");
    const digits = DIGITS_BY_CODE[digitsCode];
    if (digits === undefined) throw new ParseError(`unknown digit-count code ${digitsCode}`);
    const type = TYPE_BY_CODE[typeCode];
    if (type === undefined) throw new ParseError(`unknown OTP type code ${typeCode}`);
    if (counter > 0xffffffffn) throw new ParseError(`counter ${counter} is out of range`);
    const credential = makeCredential({ type, issuer, account, secret, algorithm, digits, counter: Number(counter) });
    return { label, credential };
  } catch (error) {
    if (error instanceof ParseError) return { label, error: error.message };
    throw error;
  }
}

export function decodeMigrationPayload(payload: Uint8Array): MigrationBatch {
  const batch: MigrationBatch = { entries: [], batchSize: 1, batchIndex: 0, batchId: 0 };
  for (const field of ProtoReader.fields(payload)) {
    switch (field.fieldNumber) {
      case PAYLOAD_OTP_PARAMETERS: batch.entries.push(parseOtpParameters(expectBytes(field, "otp_parameters"))); break;
      case PAYLOAD_BATCH_SIZE: batch.batchSize = Number(expectVarint(field, "batch_size")); break;
      case PAYLOAD_BATCH_INDEX: batch.batchIndex = Number(expectVarint(field, "batch_index")); break;
      case PAYLOAD_BATCH_ID: batch.batchId = Number(BigInt.asIntN(32, expectVarint(field, "batch_id"))); break;
      default: break;
    }
  }
  return batch;
}

/** Parses one otpauth-migration://offline?data=... URI. */
export function parseMigrationUri(uri: string): MigrationBatch {
  const match = /^otpauth-migration:\/\/offline\/?\?(.*)$/is.exec(uri.trim());
  if (!match) throw new ParseError("not an otpauth-migration://offline?data=... URI");
  let data: string | undefined;
  for (const pair of match[1].split("&")) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq) === "data") data = pair.slice(eq + 1);
  }
  if (data === undefined || data === "") throw new ParseError("otpauth-migration URI: the data parameter is missing");
  let base64: string;
  try {
    base64 = decodeURIComponent(data).replace(/ /g, "+");
  } catch {
    throw new ParseError("otpauth-migration URI: the data parameter has a broken %-escape");
  }
  // Standard or URL-safe alphabet, padding optional.
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(base64)) throw new ParseError("otpauth-migration URI: data is not base64");
  const payload = new Uint8Array(Buffer.from(base64.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
  if (payload.length === 0) throw new ParseError("otpauth-migration URI: data is empty");
  return decodeMigrationPayload(payload);
}

/**
 * Joins the batches of one export and reports missing ones: Google Authenticator splits large
 * exports over several QR codes that share a batch id.
 */
export function joinBatches(batches: MigrationBatch[]): { entries: ImportEntry[]; warnings: string[] } {
  const warnings: string[] = [];
  const seen = new Map<number, Set<number>>();
  const sizes = new Map<number, number>();
  const entries: ImportEntry[] = [];
  for (const batch of batches) {
    const indexes = seen.get(batch.batchId) ?? new Set<number>();
    if (indexes.has(batch.batchIndex)) {
      warnings.push(`batch ${batch.batchIndex + 1} of ${batch.batchSize} appears twice; its second copy was ignored`);
      continue;
    }
    indexes.add(batch.batchIndex);
    seen.set(batch.batchId, indexes);
    sizes.set(batch.batchId, batch.batchSize);
    entries.push(...batch.entries);
  }
  for (const [batchId, indexes] of seen) {
    const size = sizes.get(batchId)!;
    const missing: number[] = [];
    for (let i = 0; i < size; i++) if (!indexes.has(i)) missing.push(i + 1);
    if (missing.length > 0) warnings.push(`export incomplete: QR code(s) ${missing.join(", ")} of ${size} missing`);
  }
  return { entries, warnings };
}
