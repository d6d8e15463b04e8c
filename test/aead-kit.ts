// Shared by the aead-* and pbkdf2-* tests and bench/pin.bench.ts: build/testkit-aead.wasm on the
// simulated host, with typed wrappers that move bytes through the module's static I/O buffer.
import { instantiateWithHost, quietDevices } from "../host-sim/instance.js";
import { readModule } from "../host-sim/paths.js";

export interface AeadExports {
  memory: WebAssembly.Memory;
  IO_BUFFER_BYTES: WebAssembly.Global;
  PBKDF2_SALT_MAX_BYTES: WebAssembly.Global;
  PBKDF2_KEY_MAX_BYTES: WebAssembly.Global;
  PBKDF2_ITERATIONS_MAX: WebAssembly.Global;
  PBKDF2_PASSWORD_MAX_BYTES: WebAssembly.Global;
  ioBuffer(): number;
  chacha20Block(key: number, counter: number, nonce: number, out: number): void;
  chacha20Xor(key: number, counter: number, nonce: number, data: number, length: number): void;
  poly1305Init(key: number): void;
  poly1305Update(data: number, length: number): void;
  poly1305PadToBlock(): void;
  poly1305Final(tagOut: number): void;
  poly1305Mac(key: number, data: number, length: number, tagOut: number): void;
  aeadSeal(key: number, nonce: number, aad: number, aadBytes: number, data: number, dataBytes: number, tagOut: number): number;
  aeadOpen(key: number, nonce: number, aad: number, aadBytes: number, data: number, dataBytes: number, tag: number): number;
  pbkdf2Begin(password: number, passwordBytes: number, salt: number, saltBytes: number, iterations: number, keyBytes: number): number;
  pbkdf2Step(budget: number): number;
  pbkdf2Result(keyOut: number): number;
  pbkdf2Cancel(): void;
  pbkdf2HmacSha256(password: number, passwordBytes: number, salt: number, saltBytes: number, iterations: number, keyOut: number, keyBytes: number): number;
}

// Status codes of assembly/status.ts used by these tests.
export const OK = 0;
export const ERR_RANGE = -1;
export const ERR_STATE = -9;
export const ERR_CORRUPT = -11;

// Where the wrappers put things inside the I/O buffer (8 KiB).
export const KEY_AT = 0; // 32 (PBKDF2: password up to 128)
export const NONCE_AT = 128; // 12 (PBKDF2: salt up to 64 + slack)
export const TAG_AT = 256; // 16 (PBKDF2: derived key up to 64)
export const AAD_AT = 512; // up to 1536
export const AAD_MAX_BYTES = 1536;
export const DATA_AT = 2048; // up to 6144
export const DATA_MAX_BYTES = 6144;

export interface Sealed {
  status: number;
  ciphertext: Buffer;
  tag: Buffer;
}

export interface Opened {
  status: number;
  /** The data buffer after the call: plaintext on OK, must still be the ciphertext otherwise. */
  data: Buffer;
}

export class AeadKit {
  readonly exports: AeadExports;
  readonly io: number;

  constructor() {
    this.exports = instantiateWithHost<AeadExports>(readModule("testkit-aead"), quietDevices()).exports;
    this.io = this.exports.ioBuffer();
  }

  get memory(): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer);
  }

  write(at: number, bytes: Uint8Array): void {
    this.memory.set(bytes, this.io + at);
  }

  read(at: number, length: number): Buffer {
    return Buffer.from(this.memory.slice(this.io + at, this.io + at + length));
  }

  at(offset: number): number {
    return this.io + offset;
  }

  chacha20Block(key: Uint8Array, counter: number, nonce: Uint8Array): Buffer {
    this.write(KEY_AT, key);
    this.write(NONCE_AT, nonce);
    this.exports.chacha20Block(this.at(KEY_AT), counter >>> 0, this.at(NONCE_AT), this.at(DATA_AT));
    return this.read(DATA_AT, 64);
  }

  chacha20Xor(key: Uint8Array, counter: number, nonce: Uint8Array, data: Uint8Array): Buffer {
    this.write(KEY_AT, key);
    this.write(NONCE_AT, nonce);
    this.write(DATA_AT, data);
    this.exports.chacha20Xor(this.at(KEY_AT), counter >>> 0, this.at(NONCE_AT), this.at(DATA_AT), data.length);
    return this.read(DATA_AT, data.length);
  }

  /** Poly1305 of `chunks` fed through separate updates (one-shot when a single chunk). */
  poly1305(key: Uint8Array, chunks: Uint8Array[]): Buffer {
    this.write(KEY_AT, key);
    this.exports.poly1305Init(this.at(KEY_AT));
    for (const chunk of chunks) {
      this.write(DATA_AT, chunk);
      this.exports.poly1305Update(this.at(DATA_AT), chunk.length);
    }
    this.exports.poly1305Final(this.at(TAG_AT));
    return this.read(TAG_AT, 16);
  }

  seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Sealed {
    if (aad.length > AAD_MAX_BYTES || plaintext.length > DATA_MAX_BYTES) throw new Error("too long for the I/O buffer");
    this.write(KEY_AT, key);
    this.write(NONCE_AT, nonce);
    this.write(AAD_AT, aad);
    this.write(DATA_AT, plaintext);
    const status = this.exports.aeadSeal(this.at(KEY_AT), this.at(NONCE_AT), this.at(AAD_AT), aad.length, this.at(DATA_AT), plaintext.length, this.at(TAG_AT));
    return { status, ciphertext: this.read(DATA_AT, plaintext.length), tag: this.read(TAG_AT, 16) };
  }

  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Opened {
    if (aad.length > AAD_MAX_BYTES || ciphertext.length > DATA_MAX_BYTES) throw new Error("too long for the I/O buffer");
    this.write(KEY_AT, key);
    this.write(NONCE_AT, nonce);
    this.write(AAD_AT, aad);
    this.write(DATA_AT, ciphertext);
    this.write(TAG_AT, tag);
    const status = this.exports.aeadOpen(this.at(KEY_AT), this.at(NONCE_AT), this.at(AAD_AT), aad.length, this.at(DATA_AT), ciphertext.length, this.at(TAG_AT));
    return { status, data: this.read(DATA_AT, ciphertext.length) };
  }

  /** One-shot PBKDF2-HMAC-SHA-256: the key, or the status when negative. */
  pbkdf2(password: Uint8Array, salt: Uint8Array, iterations: number, keyBytes: number): Buffer | number {
    this.write(KEY_AT, password);
    this.write(NONCE_AT, salt);
    const status = this.exports.pbkdf2HmacSha256(this.at(KEY_AT), password.length, this.at(NONCE_AT), salt.length, iterations >>> 0, this.at(TAG_AT), keyBytes);
    return status < 0 ? status : this.read(TAG_AT, keyBytes);
  }
}

export const hex = (text: string): Buffer => Buffer.from(text.replace(/[^0-9a-f]/gi, ""), "hex");
export const ascii = (text: string): Buffer => Buffer.from(text, "latin1");
