// The CLI's parsers: base32, otpauth URIs, the token's limits. Expected bytes come from node:crypto
// / Buffer and the RFC 4648 test vectors, never from our own encoder.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { decodeBase32, encodeBase32 } from "../cli/parse/base32.js";
import { parseOtpauthUri } from "../cli/parse/otpauth.js";
import { makeCredential, splitStoredName, storedName } from "../cli/parse/credential.js";
import { ParseError } from "../cli/parse/errors.js";
import { Secret } from "otpauth";

const ascii = (text: string) => new Uint8Array(Buffer.from(text, "latin1"));

describe("base32", () => {
  // RFC 4648 section 10.
  const vectors: [string, string][] = [
    ["f", "MY======"], ["fo", "MZXQ===="], ["foo", "MZXW6==="], ["foob", "MZXW6YQ="],
    ["fooba", "MZXW6YTB"], ["foobar", "MZXW6YTBOI======"],
  ];
  it.each(vectors)("decodes the RFC 4648 vector for %j, padded and not", (plain, encoded) => {
    expect(decodeBase32(encoded)).toEqual(ascii(plain));
    expect(decodeBase32(encoded.replace(/=/g, ""))).toEqual(ascii(plain));
    expect(decodeBase32(encoded.toLowerCase())).toEqual(ascii(plain));
  });

  it("accepts spaces, dashes and lowercase as authenticators show secrets", () => {
    expect(decodeBase32("mzxw 6ytb-oi")).toEqual(ascii("foobar"));
  });

  it("decodes GitLab's 80-character secrets and AWS's 40-byte secrets (checked against otpauth's decoder)", () => {
    for (const length of [50, 40, 64, 128]) {
      const bytes = new Uint8Array(randomBytes(length));
      const text = new Secret({ buffer: bytes.buffer.slice(0) as ArrayBuffer }).base32;
      if (length === 50) expect(text.length).toBe(80);
      expect(decodeBase32(text)).toEqual(bytes);
      expect(encodeBase32(bytes)).toBe(text);
    }
  });

  it.each([
    ["", /empty/],
    ["MZXW6YT1", /^base32: invalid character at position 8 \(base32 uses only A-Z and 2-7\)$/],
    ["MZXW0YTB", /invalid character at position 5 .*A-Z and 2-7/],
    ["MZX!", /invalid character at position 4/],
    // Groups of 1, 3 or 6 characters never end an encoding (5, 15, 30 bits: no whole byte count).
    ["M", /1 characters is an impossible length/],
    ["MZX", /impossible length/],
    ["MZXW6YTBM", /9 characters is an impossible length/],
    ["MZXW6Y", /impossible length/],
    ["MY=====", /multiple of 8/],
    ["MY==", /multiple of 8/],
    ["MZXW6===MZXW6===", /only allowed at the end/],
    ["MZXW6YQ=====", /multiple of 8/],
    ["MY==============", /14 '=' after 2 characters, expected 6/],
  ])("refuses %j with a message naming the problem", (text, message) => {
    expect(() => decodeBase32(text)).toThrow(ParseError);
    expect(() => decodeBase32(text)).toThrow(message);
  });
});

