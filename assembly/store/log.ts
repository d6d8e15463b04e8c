// The log: appending records to the head sector, opening new head sectors, and compaction (the
// oldest sector's live records are copied to the head, then the sector is erased). Every step is
// safe to interrupt: a copy is a new record that says what the original said, and the original
// sector is erased only after all its live records were copied.
import { OK, ERR_FULL } from "../status";
import {
  SLOT_COUNT, SECTOR_HEADER_BYTES, RECORD_HEADER_BYTES, RECORD_SLOT, RECORD_COUNTER, RECORD_SETTING_INT,
  RECORD_SETTING_BLOB, RECORD_MAX_BYTES, PLAIN_RECORD_MAX_BYTES, SMALL_RECORD_BYTES, PAYLOAD_MAX_BYTES, HEADER_TYPE,
  HEADER_PAYLOAD_BYTES, HEADER_ENCODING, HEADER_SEQUENCE, HEADER_FLAGS, RECORD_FLAG_COPY, HEADER_PAYLOAD_CRC, HEADER_CRC, SLOT_INDEX,
  SLOT_VACATES, SLOT_COUNTER, NO_SLOT, recordBytes,
} from "./format";
import { SETTING_ID_LIMIT } from "./settings-ids";
import { crc32 } from "./crc";
import { sealingOn } from "./seal-mode";
import {
  pageBytes, sectorBytes, sectorCount, sectorStart, sectorState, sectorSequence, readFlash, programFlash,
  eraseSector, activateSector, SECTOR_ACTIVE, SECTOR_FREE, SECTOR_DIRTY,
} from "./flash";
import {
  slotBase, setSlotBase, slotCounterRecord, setSlotCounterRecord, slotCounterValue, settingIntRecord,
  setSettingIntRecord, settingBlobRecord, setSettingBlobRecord,
} from "./ram";

export const RECORD_BUFFER_BYTES: u32 = 256;
/** Where operations build the record they append (header at 0, payload at 16). */
export const recordBuffer = memory.data(<i32>RECORD_BUFFER_BYTES);
/** Where compaction loads the records it copies (never the same as recordBuffer). */
const compactBuffer = memory.data(<i32>RECORD_BUFFER_BYTES);
export const LOG_STATIC_BYTES: u32 = 2 * RECORD_BUFFER_BYTES;

/** The sector records are appended to, or -1 before the first write. */
export let headSector: i32 = -1;
/** Region offset of the next record in the head sector. */
export let writePointer: u32 = 0;
export let nextSequence: u32 = 1;
export let nextSectorSequence: u32 = 1;

/** A sector mount set aside (an interrupted compaction's copies): erased before the next write. */
let setAsideSector: i32 = -1;

export function setAside(sector: u32): void {
  setAsideSector = <i32>sector;
}

export function resetLog(): void {
  setAsideSector = -1;
  headSector = -1;
  writePointer = 0;
  nextSequence = 1;
  nextSectorSequence = 1;
}

export function setHead(sector: i32, pointer: u32): void {
  headSector = sector;
  writePointer = pointer;
}

export function noteSequences(recordSequence: u32, sectorSequenceSeen: u32): void {
  if (recordSequence >= nextSequence) nextSequence = recordSequence + 1;
  if (sectorSequenceSeen >= nextSectorSequence) nextSectorSequence = sectorSequenceSeen + 1;
}

/** True while compaction appends copies (flagged, packed without page gaps). */
let appendingCopies = false;

/** Set by loadRecord: whether the payload matched its CRC. */
export let loadedPayloadValid = false;

/**
 * Loads the record at region offset `offset` (header and payload) into `buffer`. Returns its size
 * in the log when the header is valid (its CRC matches and the record fits before `sectorEnd`),
 * else 0. `loadedPayloadValid` then says whether the payload matched its CRC too.
 */
