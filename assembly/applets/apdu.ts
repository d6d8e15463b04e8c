// ISO 7816-4 command APDUs (short and extended lengths) and the reply path: a staging buffer the
// applets write into, cut into chunks of at most 256 data bytes with 61xx when more remains
// (the host fetches the rest with SEND REMAINING / GET RESPONSE). Long replies (LIST, CALCULATE
// ALL over 100 credentials) are produced a few entries at a time by a "stream" (applets/index.ts),
// so no reply ever needs more than this small staging buffer.
import { apdu_response } from "../abi";

// ---- Status words (ISO 7816-4 and the YKOATH subset ykman checks) -------------------------------
export const SW_OK: u32 = 0x9000;
export const SW_MORE_DATA: u32 = 0x6100; // low byte: bytes left, 0 = 256 or more
export const SW_WRONG_LENGTH: u32 = 0x6700;
export const SW_CHAINING_UNSUPPORTED: u32 = 0x6884;
export const SW_SECURITY_NOT_SATISFIED: u32 = 0x6982; // locked, or a press on the token timed out
export const SW_NO_SUCH_OBJECT: u32 = 0x6984; // YKOATH: no such credential; wrong VALIDATE response
export const SW_CONDITIONS_NOT_SATISFIED: u32 = 0x6985;
export const SW_WRONG_DATA: u32 = 0x6a80;
export const SW_FILE_NOT_FOUND: u32 = 0x6a82; // SELECT of an AID we do not have
export const SW_NO_SPACE: u32 = 0x6a84;
export const SW_ALREADY_EXISTS: u32 = 0x6a89;
export const SW_WRONG_P1P2: u32 = 0x6b00;
export const SW_INS_NOT_SUPPORTED: u32 = 0x6d00;
export const SW_CLA_NOT_SUPPORTED: u32 = 0x6e00;
export const SW_MEMORY_FAILURE: u32 = 0x6581;
export const SW_UNKNOWN: u32 = 0x6f00;

// ---- The parsed command (one at a time) ----------------------------------------------------------
export let commandCla: u32 = 0;
export let commandIns: u32 = 0;
export let commandP1: u32 = 0;
export let commandP2: u32 = 0;
export let commandData: usize = 0;
export let commandDataBytes: u32 = 0;
/** Expected reply length Ne (1..65536), or 0 when the command carries no Le. */
export let commandLe: u32 = 0;

/**
 * Parses the `length` bytes at `buffer` (ISO 7816-4 section 5.1, cases 1, 2S, 3S, 4S, 2E, 3E, 4E).
 * Returns SW_OK, or SW_WRONG_LENGTH when the length bytes do not match the APDU's size.
 */
export function commandParse(buffer: usize, length: u32): u32 {
  if (length < 4) return SW_WRONG_LENGTH;
  commandCla = <u32>load<u8>(buffer);
  commandIns = <u32>load<u8>(buffer + 1);
  commandP1 = <u32>load<u8>(buffer + 2);
  commandP2 = <u32>load<u8>(buffer + 3);
  commandData = buffer + 5;
  commandDataBytes = 0;
  commandLe = 0;
  if (length == 4) return SW_OK; // case 1
  const b4 = <u32>load<u8>(buffer + 4);
  if (length == 5) { // case 2S
    commandLe = b4 == 0 ? 256 : b4;
    return SW_OK;
  }
  if (b4 != 0) { // short Lc
    if (length == 5 + b4) { // case 3S
      commandDataBytes = b4;
      return SW_OK;
    }
    if (length == 6 + b4) { // case 4S
      commandDataBytes = b4;
      const le = <u32>load<u8>(buffer + 5 + b4);
      commandLe = le == 0 ? 256 : le;
      return SW_OK;
    }
    return SW_WRONG_LENGTH;
  }
  // b4 == 0 with more bytes: extended lengths.
  if (length < 7) return SW_WRONG_LENGTH;
  const n = (<u32>load<u8>(buffer + 5) << 8) | <u32>load<u8>(buffer + 6);
  if (length == 7) { // case 2E
    commandLe = n == 0 ? 65536 : n;
    return SW_OK;
  }
  if (n == 0) return SW_WRONG_LENGTH; // an extended Lc of 0 is not a valid encoding
  commandData = buffer + 7;
  commandDataBytes = n;
  if (length == 7 + n) return SW_OK; // case 3E
  if (length == 9 + n) { // case 4E
    const le = (<u32>load<u8>(buffer + 7 + n) << 8) | <u32>load<u8>(buffer + 8 + n);
    commandLe = le == 0 ? 65536 : le;
    return SW_OK;
  }
  return SW_WRONG_LENGTH;
}

