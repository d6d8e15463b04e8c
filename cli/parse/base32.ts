// Strict RFC 4648 base32, as authenticator apps accept it: case-insensitive, spaces and dashes
// ignored, padding optional, but every other deviation refused with a message naming it.
import { ParseError } from "./errors.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Characters left over after the last whole 8-character block that can end a valid encoding. */
const VALID_TAIL_CHARS = new Set([0, 2, 4, 5, 7]);

/** Decodes base32 text; throws ParseError naming the problem. */
export function decodeBase32(text: string): Uint8Array {
  const compact = text.replace(/[\s-]/g, "").toUpperCase();
  if (compact.length === 0) throw new ParseError("the secret is empty");
  const firstPad = compact.indexOf("=");
  const data = firstPad < 0 ? compact : compact.slice(0, firstPad);
  if (firstPad >= 0) {
    const padding = compact.slice(firstPad);
    if (!/^=+$/.test(padding)) throw new ParseError("base32: '=' padding is only allowed at the end");
    if (compact.length % 8 !== 0) {
      throw new ParseError(`base32: padded text must be a multiple of 8 characters, got ${compact.length}`);
    }
    const expectedPad = (8 - (data.length % 8)) % 8;
    if (padding.length !== expectedPad) {
      throw new ParseError(`base32: ${padding.length} '=' after ${data.length} characters, expected ${expectedPad}`);
    }
  }
  for (let i = 0; i < data.length; i++) {
    if (ALPHABET.indexOf(data[i]) < 0) {
      // The character itself is not shown: it is part of a secret.
      throw new ParseError(`base32: invalid character at position ${i + 1} (base32 uses only A-Z and 2-7)`);
    }
  }
  const tail = data.length % 8;
  if (!VALID_TAIL_CHARS.has(tail)) {
    throw new ParseError(`base32: ${data.length} characters is an impossible length (a last group of ${tail} never occurs)`);
  }
  const out = new Uint8Array(Math.floor((data.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const ch of data) {
    buffer = ((buffer << 5) | ALPHABET.indexOf(ch)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  // Leftover bits (under 8) are dropped, not checked: sites that draw random base32 characters
  // leave them non-zero, and every authenticator accepts such secrets.
  return out;
}

export function encodeBase32(bytes: Uint8Array, pad = false): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  if (pad) while (out.length % 8 !== 0) out += "=";
  return out;
}