describe("otpauth URIs", () => {
  const secret = "JBSWY3DPEHPK3PXP";
  it("parses a full TOTP URI with issuer in label and parameter", () => {
    const credential = parseOtpauthUri(
      `otpauth://totp/ACME%20Co:john.doe@email.com?secret=${secret}&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60`);
    expect(credential).toMatchObject({
      type: "totp", issuer: "ACME Co", account: "john.doe@email.com", algorithm: "SHA256", digits: 8, periodSeconds: 60,
    });
    expect(credential.secret).toEqual(new Uint8Array(Buffer.from("48656c6c6f21deadbeef", "hex")));
    expect(storedName(credential)).toBe("60/ACME Co:john.doe@email.com");
  });

  it("applies defaults and parses HOTP counters", () => {
    expect(parseOtpauthUri(`otpauth://totp/alice?secret=${secret}`)).toMatchObject({
      issuer: "", account: "alice", algorithm: "SHA1", digits: 6, periodSeconds: 30,
    });
    expect(parseOtpauthUri(`otpauth://hotp/Example:bob?secret=${secret}&counter=42`)).toMatchObject({
      type: "hotp", issuer: "Example", account: "bob", counter: 42,
    });
  });

  it.each([
    [`otpauth://totp/x?issuer=a`, /secret parameter is missing/],
    [`otpauth://totp/x?secret=`, /secret parameter is missing/],
    [`otpauth://totp/x?secret=${secret}&algorithm=MD5`, /unknown algorithm 'MD5'/],
    [`otpauth://totp/x?secret=${secret}&digits=12`, /digits 12 is out of range/],
    [`otpauth://totp/x?secret=${secret}&digits=3`, /digits 3 is out of range/],
    [`otpauth://totp/x?secret=${secret}&digits=six`, /digits 'six' is not a whole number/],
    [`otpauth://totp/x?secret=${secret}&period=0`, /period 0 s is out of range/],
    [`otpauth://totp/x?secret=${secret}&period=256`, /period 256 s is out of range/],
    [`otpauth://hotp/x?secret=${secret}`, /needs a counter/],
    [`otpauth://steam/x?secret=${secret}`, /unsupported type 'steam'/],
    [`https://example.com/?secret=${secret}`, /not an otpauth/],
    [`otpauth-migration://offline?data=AA`, /accounts import/],
    [`otpauth://totp/x?secret=${secret}&secret=${secret}`, /appears twice/],
    [`otpauth://totp/x?secret=ABC1`, /invalid character at position 4/],
    [`otpauth://totp/%E0%A4?secret=${secret}`, /broken %-escape/],
    [`otpauth://totp/${"a".repeat(65)}?secret=${secret}`, /65 bytes in UTF-8; the token holds at most 64/],
  ])("refuses %s", (uri, message) => {
    expect(() => parseOtpauthUri(uri)).toThrow(message);
  });
});

describe("token limits", () => {
  const secret = new Uint8Array(20);
  it("counts the name in UTF-8 bytes, period prefix included", () => {
    const account = "é".repeat(32); // 64 bytes
    expect(() => makeCredential({ account, secret })).not.toThrow();
    expect(() => makeCredential({ account, secret, periodSeconds: 60 })).toThrow(/67 bytes/);
    expect(() => makeCredential({ account: "a".repeat(64), secret, type: "hotp" })).not.toThrow();
  });

  it("keeps secrets of 1 to 128 bytes", () => {
    expect(() => makeCredential({ account: "a", secret: new Uint8Array(1) })).not.toThrow();
    expect(() => makeCredential({ account: "a", secret: new Uint8Array(128) })).not.toThrow();
    expect(() => makeCredential({ account: "a", secret: new Uint8Array(129) })).toThrow(/129 bytes; the token holds at most 128/);
    expect(() => makeCredential({ account: "a", secret: new Uint8Array(0) })).toThrow(/empty/);
  });

  it("keeps digits 4-10 and periods 1-255", () => {
    for (const digits of [4, 10]) expect(makeCredential({ account: "a", secret, digits }).digits).toBe(digits);
    for (const digits of [3, 11]) expect(() => makeCredential({ account: "a", secret, digits })).toThrow(/digits/);
    for (const periodSeconds of [1, 255]) expect(() => makeCredential({ account: "a", secret, periodSeconds })).not.toThrow();
  });

  it("splits stored names as ykman does", () => {
    expect(splitStoredName("60/ACME:bob", "totp")).toEqual({ periodSeconds: 60, issuer: "ACME", account: "bob" });
    expect(splitStoredName("ACME:bob:x", "totp")).toEqual({ periodSeconds: 30, issuer: "ACME", account: "bob:x" });
    expect(splitStoredName("60/bob", "hotp")).toEqual({ periodSeconds: 30, issuer: "", account: "60/bob" });
    expect(makeCredential({ issuer: "GitHub", account: "", secret })).toMatchObject({ issuer: "", account: "GitHub" });
  });
});
