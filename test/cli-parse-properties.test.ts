// Property tests of the parsers: round trips against independent encoders, and arbitrary input
// never failing with anything but a ParseError (no TypeError, RangeError, hang).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Secret } from "otpauth";
import { decodeBase32 } from "../cli/parse/base32.js";
import { parseOtpauthUri } from "../cli/parse/otpauth.js";
import { decodeMigrationPayload, parseMigrationUri } from "../cli/parse/migration.js";
import { parseCsv } from "../cli/parse/csv.js";
import { readImportSources } from "../cli/parse/import.js";
import { ParseError } from "../cli/parse/errors.js";

function onlyParseErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
  }
}

describe("parser properties", () => {
  it("base32 decodes what otpauth's encoder writes, in any case and spacing", () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 128 }), fc.boolean(), (bytes, lower) => {
      const text = new Secret({ buffer: bytes.slice().buffer as ArrayBuffer }).base32;
      const shown = (lower ? text.toLowerCase() : text).replace(/(.{4})/g, "$1 ");
      expect(decodeBase32(shown)).toEqual(bytes);
    }), { numRuns: 500 });
  });

  it("arbitrary text into base32, otpauth and migration URIs, CSV: a value or a ParseError", () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (text) => {
      onlyParseErrors(() => decodeBase32(text));
      onlyParseErrors(() => parseOtpauthUri(`otpauth://totp/${text}`));
      onlyParseErrors(() => parseOtpauthUri(`otpauth://hotp/x?secret=JBSWY3DP&${text}`));
      onlyParseErrors(() => parseMigrationUri(`otpauth-migration://offline?data=${text}`));
      onlyParseErrors(() => parseCsv(`name,secret,digits\n${text}`));
      onlyParseErrors(() => readImportSources([{ name: "f", bytes: new Uint8Array(Buffer.from(text)) }]));
    }), { numRuns: 2000 });
  });

  it("arbitrary bytes as a migration payload or an import file: a value or a ParseError", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      onlyParseErrors(() => decodeMigrationPayload(bytes));
      onlyParseErrors(() => readImportSources([{ name: "f", bytes }]));
      // Image signatures followed by garbage reach the PNG and JPEG decoders.
      onlyParseErrors(() => readImportSources([{ name: "f.png", bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, ...bytes]) }]));
      onlyParseErrors(() => readImportSources([{ name: "f.jpg", bytes: new Uint8Array([0xff, 0xd8, 0xff, ...bytes]) }]));
    }), { numRuns: 1000 });
  });
});