// ---- Reply staging ---------------------------------------------------------------------------------
/** Data bytes per reply chunk (a short Le of 0 asks for 256). */
export const CHUNK_MAX_BYTES: u32 = 256;
/** A stream adds entries while fewer than this many bytes wait, so a chunk is always full. */
export const STREAM_LOW_WATER_BYTES: u32 = 2 * CHUNK_MAX_BYTES;
/** Largest single entry a stream may add (CALCULATE ALL with a SHA-512 full response: 140). */
export const ENTRY_MAX_BYTES: u32 = 160;
const STAGING_CAPACITY_BYTES: u32 = STREAM_LOW_WATER_BYTES + ENTRY_MAX_BYTES + 96;

const staging = memory.data(<i32>STAGING_CAPACITY_BYTES);
const chunkOut = memory.data(<i32>CHUNK_MAX_BYTES + 2);
let stagedBytes: u32 = 0;

/** Whether bytes of a finished reply are still waiting for SEND REMAINING. */
let remainingPending: bool = false;

@inline
export function replyCursor(): usize {
  return staging + <usize>stagedBytes;
}

/** Bytes still free in the staging buffer. */
@inline
export function replyRoom(): u32 {
  return STAGING_CAPACITY_BYTES - stagedBytes;
}

@inline
export function replyStagedBytes(): u32 {
  return stagedBytes;
}

/** Drops whatever was staged (a new command starts, or an error replaces a partial reply). */
export function replyClear(): void {
  memory.fill(staging, 0, <usize>stagedBytes);
  stagedBytes = 0;
  remainingPending = false;
}

/** Marks `bytes` written at replyCursor() as staged. Callers check replyRoom() first. */
@inline
export function replyAdvance(bytes: u32): void {
  stagedBytes += bytes;
}

export function replyByte(value: u32): void {
  store<u8>(staging + <usize>stagedBytes, <u8>value);
  stagedBytes++;
}

export function replyBytes(src: usize, bytes: u32): void {
  memory.copy(staging + <usize>stagedBytes, src, <usize>bytes);
  stagedBytes += bytes;
}

/** A small TLV with a one-byte length (values up to 127 bytes). */
export function replyTlv(tag: u32, src: usize, bytes: u32): void {
  replyByte(tag);
  replyByte(bytes);
  replyBytes(src, bytes);
}

export function replyU32(value: u32): void {
  replyByte(value >> 24);
  replyByte(value >> 16);
  replyByte(value >> 8);
  replyByte(value);
}

/** Sends a status word alone (errors): staged data is dropped, nothing leaks from a failed command. */
export function sendStatus(sw: u32): void {
  replyClear();
  store<u8>(chunkOut, <u8>(sw >> 8));
  store<u8>(chunkOut + 1, <u8>sw);
  apdu_response(chunkOut, 2);
}

/**
 * Sends the next chunk of staged data: at most min(Le, 256) bytes. When more is staged, or
 * `streamHasMore` says a stream will add more, the chunk ends with 61xx and the rest stays staged
 * for SEND REMAINING; otherwise it ends with `finalSw`.
 */
export function sendChunk(le: u32, streamHasMore: bool, finalSw: u32): void {
  let limit = le == 0 || le > CHUNK_MAX_BYTES ? CHUNK_MAX_BYTES : le;
  const chunk = stagedBytes < limit ? stagedBytes : limit;
  memory.copy(chunkOut, staging, <usize>chunk);
  const left = stagedBytes - chunk;
  memory.copy(staging, staging + <usize>chunk, <usize>left);
  memory.fill(staging + <usize>left, 0, <usize>chunk);
  stagedBytes = left;
  let sw = finalSw;
  if (left > 0 || streamHasMore) {
    sw = SW_MORE_DATA | (streamHasMore || left >= 256 ? 0 : left);
    remainingPending = true;
  } else {
    remainingPending = false;
  }
  store<u8>(chunkOut + <usize>chunk, <u8>(sw >> 8));
  store<u8>(chunkOut + <usize>chunk + 1, <u8>sw);
  apdu_response(chunkOut, chunk + 2);
  memory.fill(chunkOut, 0, <usize>chunk + 2);
}

/** Whether a previous reply still has data for SEND REMAINING. */
@inline
export function replyRemainingPending(): bool {
  return remainingPending;
}