export function loadRecord(offset: u32, sectorEnd: u32, buffer: usize): u32 {
  loadedPayloadValid = false;
  if (offset + RECORD_HEADER_BYTES > sectorEnd) return 0;
  if (readFlash(offset, buffer, RECORD_HEADER_BYTES) < 0) return 0;
  const type = load<u8>(buffer + HEADER_TYPE);
  if (type == 0 || type == 0xff) return 0;
  if (crc32(buffer, <u32>HEADER_CRC) != load<u32>(buffer + HEADER_CRC)) return 0;
  const payloadBytes = <u32>load<u8>(buffer + HEADER_PAYLOAD_BYTES);
  if (payloadBytes > PAYLOAD_MAX_BYTES) return 0;
  const size = recordBytes(payloadBytes);
  if (offset + size > sectorEnd) return 0;
  if (readFlash(offset + RECORD_HEADER_BYTES, buffer + <usize>RECORD_HEADER_BYTES, payloadBytes) < 0) return size;
  loadedPayloadValid = crc32(buffer + <usize>RECORD_HEADER_BYTES, payloadBytes) == load<u32>(buffer + HEADER_PAYLOAD_CRC);
  return size;
}

function nonActiveSectors(): u32 {
  let count: u32 = 0;
  for (let s: u32 = 0; s < sectorCount; s++) if (sectorState(s) != SECTOR_ACTIVE) count++;
  return count;
}

// The first sector after the head (in ring order) in `state`, or -1.
function nextSectorIn(state: u8): i32 {
  const from: u32 = headSector >= 0 ? <u32>headSector : sectorCount - 1;
  for (let i: u32 = 1; i <= sectorCount; i++) {
    const s = (from + i) % sectorCount;
    if (sectorState(s) == state) return <i32>s;
  }
  return -1;
}

/** Opens a new head sector: an erased one if any, else a dirty one erased first. */
function openHead(): i32 {
  let chosen = nextSectorIn(SECTOR_FREE);
  if (chosen < 0) {
    chosen = nextSectorIn(SECTOR_DIRTY);
    if (chosen < 0) return ERR_FULL;
    const erased = eraseSector(<u32>chosen);
    if (erased < 0) return erased;
  }
  const activated = activateSector(<u32>chosen, nextSectorSequence);
  if (activated < 0) return activated;
  nextSectorSequence++;
  headSector = chosen;
  writePointer = sectorStart(<u32>chosen) + SECTOR_HEADER_BYTES;
  return OK;
}

/**
 * Finds room for a record of `size` bytes: in the head, else in a new head sector. One sector is
 * kept in reserve for compaction; only compaction (`useReserve`) and wipe may take it.
 */
function reserveSpace(size: u32, useReserve: bool): i32 {
  if (setAsideSector >= 0) {
    // Erase it before anything else is written: until then a mount sets it aside again.
    const sector = <u32>setAsideSector;
    setAsideSector = -1;
    const erased = eraseSector(sector);
    if (erased < 0) return erased;
  }
  if (!useReserve && nonActiveSectors() == 0) {
    // A power cut after a wipe record took the reserve (mount sets a head of mere compaction
    // copies aside, see mount.ts): everything older is void, so this compaction only erases.
    const finished = compactOldest();
    if (finished < 0) return finished;
  }
  for (let round: u32 = 0; ; round++) {
    if (headSector >= 0) {
      let at = writePointer;
      // Small records never straddle a page, so a HOTP press is a single program operation.
      // Compaction packs its copies without gaps, so they never need more room than the originals.
      if (!appendingCopies && size <= SMALL_RECORD_BYTES && at / pageBytes != (at + size - 1) / pageBytes) at = (at / pageBytes + 1) * pageBytes;
      if (at + size <= sectorStart(<u32>headSector) + sectorBytes) return <i32>at;
    }
    const spare = nonActiveSectors();
    if (spare >= 2 || (useReserve && spare >= 1)) {
      const opened = openHead();
      if (opened < 0) return opened;
      continue;
    }
    // Compaction frees space unless live data fills the region; the capacity check in index.ts
    // keeps that from happening, and this bound stops a corrupted index from looping forever.
    if (useReserve || round > sectorCount + 1) return ERR_FULL;
    const compacted = compactOldest();
    if (compacted < 0) return compacted;
  }
  return ERR_FULL; // not reached
}

