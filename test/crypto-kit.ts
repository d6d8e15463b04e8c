// Shared by the crypto-* and otp-* tests: build/testkit-crypto.wasm on the simulated host, with
// typed wrappers that move bytes through the module's static I/O buffer.
import { instantiateWithHost, quietDevices } from "../host-sim/instance.js";
import { readModule } from "../host-sim/paths.js";

export interface CryptoExports {
  memory: WebAssembly.Memory;
  IO_BUFFER_BYTES: WebAssembly.Global;
  HMAC_CONTEXT_BYTES: WebAssembly.Global;
  DIGEST_MAX_BYTES: WebAssembly.Global;
  TRUNCATE_INVALID: WebAssembly.Global;
  ALG_SHA1: WebAssembly.Global;
  ALG_SHA256: WebAssembly.Global;
  ALG_SHA512: WebAssembly.Global;
  ioBuffer(): number;
  contextBuffer(index: number): number;
  sha1Init(): void;
  sha1Update(data: number, length: number): void;
  sha1Final(digestOut: number): void;
  sha256Init(): void;
  sha256Update(data: number, length: number): void;
  sha256Final(digestOut: number): void;
  sha512Init(): void;
  sha512Update(data: number, length: number): void;
  sha512Final(digestOut: number): void;
  hmacOneShot(algorithm: number, key: number, keyBytes: number, message: number, messageBytes: number, digestOut: number): number;
  digestBytes(algorithm: number): number;
  hmacPrepare(algorithm: number, key: number, keyBytes: number, context: number): number;
  hmacWithContext(context: number, message: number, messageBytes: number, digestOut: number): number;
  dynamicTruncate(digest: number, digestBytes: number): number;
  hotpWithContext(context: number, counter: bigint, digits: number): bigint;
  totpCounter(unixSeconds: bigint, periodSeconds: number): bigint;
  totpWithContext(context: number, unixSeconds: bigint, periodSeconds: number, digits: number): bigint;
  constantTimeEqual(a: number, b: number, length: number): number;
}

export type HashName = "sha1" | "sha256" | "sha512";
export const ALGORITHM_IDS: Record<HashName, number> = { sha1: 1, sha256: 2, sha512: 3 };
export const DIGEST_BYTES: Record<HashName, number> = { sha1: 20, sha256: 32, sha512: 64 };

// Where the wrappers put things inside the I/O buffer.
const KEY_AT = 0;
const KEY_MAX_BYTES = 4096;
const MESSAGE_AT = 4096;
export const MESSAGE_MAX_BYTES = 8192;
const DIGEST_AT = 12288;

export class CryptoKit {
  readonly exports: CryptoExports;
  readonly io: number;
  readonly ioBytes: number;

  constructor() {
    this.exports = instantiateWithHost<CryptoExports>(readModule("testkit-crypto"), quietDevices()).exports;
    this.io = this.exports.ioBuffer();
    this.ioBytes = this.exports.IO_BUFFER_BYTES.value as number;
  }

  get memory(): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer);
  }

  write(at: number, bytes: Uint8Array): void {
    this.memory.set(bytes, at);
  }

  read(at: number, length: number): Buffer {
    return Buffer.from(this.memory.slice(at, at + length));
  }

  /** Streams `chunks` through the module's init/update/final. */
  hash(name: HashName, chunks: Iterable<Uint8Array>): Buffer {
    const e = this.exports;
    const [init, update, final] = {
      sha1: [e.sha1Init, e.sha1Update, e.sha1Final],
      sha256: [e.sha256Init, e.sha256Update, e.sha256Final],
      sha512: [e.sha512Init, e.sha512Update, e.sha512Final],
    }[name] as [() => void, (d: number, l: number) => void, (o: number) => void];
    init();
    for (const chunk of chunks) {
      for (let start = 0; start < chunk.length; start += this.ioBytes) {
        const piece = chunk.subarray(start, start + this.ioBytes);
        this.write(this.io, piece);
        update(this.io, piece.length);
      }
      if (chunk.length === 0) update(this.io, 0);
    }
    final(this.io);
    return this.read(this.io, DIGEST_BYTES[name]);
  }

  /** crypto/hmac one-shot HMAC (any key length, including 0). */
  hmac(name: HashName, key: Uint8Array, message: Uint8Array): Buffer {
    if (key.length > KEY_MAX_BYTES || message.length > MESSAGE_MAX_BYTES) throw new Error("too long for the I/O buffer");
    this.write(this.io + KEY_AT, key);
    this.write(this.io + MESSAGE_AT, message);
    const length = this.exports.hmacOneShot(ALGORITHM_IDS[name], this.io + KEY_AT, key.length, this.io + MESSAGE_AT, message.length, this.io + DIGEST_AT);
    if (length < 0) throw new Error(`hmacOneShot failed: ${length}`);
    return this.read(this.io + DIGEST_AT, length);
  }

  /** otp hmacPrepare into context `index` (0 or 1): the status. */
  prepare(algorithm: number, key: Uint8Array, index = 0): number {
    this.write(this.io + KEY_AT, key);
    return this.exports.hmacPrepare(algorithm, this.io + KEY_AT, key.length, this.exports.contextBuffer(index));
  }

  /** otp hmacWithContext on context `index`: the digest, or the status when negative. */
  hmacWithContext(message: Uint8Array, index = 0): Buffer | number {
    this.write(this.io + MESSAGE_AT, message);
    const length = this.exports.hmacWithContext(this.exports.contextBuffer(index), this.io + MESSAGE_AT, message.length, this.io + DIGEST_AT);
    return length < 0 ? length : this.read(this.io + DIGEST_AT, length);
  }

  hotp(counter: bigint, digits: number, index = 0): bigint {
    return this.exports.hotpWithContext(this.exports.contextBuffer(index), BigInt.asUintN(64, counter), digits);
  }

  totp(unixSeconds: bigint, periodSeconds: number, digits: number, index = 0): bigint {
    return this.exports.totpWithContext(this.exports.contextBuffer(index), unixSeconds, periodSeconds, digits);
  }
}

export const ascii = (text: string): Buffer => Buffer.from(text, "latin1");
export const repeat = (byte: number, count: number): Buffer => Buffer.alloc(count, byte);
