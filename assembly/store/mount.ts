// Mount: classify every sector, replay the active ones oldest first into the RAM index, and find
// where the head sector's next record goes. Mount only reads: repairs happen on the next write.
import { OK, ERR_RANGE } from "../status";
import {
  SLOT_COUNT, SECTORS_MAX, SECTOR_HEADER_BYTES, RECORD_HEADER_BYTES, RECORD_MAX_BYTES, RECORD_SLOT,
  RECORD_COUNTER, RECORD_DELETE, RECORD_WIPE, RECORD_SETTING_INT, RECORD_SETTING_BLOB, HEADER_TYPE,
  HEADER_PAYLOAD_BYTES, HEADER_ENCODING, ENCODING_SEALED, SEAL_OVERHEAD_BYTES, HEADER_SEQUENCE, HEADER_FLAGS, RECORD_FLAG_COPY, SLOT_INDEX, SLOT_VACATES, SLOT_KIND, SLOT_ALGORITHM, SLOT_DIGITS,
  SLOT_PERIOD, SLOT_FLAGS, SLOT_COUNTER, SLOT_NAME_BYTES, SLOT_SECRET_BYTES, SLOT_FIXED_BYTES, NAME_MAX_BYTES,
  SECRET_MAX_BYTES, COUNTER_PAYLOAD_BYTES, SETTING_INT_PAYLOAD_BYTES, RECORD_ALIGN_BYTES,
} from "./format";
import { SETTING_ID_LIMIT } from "./settings-ids";
import {
  setGeometry, sectorCount, sectorBytes, sectorStart, sectorState, sectorSequence, classifySector, readFlash,
  scratch, SCRATCH_BYTES, SECTOR_ACTIVE, SECTOR_DIRTY, setSectorState, allErased, rangeErased,
} from "./flash";
import { recordBuffer, loadRecord, loadedPayloadValid, resetLog, setHead, noteSequences, setAside } from "./log";
import {
  clearIndex, clearSlot, setSlot, packMeta, slotBase, setSlotCounterValue, setSlotCounterRecord,
  setSettingIntRecord, setSettingBlobRecord,
} from "./ram";

export let storeMounted = false;
/** Mount replayed a wipe record: a wipe was cut before it erased the old sectors (a finished wipe
 *  erases its own record). The PIN layer then purges the region (store/reseal.ts storePurge). */
export let wipeReplayed = false;

function isPowerOfTwo(value: u32): bool {
  return value != 0 && (value & (value - 1)) == 0;
}

// Applies one valid record to the index (records arrive in the order they were written).
function applyRecord(offset: u32): void {
  const type = load<u8>(recordBuffer + HEADER_TYPE);
  const payloadBytes = <u32>load<u8>(recordBuffer + HEADER_PAYLOAD_BYTES);
  const payload = recordBuffer + <usize>RECORD_HEADER_BYTES;
  const key = <u32>load<u8>(payload);
  if (type == RECORD_WIPE) {
    clearIndex();
    wipeReplayed = true;
    return;
  }
  if (payloadBytes == 0) return;
  if (type == RECORD_SLOT) {
    if (key >= SLOT_COUNT || payloadBytes < SLOT_FIXED_BYTES) return;
    const nameBytes = <u32>load<u8>(payload + SLOT_NAME_BYTES);
    const secretBytes = <u32>load<u8>(payload + SLOT_SECRET_BYTES);
    if (nameBytes > NAME_MAX_BYTES || secretBytes > SECRET_MAX_BYTES) return;
    const sealBytes = (load<u8>(recordBuffer + HEADER_ENCODING) & ENCODING_SEALED) != 0 ? SEAL_OVERHEAD_BYTES : 0;
    if (SLOT_FIXED_BYTES + nameBytes + secretBytes + sealBytes != payloadBytes) return;
    const vacates = <u32>load<u8>(payload + SLOT_VACATES);
    if (vacates < SLOT_COUNT && vacates != key) clearSlot(vacates);
    const meta = packMeta(load<u8>(payload + SLOT_KIND), load<u8>(payload + SLOT_ALGORITHM),
      load<u8>(payload + SLOT_DIGITS), load<u8>(payload + SLOT_PERIOD), load<u16>(payload + SLOT_FLAGS));
    setSlot(key, offset, meta, nameBytes, secretBytes, load<u64>(payload + SLOT_COUNTER));
  } else if (type == RECORD_COUNTER) {
    if (key >= SLOT_COUNT || payloadBytes != COUNTER_PAYLOAD_BYTES || slotBase(key) == 0) return;
    setSlotCounterValue(key, load<u64>(payload + 1));
    setSlotCounterRecord(key, offset);
  } else if (type == RECORD_DELETE) {
    if (key < SLOT_COUNT) clearSlot(key);
  } else if (type == RECORD_SETTING_INT) {
    if (key < SETTING_ID_LIMIT && payloadBytes == SETTING_INT_PAYLOAD_BYTES) setSettingIntRecord(key, offset);
  } else if (type == RECORD_SETTING_BLOB) {
    if (key < SETTING_ID_LIMIT) setSettingBlobRecord(key, payloadBytes == 1 ? 0 : offset);
  }
  // Other types are from a later format revision: skipped.
}

