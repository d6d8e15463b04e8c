// PBKDF2 (RFC 8018 section 5.2) with HMAC-SHA-256: T_i = U_1 ^ U_2 ^ ... ^ U_c,
// U_1 = HMAC(P, S || INT_32_BE(i)), U_j = HMAC(P, U_{j-1}). The password's HMAC inner and outer
// chaining values are computed once (crypto/hmac prepared context), so each iteration costs two
// SHA-256 compressions. The iteration count is a parameter: the token stores it beside the salt
// so it can grow later without a format change.
//
// The module never blocks the host for long (docs/DESIGN.md), so derivation is resumable:
// pbkdf2Begin, then pbkdf2Step(budget) from the host's ticks until it returns 0, then
// pbkdf2Result. pbkdf2HmacSha256 runs all of it in one call (tests, benches, small counts).
// An iteration costs milliseconds under wasm3 on the RP2040 (docs/benchmarks.md, "PIN lock"):
// a caller fills most of each tick, e.g. pbkdf2Step(1) while now_ms() has moved less than 16 ms,
// so the unlock time is the derivation time and not the tick period times the step count.
import { OK, ERR_RANGE, ERR_STATE } from "../status";
import { HASH_SHA256 } from "./hash";
import { HMAC_CONTEXT_BYTES, hmacPrepareContext, hmacCompute } from "./hmac";

export const PBKDF2_SALT_MAX_BYTES: u32 = 64;
/** Up to two SHA-256 blocks of output (the token needs 32 bytes). */
export const PBKDF2_KEY_MAX_BYTES: u32 = 64;
/** Far above any count the board can run in an unlock (hundreds); keeps step counts in an i32. */
export const PBKDF2_ITERATIONS_MAX: u32 = 1 << 24;
/** The password (PIN) length accepted; a PIN is 6..12 digits, a test password may be longer. */
export const PBKDF2_PASSWORD_MAX_BYTES: u32 = 128;

const DIGEST_BYTES: u32 = 32;

const context = memory.data(HMAC_CONTEXT_BYTES);
// S || INT_32_BE(i) for U_1.
const saltBlock = memory.data(<i32>PBKDF2_SALT_MAX_BYTES + 4);
const chainValue = memory.data(32); // U_j
const blockSum = memory.data(32); // T_i so far
const derivedKey = memory.data(<i32>PBKDF2_KEY_MAX_BYTES);

const PHASE_IDLE: u32 = 0;
const PHASE_RUNNING: u32 = 1;
const PHASE_DONE: u32 = 2;

let phase: u32 = PHASE_IDLE;
let saltBytesHeld: u32 = 0;
let iterationCount: u32 = 0;
let keyBytesWanted: u32 = 0;
let blockCount: u32 = 0;
let blockIndex: u32 = 0; // 1-based i of the block being computed
let iterationsInBlock: u32 = 0; // U_j computed so far for that block

// A buffer must lie inside linear memory (a bad pointer is a status, not a trap).
@inline
function inMemory(at: usize, bytes: u32): bool {
  return <u64>at + <u64>bytes <= (<u64>memory.size() << 16);
}

function wipe(): void {
  memory.fill(context, 0, <usize>HMAC_CONTEXT_BYTES);
  memory.fill(saltBlock, 0, <usize>PBKDF2_SALT_MAX_BYTES + 4);
  memory.fill(chainValue, 0, 32);
  memory.fill(blockSum, 0, 32);
  memory.fill(derivedKey, 0, <usize>PBKDF2_KEY_MAX_BYTES);
  phase = PHASE_IDLE;
}

/**
 * Starts deriving `keyBytes` (1..64) bytes from the password and salt (0..64 bytes) with
 * `iterations` (1..2^24) HMAC-SHA-256 iterations. Replaces any derivation in progress.
 * OK, or ERR_RANGE (state idle) for a length or count out of range or a buffer outside memory.
 */
