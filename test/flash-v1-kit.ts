// Flash images in the first slot-record form (the raw key stored in the record, payload encodings
// 0 and 1 only), written by the module of commit e707aa7 before slot records stored prepared HMAC
// keys: test/fixtures-flash/v1-plain.bin.gz (no PIN) and v1-sealed.bin.gz (the same slots, then
// the PIN set, so every record is sealed). The store tests mount them with today's module.
//
// How they were made (with that commit's build/testkit-pin.wasm, by a one-off vite-node script):
// on an erased V1_REGION, boot (storeMount + pinInit), slotPut each of V1_SLOTS in order, then
// slotHotpNext V1_HOTP_PRESSES times on V1_HOTP_SLOT; the sealed image continues with
// setPin(V1_PIN). The region's bytes were then gzipped.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { NorFlash } from "../host-sim/flash.js";
import { packageRoot } from "../host-sim/paths.js";
import { Credential, KIND_HOTP, KIND_TOTP, Region, smallRegion } from "../host-sim/store-harness/index.js";

/** 4 sectors of 4 KiB, 256-byte pages: the whole model flash is the region. */
export const V1_REGION: Region = smallRegion(4, 4096, 256);
export const V1_PIN = "31415926";
export const V1_HOTP_SLOT = 3;
export const V1_HOTP_PRESSES = 3;

const ascii = (text: string) => new TextEncoder().encode(text);
const patterned = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (seed + i * 29) & 0xff);

function totp(name: string, algorithm: number, secret: Uint8Array, flags = 0): Credential {
  return { name: ascii(name), kind: KIND_TOTP, algorithm, digits: 6, periodSeconds: 30, counter: 0n, flags, secret };
}

/** Slot -> credential: each algorithm with keys shorter than, equal to and longer than its block. */
export const V1_SLOTS: [number, Credential][] = [
  [0, totp("v1 sha1 rfc", 1, ascii("12345678901234567890"))],
  [1, totp("v1 sha256 32", 2, patterned(32, 1))],
  [2, totp("v1 sha512 64", 3, patterned(64, 2), 1)],
  [V1_HOTP_SLOT, { ...totp("v1 hotp sha1 1", 1, patterned(1, 3)), kind: KIND_HOTP, periodSeconds: 0, counter: 7n, digits: 8 }],
  [4, totp("v1 sha1 64", 1, patterned(64, 4))],
  [5, totp("v1 sha1 65 (hashed)", 1, patterned(65, 5))],
  [6, totp("v1 sha256 128 (hashed)", 2, patterned(128, 6))],
  [7, totp("v1 sha512 128", 3, patterned(128, 7))],
  [42, totp("v1 ünïcödé name", 2, patterned(20, 8))],
];

/** The credentials the images hold, as the model expects them after the presses. */
export function v1Expected(): Map<number, Credential> {
  const slots = new Map<number, Credential>(V1_SLOTS.map(([slot, c]) => [slot, { ...c }]));
  const hotp = slots.get(V1_HOTP_SLOT)!;
  slots.set(V1_HOTP_SLOT, { ...hotp, counter: hotp.counter + BigInt(V1_HOTP_PRESSES) });
  return slots;
}

/** A model flash holding the image `which` ("plain" or "sealed"). */
export function v1Flash(which: "plain" | "sealed"): NorFlash {
  const image = gunzipSync(readFileSync(join(packageRoot(), "test", "fixtures-flash", `v1-${which}.bin.gz`)));
  const flash = new NorFlash(V1_REGION.geometry);
  if (image.length !== V1_REGION.regionBytes) throw new Error(`v1-${which}: ${image.length} bytes`);
  flash.bytes.set(image, V1_REGION.regionOffset);
  return flash;
}