/** Set by replaySector: where the erased rest of the sector it replayed begins (its end if none
 *  was found). */
let erasedFrom: u32 = 0;

// Replays one sector; returns the end of the last record whose header was valid (a record whose
// payload failed its CRC still claims its bytes: nothing is ever written over them).
function replaySector(sector: u32): u32 {
  const start = sectorStart(sector);
  const end = start + sectorBytes;
  let claimedEnd = start + SECTOR_HEADER_BYTES;
  let at = claimedEnd;
  let tailChecked = false;
  erasedFrom = end;
  while (at + RECORD_HEADER_BYTES <= end) {
    const size = loadRecord(at, end, recordBuffer);
    if (size == 0) {
      // The first erased unit usually starts the erased rest of the sector (a head sector's free
      // room): when all of it reads 0xFF there is no record left to find. Checked once per sector.
      if (!tailChecked && allErased(recordBuffer, RECORD_HEADER_BYTES)) {
        tailChecked = true;
        if (rangeErased(at + RECORD_HEADER_BYTES, end)) {
          erasedFrom = at;
          break;
        }
      }
      at += RECORD_ALIGN_BYTES; // a torn or corrupted header: resynchronise at the next unit
      continue;
    }
    noteSequences(load<u32>(recordBuffer + HEADER_SEQUENCE), sectorSequence(sector));
    if (loadedPayloadValid) applyRecord(at);
    at += size;
    claimedEnd = at;
  }
  memory.fill(recordBuffer, 0, RECORD_MAX_BYTES); // it held secrets
  return claimedEnd;
}

// True when every valid record in `sector` is a compaction copy (or it has none).
function holdsOnlyCopies(sector: u32): bool {
  const start = sectorStart(sector);
  const end = start + sectorBytes;
  let at = start + SECTOR_HEADER_BYTES;
  let onlyCopies = true;
  while (at + RECORD_HEADER_BYTES <= end) {
    const size = loadRecord(at, end, recordBuffer);
    if (size == 0) {
      at += RECORD_ALIGN_BYTES;
      continue;
    }
    noteSequences(load<u32>(recordBuffer + HEADER_SEQUENCE), sectorSequence(sector));
    if (loadedPayloadValid && (load<u8>(recordBuffer + HEADER_FLAGS) & RECORD_FLAG_COPY) == 0) {
      onlyCopies = false;
      break;
    }
    at += size;
  }
  memory.fill(recordBuffer, 0, RECORD_MAX_BYTES);
  return onlyCopies;
}

// A power cut during a compaction that had taken the reserve sector leaves no spare sector, and the
// copies (plus a torn one) may fill the new head so the compaction cannot finish. Such a head holds
// nothing but copies of records still in the sector being compacted: replaying without it gives
// the same state, so it is set aside as dirty, erased before the next write (until then every
// mount sets it aside again), and the compaction starts over.
function setAsideInterruptedCompaction(): void {
  let newest = -1;
  for (let s: u32 = 0; s < sectorCount; s++) {
    if (sectorState(s) != SECTOR_ACTIVE) return; // a spare exists: nothing to undo
    if (newest < 0 || sectorSequence(s) > sectorSequence(<u32>newest)) newest = <i32>s;
  }
  if (newest < 0) return;
  noteSequences(0, sectorSequence(<u32>newest));
  if (!holdsOnlyCopies(<u32>newest)) return;
  setSectorState(<u32>newest, SECTOR_DIRTY);
  setAside(<u32>newest);
}