export function pbkdf2Begin(password: usize, passwordBytes: u32, salt: usize, saltBytes: u32, iterations: u32, keyBytes: u32): i32 {
  wipe();
  if (passwordBytes > PBKDF2_PASSWORD_MAX_BYTES || saltBytes > PBKDF2_SALT_MAX_BYTES) return ERR_RANGE;
  if (iterations < 1 || iterations > PBKDF2_ITERATIONS_MAX) return ERR_RANGE;
  if (keyBytes < 1 || keyBytes > PBKDF2_KEY_MAX_BYTES) return ERR_RANGE;
  if (!inMemory(password, passwordBytes) || !inMemory(salt, saltBytes)) return ERR_RANGE;
  hmacPrepareContext(HASH_SHA256, password, passwordBytes, context);
  memory.copy(saltBlock, salt, <usize>saltBytes);
  saltBytesHeld = saltBytes;
  iterationCount = iterations;
  keyBytesWanted = keyBytes;
  blockCount = (keyBytes + DIGEST_BYTES - 1) / DIGEST_BYTES;
  blockIndex = 1;
  iterationsInBlock = 0;
  phase = PHASE_RUNNING;
  return OK;
}

// HMAC iterations still to run (fits an i32: at most 2 blocks of 2^24).
function remainingIterations(): i32 {
  if (phase != PHASE_RUNNING) return 0;
  return <i32>((blockCount - blockIndex + 1) * iterationCount - iterationsInBlock);
}

/**
 * Runs up to `budget` HMAC iterations. Returns the iterations still to run (> 0: call again),
 * 0 when the key is ready for pbkdf2Result, or ERR_STATE when no derivation was begun.
 */
export function pbkdf2Step(budget: u32): i32 {
  if (phase == PHASE_DONE) return 0;
  if (phase != PHASE_RUNNING) return ERR_STATE;
  let left = budget;
  while (left > 0) {
    if (iterationsInBlock == 0) {
      store<u32>(saltBlock + <usize>saltBytesHeld, bswap<u32>(blockIndex));
      hmacCompute(context, saltBlock, saltBytesHeld + 4, chainValue);
      memory.copy(blockSum, chainValue, 32);
    } else {
      hmacCompute(context, chainValue, DIGEST_BYTES, chainValue);
      for (let i: usize = 0; i < 32; i += 4) store<u32>(blockSum + i, load<u32>(blockSum + i) ^ load<u32>(chainValue + i));
    }
    iterationsInBlock++;
    left--;
    if (iterationsInBlock == iterationCount) {
      const offset = (blockIndex - 1) * DIGEST_BYTES;
      let take = keyBytesWanted - offset;
      if (take > DIGEST_BYTES) take = DIGEST_BYTES;
      memory.copy(derivedKey + <usize>offset, blockSum, <usize>take);
      iterationsInBlock = 0;
      blockIndex++;
      if (blockIndex > blockCount) {
        // Only the derived key is kept; the password context and chain values go now.
        memory.fill(context, 0, <usize>HMAC_CONTEXT_BYTES);
        memory.fill(chainValue, 0, 32);
        memory.fill(blockSum, 0, 32);
        phase = PHASE_DONE;
        return 0;
      }
    }
  }
  return remainingIterations();
}

/** Copies the finished key (the keyBytes given to pbkdf2Begin) to `keyOut` and wipes all state.
 *  OK; ERR_STATE (nothing written) when the derivation is not finished; ERR_RANGE (nothing
 *  written, the key kept) when `keyOut` lies outside memory. */
export function pbkdf2Result(keyOut: usize): i32 {
  if (phase != PHASE_DONE) return ERR_STATE;
  if (!inMemory(keyOut, keyBytesWanted)) return ERR_RANGE;
  memory.copy(keyOut, derivedKey, <usize>keyBytesWanted);
  wipe();
  return OK;
}

/** Abandons any derivation and wipes its state. */
export function pbkdf2Cancel(): void {
  wipe();
}

/** The whole derivation in one call: OK, or ERR_RANGE (nothing written) as pbkdf2Begin. */
export function pbkdf2HmacSha256(password: usize, passwordBytes: u32, salt: usize, saltBytes: u32, iterations: u32, keyOut: usize, keyBytes: u32): i32 {
  const begun = pbkdf2Begin(password, passwordBytes, salt, saltBytes, iterations, keyBytes);
  if (begun != OK) return begun;
  pbkdf2Step(PBKDF2_ITERATIONS_MAX * 2);
  return pbkdf2Result(keyOut);
}
