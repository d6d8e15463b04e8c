// Reads any supported export file and turns it into import entries, detecting the format.
import { parseOtpauthUri } from "./otpauth.js";
import { parseMigrationUri, joinBatches, ImportEntry, MigrationBatch } from "./migration.js";
import { parseCsv } from "./csv.js";
import { isAegisExport, isTwoFasExport, parseAegis, parseTwoFas } from "./apps.js";
import { readQrText } from "./qr.js";
import { ParseError } from "./errors.js";
import { jsonErrorPosition } from "./json-position.js";

export type ImportFormat = "otpauth" | "migration" | "csv" | "aegis" | "2fas" | "qr";

export interface ImportSource {
  name: string;
  bytes: Uint8Array;
}

export interface ImportResult {
  entries: ImportEntry[];
  warnings: string[];
  formats: ImportFormat[];
}

function entryFromUri(uri: string, lineNumber: number): ImportEntry {
  try {
    const credential = parseOtpauthUri(uri);
    const label = credential.issuer ? `${credential.issuer}:${credential.account}` : credential.account;
    return { label, credential };
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    const labelMatch = /^otpauth:\/\/[^/]*\/([^?]*)/i.exec(uri);
    // Without a label the URI is shown by its line only: its text holds the secret.
    let label = `line ${lineNumber}`;
    if (labelMatch) {
      try { label = decodeURIComponent(labelMatch[1]); } catch { label = labelMatch[1]; }
    }
    return { label, error: error.message };
  }
}

/** Splits one source into entries and migration batches (joined across all sources later). */
function readSource(source: ImportSource, batches: MigrationBatch[], formats: Set<ImportFormat>): ImportEntry[] {
  const { bytes, name } = source;
  if ((bytes[0] === 0x89 && bytes[1] === 0x50) || (bytes[0] === 0xff && bytes[1] === 0xd8)) {
    formats.add("qr");
    const text = readQrText(bytes, name);
    if (!/^otpauth(-migration)?:/i.test(text.trim())) {
      // Its text is not shown: a QR code that is not a URI may be a bare secret.
      const scheme = /^([a-z][a-z0-9+.-]{0,15}):/i.exec(text.trim());
      const kind = scheme ? `a ${scheme[1].toLowerCase()}: URI` : "text";
      throw new ParseError(`${name}: the QR code holds no otpauth URI (it holds ${kind} of ${text.length} characters)`);
    }
    return readText(text, name, batches, formats);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    throw new ParseError(`${name}: not a text file, PNG or JPEG`);
  }
  return readText(text, name, batches, formats);
}

function readText(text: string, name: string, batches: MigrationBatch[], formats: Set<ImportFormat>): ImportEntry[] {
  const trimmed = text.trim();
  if (trimmed === "") throw new ParseError(`${name}: the file is empty`);
  if (trimmed.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      // JSON.parse's message quotes the text near the error (a secret, often): give the place only.
      throw new ParseError(`${name}: invalid JSON ${jsonErrorPosition(text)}`);
    }
    if (isAegisExport(json)) { formats.add("aegis"); return parseAegis(json); }
    if (isTwoFasExport(json)) { formats.add("2fas"); return parseTwoFas(json); }
    throw new ParseError(`${name}: JSON that is neither an Aegis nor a 2FAS export`);
  }
  const lines = trimmed.split(/\r?\n/).map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== "" && !line.startsWith("#"));
  if (/^otpauth(-migration)?:/i.test(lines[0]?.line ?? "")) {
    const entries: ImportEntry[] = [];
    for (const { line, number } of lines) {
      if (/^otpauth-migration:/i.test(line)) {
        formats.add("migration");
        batches.push(parseMigrationUri(line));
      } else {
        formats.add("otpauth");
        entries.push(entryFromUri(line, number));
      }
    }
    return entries;
  }
  formats.add("csv");
  try {
    return parseCsv(text);
  } catch (error) {
    if (error instanceof ParseError) throw new ParseError(`${name}: ${error.message} (formats: otpauth URIs one per line, CSV, Aegis or 2FAS JSON, PNG/JPEG QR codes)`);
    throw error;
  }
}

/** Reads every source; Google Authenticator batches are joined across sources. */
export function readImportSources(sources: ImportSource[]): ImportResult {
  const batches: MigrationBatch[] = [];
  const formats = new Set<ImportFormat>();
  const entries: ImportEntry[] = [];
  for (const source of sources) {
    try {
      entries.push(...readSource(source, batches, formats));
    } catch (error) {
      // Every message names the file it is about.
      if (error instanceof ParseError && !error.message.startsWith(`${source.name}: `)) {
        throw new ParseError(`${source.name}: ${error.message}`);
      }
      throw error;
    }
  }
  const joined = joinBatches(batches);
  return { entries: [...entries, ...joined.entries], warnings: joined.warnings, formats: [...formats] };
}