/**
 * Appends the record in `buffer` (payload at 16, `payloadBytes` long) with a new sequence number.
 * Returns its region offset, or a negative status. Padding to 16 bytes stays erased.
 */
export function appendRecord(buffer: usize, type: u8, payloadBytes: u32, encoding: u8, useReserve: bool): i32 {
  const size = recordBytes(payloadBytes);
  const at = reserveSpace(size, useReserve);
  if (at < 0) return at;
  store<u8>(buffer + HEADER_TYPE, type);
  store<u8>(buffer + HEADER_PAYLOAD_BYTES, <u8>payloadBytes);
  store<u8>(buffer + HEADER_ENCODING, encoding);
  store<u8>(buffer + HEADER_FLAGS, appendingCopies ? RECORD_FLAG_COPY : 0);
  store<u32>(buffer + HEADER_SEQUENCE, nextSequence);
  store<u32>(buffer + HEADER_PAYLOAD_CRC, crc32(buffer + <usize>RECORD_HEADER_BYTES, payloadBytes));
  store<u32>(buffer + HEADER_CRC, crc32(buffer, <u32>HEADER_CRC));
  nextSequence++;
  writePointer = <u32>at + size;
  const programmed = programFlash(<u32>at, buffer, RECORD_HEADER_BYTES + payloadBytes);
  return programmed < 0 ? programmed : at;
}

function oldestActiveSector(): i32 {
  let oldest = -1;
  for (let s: u32 = 0; s < sectorCount; s++) {
    if (sectorState(s) != SECTOR_ACTIVE) continue;
    if (oldest < 0 || sectorSequence(s) < sectorSequence(<u32>oldest)) oldest = <i32>s;
  }
  return oldest;
}

// Whether the record at `offset` (loaded in compactBuffer) must be copied before its sector
// [start, end) is erased: the index still points at it. Tombstones, wipes and superseded records
// are dropped (everything they could hide is in this sector or an older one); a counter record
// whose slot record is in the same sector is folded into that record's copy.
function isLive(offset: u32, start: u32, end: u32): bool {
  const type = load<u8>(compactBuffer + HEADER_TYPE);
  const key = <u32>load<u8>(compactBuffer + <usize>RECORD_HEADER_BYTES);
  if (type == RECORD_SLOT) return key < SLOT_COUNT && slotBase(key) == offset;
  if (type == RECORD_COUNTER) {
    if (key >= SLOT_COUNT || slotCounterRecord(key) != offset) return false;
    const base = slotBase(key);
    return base < start || base >= end;
  }
  if (type == RECORD_SETTING_INT) return key < SETTING_ID_LIMIT && settingIntRecord(key) == offset;
  if (type == RECORD_SETTING_BLOB) return key < SETTING_ID_LIMIT && settingBlobRecord(key) == offset;
  return false;
}

// Appends a fresh copy of the live record loaded in compactBuffer and points the index at it. A
// slot record takes the slot's current counter along and no longer empties another slot.
function copyLive(): i32 {
  const type = load<u8>(compactBuffer + HEADER_TYPE);
  const payloadBytes = <u32>load<u8>(compactBuffer + HEADER_PAYLOAD_BYTES);
  const encoding = load<u8>(compactBuffer + HEADER_ENCODING);
  const payload = compactBuffer + <usize>RECORD_HEADER_BYTES;
  const key = <u32>load<u8>(payload);
  if (type == RECORD_SLOT) {
    store<u8>(payload + SLOT_VACATES, NO_SLOT);
    store<u64>(payload + SLOT_COUNTER, slotCounterValue(key));
  }
  const at = appendRecord(compactBuffer, type, payloadBytes, encoding, true);
  if (at < 0) return at;
  if (type == RECORD_SLOT) {
    setSlotBase(key, <u32>at);
    setSlotCounterRecord(key, 0);
  } else if (type == RECORD_COUNTER) setSlotCounterRecord(key, <u32>at);
  else if (type == RECORD_SETTING_INT) setSettingIntRecord(key, <u32>at);
  else setSettingBlobRecord(key, <u32>at);
  return OK;
}

