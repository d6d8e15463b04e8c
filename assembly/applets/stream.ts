// State of a long reply produced a few entries at a time (LIST, CALCULATE ALL, the extension's slot
// list): which kind, the next slot to look at, and the challenge CALCULATE ALL answers. Any command
// other than SEND REMAINING ends the stream.
import { SLOT_COUNT, slotUsed } from "../store/index";

export const STREAM_NONE: u32 = 0;
export const STREAM_OATH_LIST: u32 = 1;
export const STREAM_OATH_CALCULATE_ALL: u32 = 2;
export const STREAM_EXTENSION_SLOTS: u32 = 3;

export const STREAM_CHALLENGE_MAX_BYTES: u32 = 64;

export let streamKind: u32 = STREAM_NONE;
export let streamSlot: u32 = 0;
/** CALCULATE ALL: full responses (P2 0) instead of truncated codes (P2 1). */
export let streamFullResponses: bool = false;
export const streamChallenge = memory.data(<i32>STREAM_CHALLENGE_MAX_BYTES);
export let streamChallengeBytes: u32 = 0;

/** Moves the cursor to the next used slot (or SLOT_COUNT). */
export function streamSkipUnused(): void {
  while (streamSlot < SLOT_COUNT && !slotUsed(streamSlot)) streamSlot++;
}

export function streamStart(kind: u32): void {
  streamKind = kind;
  streamSlot = 0;
  streamSkipUnused();
}

export function streamSetChallenge(src: usize, bytes: u32, fullResponses: bool): void {
  memory.copy(streamChallenge, src, <usize>bytes);
  streamChallengeBytes = bytes;
  streamFullResponses = fullResponses;
}

/** Whether the stream will produce more entries. */
export function streamHasMore(): bool {
  return streamKind != STREAM_NONE && streamSlot < SLOT_COUNT;
}

/** Steps past the slot just written. */
export function streamAdvance(): void {
  streamSlot++;
  streamSkipUnused();
}

export function streamEnd(): void {
  streamKind = STREAM_NONE;
  streamSlot = 0;
  memory.fill(streamChallenge, 0, <usize>STREAM_CHALLENGE_MAX_BYTES);
  streamChallengeBytes = 0;
}