// Past the last byte that is not 0xFF (torn programs included), and past every claimed record.
// [`erasedEnd`, sector end) is known to be erased.
function headWritePointer(sector: u32, claimedEnd: u32, erasedEnd: u32): u32 {
  const first = sectorStart(sector) + SECTOR_HEADER_BYTES;
  let chunkEnd = erasedEnd;
  let used = first;
  while (chunkEnd > first && used == first) {
    let chunk = chunkEnd - first;
    if (chunk > SCRATCH_BYTES) chunk = SCRATCH_BYTES;
    const chunkStart = chunkEnd - chunk;
    if (readFlash(chunkStart, scratch, chunk) < 0) return sectorStart(sector) + sectorBytes;
    if (allErased(scratch, chunk)) {
      chunkEnd = chunkStart;
      continue;
    }
    for (let i = <i32>chunk - 1; i >= 0; i--) {
      if (load<u8>(scratch + <usize>i) != 0xff) {
        used = chunkStart + <u32>i + 1;
        break;
      }
    }
    chunkEnd = chunkStart;
  }
  used = (used + RECORD_ALIGN_BYTES - 1) & ~(RECORD_ALIGN_BYTES - 1);
  return used > claimedEnd ? used : claimedEnd;
}

/**
 * Mounts the store in [regionOffset, regionOffset + regionBytes) of a flash with `sectorBytes`
 * erase sectors and `pageBytes` program pages. OK, or ERR_RANGE for a geometry it cannot use
 * (sizes not powers of two, region not whole sectors, fewer than 2 or more than SECTORS_MAX sectors,
 * sectors under 1 KiB, pages under 16 bytes).
 */
export function storeMount(regionOffset: u32, regionBytes: u32, sectorBytes: u32, pageBytes: u32): i32 {
  storeMounted = false;
  wipeReplayed = false;
  if (!isPowerOfTwo(sectorBytes) || !isPowerOfTwo(pageBytes)) return ERR_RANGE;
  if (sectorBytes < 1024 || pageBytes < 16 || pageBytes > sectorBytes) return ERR_RANGE;
  if (regionOffset % sectorBytes != 0 || regionBytes % sectorBytes != 0) return ERR_RANGE;
  const sectors = regionBytes / sectorBytes;
  if (sectors < 2 || sectors > SECTORS_MAX) return ERR_RANGE;
  if (<u64>regionOffset + <u64>regionBytes > <u64>0xffffffff) return ERR_RANGE;
  setGeometry(regionOffset, regionBytes, sectorBytes, pageBytes);
  clearIndex();
  resetLog();
  for (let s: u32 = 0; s < sectorCount; s++) classifySector(s);
  setAsideInterruptedCompaction();
  // Replay active sectors in sequence order (ties, which a correct store never makes, by index).
  let lastSequence: u32 = 0;
  let lastSector: i32 = -1;
  let claimedEnd: u32 = 0;
  for (;;) {
    let next = -1;
    for (let s: u32 = 0; s < sectorCount; s++) {
      if (sectorState(s) != SECTOR_ACTIVE) continue;
      const sequence = sectorSequence(s);
      const after = lastSector < 0 || sequence > lastSequence || (sequence == lastSequence && <i32>s > lastSector);
      if (!after) continue;
      if (next < 0 || sequence < sectorSequence(<u32>next)) next = <i32>s;
    }
    if (next < 0) break;
    claimedEnd = replaySector(<u32>next);
    noteSequences(0, sectorSequence(<u32>next));
    lastSequence = sectorSequence(<u32>next);
    lastSector = next;
  }
  if (lastSector >= 0) setHead(lastSector, headWritePointer(<u32>lastSector, claimedEnd, erasedFrom));
  storeMounted = true;
  return OK;
}