// Walks the valid records of `sector`: copies the live ones when `copy`, else only sums their
// sizes. Returns the live bytes, or a negative status.
function walkLive(sector: u32, copy: bool): i32 {
  const start = sectorStart(sector);
  const end = start + sectorBytes;
  let at = start + SECTOR_HEADER_BYTES;
  let liveBytes: i32 = 0;
  while (at + RECORD_HEADER_BYTES <= end) {
    const size = loadRecord(at, end, compactBuffer);
    if (size == 0) {
      at += RECORD_HEADER_BYTES;
      continue;
    }
    if (loadedPayloadValid && isLive(at, start, end)) {
      liveBytes += <i32>size;
      if (copy) {
        appendingCopies = true;
        const copied = copyLive();
        appendingCopies = false;
        if (copied < 0) {
          liveBytes = copied;
          break;
        }
      }
    }
    at += size;
  }
  memory.fill(compactBuffer, 0, RECORD_BUFFER_BYTES); // it held secrets
  return liveBytes;
}

/** Compaction: copies the oldest sector's live records to the head, then erases that sector. */
export function compactOldest(): i32 {
  const victim = oldestActiveSector();
  if (victim < 0) return ERR_FULL;
  if (victim == headSector) {
    const opened = openHead();
    if (opened < 0) return opened;
  }
  const copied = walkLive(<u32>victim, true);
  if (copied < 0) return copied;
  return eraseSector(<u32>victim);
}

/**
 * Idle-time compaction, so HOTP presses rarely have to compact: when the log is down to its last
 * two spare sectors, compacts the oldest sector if at most half of it is live (compacting a mostly
 * live sector gains little and would wear the flash). 1 when it compacted, 0 when nothing was
 * worth doing, or a negative status.
 */
export function compactWhenIdle(): i32 {
  if (headSector < 0 || nonActiveSectors() > 2) return 0;
  const victim = oldestActiveSector();
  if (victim < 0 || victim == headSector) return 0;
  const liveBytes = walkLive(<u32>victim, false);
  if (liveBytes < 0 || <u32>liveBytes > (sectorBytes - SECTOR_HEADER_BYTES) / 2) return 0;
  const compacted = compactOldest();
  return compacted < 0 ? compacted : 1;
}

/**
 * Keeps an erased sector ready, so a HOTP press that opens a new head sector programs its header
 * instead of erasing. Called after writes other than HOTP presses; a failure here is harmless (the
 * sector stays dirty and is erased when needed).
 */
export function prepareSpare(): void {
  if (nextSectorIn(SECTOR_FREE) >= 0) return;
  const dirty = nextSectorIn(SECTOR_DIRTY);
  if (dirty >= 0) eraseSector(<u32>dirty);
}

/** Opens a fresh head (used by wipe after the wipe record is down). */
export function openFreshHead(): i32 {
  return openHead();
}

/** The live bytes the log can hold while compaction still always makes progress. */
export function logCapacityBytes(): u32 {
  const recordMax = sealingOn ? RECORD_MAX_BYTES : PLAIN_RECORD_MAX_BYTES; // sealed records are larger
  const perSector = sectorBytes - SECTOR_HEADER_BYTES - recordMax - RECORD_HEADER_BYTES;
  const sectors = sectorCount > 2 ? sectorCount - 2 : 1;
  return sectors * perSector;
}
