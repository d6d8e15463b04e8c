// Reproducible workload pieces: seeded random bytes, names and varied credentials.
import { seededRandom } from "../flash.js";
import { KIND_HOTP, KIND_TOTP } from "../module-constants.js";
import { Credential } from "./store-under-test.js";

/** mulberry32 (host-sim/flash.ts): reproducible workloads. */
export { seededRandom };

function bytes(random: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** An ASCII name of `length` bytes, distinct per `tag`. */
export function nameOf(tag: string, length: number): Uint8Array {
  const text = (tag + ":" + "abcdefghijklmnopqrstuvwxyz0123456789".repeat(2)).slice(0, length);
  return new TextEncoder().encode(text);
}

/** A varied credential: kinds, algorithms, digits, name and secret lengths from 1 to the maximum. */
export function randomCredential(random: () => number, tag: string, maxName = 64, maxSecret = 128): Credential {
  const kind = random() < 0.5 ? KIND_TOTP : KIND_HOTP;
  const pick = (max: number) => (random() < 0.2 ? max : 1 + Math.floor(random() * max));
  return {
    name: nameOf(tag, Math.max(Math.min(tag.length + 1, maxName), pick(maxName))),
    kind,
    algorithm: 1 + Math.floor(random() * 3),
    digits: 4 + Math.floor(random() * 7),
    periodSeconds: 1 + Math.floor(random() * 255),
    counter: kind === KIND_HOTP ? BigInt(Math.floor(random() * 1e9)) * 1000n : 0n,
    flags: random() < 0.3 ? 1 : 0,
    secret: bytes(random, pick(maxSecret)),
  };
}

export { bytes as randomBytesOf };
