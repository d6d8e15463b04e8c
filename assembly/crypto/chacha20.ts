// ChaCha20 (RFC 8439 section 2.3/2.4): 256-bit key, 96-bit nonce, 32-bit block counter. One static
// input state and one static keystream block; both are wiped after every call, so no key material
// stays in memory between calls. Little-endian loads match the RFC's byte order (wasm is LE).

export const CHACHA20_KEY_BYTES: u32 = 32;
export const CHACHA20_NONCE_BYTES: u32 = 12;
export const CHACHA20_BLOCK_BYTES: u32 = 64;

// The 16 input words: constants, key, counter, nonce (RFC 8439 section 2.3).
const inputState = memory.data(64);
const keystream = memory.data(64);

function setupState(key: usize, counter: u32, nonce: usize): void {
  // "expand 32-byte k" as four little-endian words.
  store<u32>(inputState, 0x61707865);
  store<u32>(inputState, 0x3320646e, 4);
  store<u32>(inputState, 0x79622d32, 8);
  store<u32>(inputState, 0x6b206574, 12);
  memory.copy(inputState + 16, key, 32);
  store<u32>(inputState, counter, 48);
  memory.copy(inputState + 52, nonce, 12);
}

// 20 rounds (10 column + diagonal double rounds) on the input state, plus the input: one
// keystream block into `out`. Locals keep the working state in registers/interpreter slots.
function blockFunction(out: usize): void {
  const s = inputState;
  let x0 = load<u32>(s, 0), x1 = load<u32>(s, 4), x2 = load<u32>(s, 8), x3 = load<u32>(s, 12);
  let x4 = load<u32>(s, 16), x5 = load<u32>(s, 20), x6 = load<u32>(s, 24), x7 = load<u32>(s, 28);
  let x8 = load<u32>(s, 32), x9 = load<u32>(s, 36), x10 = load<u32>(s, 40), x11 = load<u32>(s, 44);
  let x12 = load<u32>(s, 48), x13 = load<u32>(s, 52), x14 = load<u32>(s, 56), x15 = load<u32>(s, 60);
  // One round per iteration, columns and diagonals alternately: on the RP2040, wasm3 deepens the
  // C stack by one frame per operation run since the loop head (no tail calls on Thumb-1), and a
  // double round per iteration was twice the depth for a test per round saved (docs/wasm3.md).
  for (let round = 0; round < 20; round++) {
    // Quarter round (a, b, c, d): a += b; d ^= a; d <<<= 16; c += d; b ^= c; b <<<= 12;
    //                             a += b; d ^= a; d <<<= 8;  c += d; b ^= c; b <<<= 7.
    if ((round & 1) == 0) {
      // Columns.
      x0 += x4; x12 = rotl<u32>(x12 ^ x0, 16); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 12);
      x0 += x4; x12 = rotl<u32>(x12 ^ x0, 8); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 7);
      x1 += x5; x13 = rotl<u32>(x13 ^ x1, 16); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 12);
      x1 += x5; x13 = rotl<u32>(x13 ^ x1, 8); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 7);
      x2 += x6; x14 = rotl<u32>(x14 ^ x2, 16); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 12);
      x2 += x6; x14 = rotl<u32>(x14 ^ x2, 8); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 7);
      x3 += x7; x15 = rotl<u32>(x15 ^ x3, 16); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 12);
      x3 += x7; x15 = rotl<u32>(x15 ^ x3, 8); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 7);
    } else {
      // Diagonals.
      x0 += x5; x15 = rotl<u32>(x15 ^ x0, 16); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 12);
      x0 += x5; x15 = rotl<u32>(x15 ^ x0, 8); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 7);
      x1 += x6; x12 = rotl<u32>(x12 ^ x1, 16); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 12);
      x1 += x6; x12 = rotl<u32>(x12 ^ x1, 8); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 7);
      x2 += x7; x13 = rotl<u32>(x13 ^ x2, 16); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 12);
      x2 += x7; x13 = rotl<u32>(x13 ^ x2, 8); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 7);
      x3 += x4; x14 = rotl<u32>(x14 ^ x3, 16); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 12);
      x3 += x4; x14 = rotl<u32>(x14 ^ x3, 8); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 7);
    }
  }
  store<u32>(out, x0 + load<u32>(s, 0), 0); store<u32>(out, x1 + load<u32>(s, 4), 4);
  store<u32>(out, x2 + load<u32>(s, 8), 8); store<u32>(out, x3 + load<u32>(s, 12), 12);
  store<u32>(out, x4 + load<u32>(s, 16), 16); store<u32>(out, x5 + load<u32>(s, 20), 20);
  store<u32>(out, x6 + load<u32>(s, 24), 24); store<u32>(out, x7 + load<u32>(s, 28), 28);
  store<u32>(out, x8 + load<u32>(s, 32), 32); store<u32>(out, x9 + load<u32>(s, 36), 36);
  store<u32>(out, x10 + load<u32>(s, 40), 40); store<u32>(out, x11 + load<u32>(s, 44), 44);
  store<u32>(out, x12 + load<u32>(s, 48), 48); store<u32>(out, x13 + load<u32>(s, 52), 52);
  store<u32>(out, x14 + load<u32>(s, 56), 56); store<u32>(out, x15 + load<u32>(s, 60), 60);
}

@inline
function wipeState(): void {
  memory.fill(inputState, 0, 64);
  memory.fill(keystream, 0, 64);
}

/** One 64-byte keystream block for (key, counter, nonce) into `out` (RFC 8439 section 2.3). */
export function chacha20Block(key: usize, counter: u32, nonce: usize, out: usize): void {
  setupState(key, counter, nonce);
  blockFunction(out);
  memory.fill(inputState, 0, 64);
}

/**
 * XORs `length` bytes at `data` in place with the keystream starting at block `counter`
 * (RFC 8439 section 2.4): encryption and decryption are the same operation. The caller keeps
 * length <= 64 * (2^32 - counter); the token's records are a few hundred bytes.
 */
export function chacha20Xor(key: usize, counter: u32, nonce: usize, data: usize, length: u32): void {
  setupState(key, counter, nonce);
  let at: usize = 0;
  const end = <usize>length;
  while (at < end) {
    blockFunction(keystream);
    let chunk = end - at;
    if (chunk > 64) chunk = 64;
    let i: usize = 0;
    for (; i + 4 <= chunk; i += 4) store<u32>(data + at + i, load<u32>(data + at + i) ^ load<u32>(keystream + i));
    for (; i < chunk; i++) store<u8>(data + at + i, load<u8>(data + at + i) ^ load<u8>(keystream + i));
    at += chunk;
    store<u32>(inputState, load<u32>(inputState, 48) + 1, 48);
  }
  wipeState();
}
