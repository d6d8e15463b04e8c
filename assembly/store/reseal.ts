// Re-encoding every slot when a PIN is set or removed: each slot is rewritten as one record (the
// store's atomic rename path, same name), so a power cut leaves each slot either in its old or its
// new encoding, both readable with the data key. Setting a PIN seals them; removing it opens them.
// A first-form record (raw key) comes out with its key prepared, like any rewrite.
import { OK, ERR_STATE } from "../status";
import { SLOT_COUNT, NAME_MAX_BYTES, HEADER_ENCODING, ENCODING_PLAIN, ENCODING_MAX } from "./format";
import { readFlash, eraseSector, sectorCount, sectorState, SECTOR_ACTIVE, SECTOR_DIRTY } from "./flash";
import { compactOldest } from "./log";
import { storeMounted } from "./mount";
import { slotBase } from "./ram";
import { slotNameCopy, slotRename, storeUsedBytes, storeCapacityBytes } from "./index";
import { ENCODING_SEALED, storeSealing, storeSetSealing, storeKeyLoaded } from "./sealed";

const nameBuffer = memory.data(<i32>NAME_MAX_BYTES);
const encodingByte = memory.data(4);

/** The payload encoding of a used slot's record: the sealed bit and the key-form bit (0xFF when
 *  unreadable). */
export function slotEncoding(slot: u32): u8 {
  if (slot >= SLOT_COUNT || slotBase(slot) == 0) return 0xff;
  if (readFlash(slotBase(slot) + <u32>HEADER_ENCODING, encodingByte, 1) < 0) return 0xff;
  return load<u8>(encodingByte);
}

// Rewrites every used slot whose record's sealed bit is `from` in the current sealing mode.
function reencodeAll(from: u8): i32 {
  for (let slot: u32 = 0; slot < SLOT_COUNT; slot++) {
    if (slotBase(slot) == 0) continue;
    const encoding = slotEncoding(slot);
    if (encoding > ENCODING_MAX || (encoding & ENCODING_SEALED) != from) continue;
    const nameBytes = slotNameCopy(slot, nameBuffer, NAME_MAX_BYTES);
    if (nameBytes < 0) return nameBytes;
    const rewritten = slotRename(slot, nameBuffer, <u32>nameBytes);
    memory.fill(nameBuffer, 0, NAME_MAX_BYTES);
    if (rewritten < 0) return rewritten;
  }
  return OK;
}

/** Seals every plain slot (sealing on and the data key loaded; else ERR_STATE). */
export function storeSealAll(): i32 {
  if (!storeSealing() || !storeKeyLoaded()) return ERR_STATE;
  return reencodeAll(ENCODING_PLAIN);
}

/** Turns sealing off and opens every sealed slot (the data key must be loaded). On an error
 *  sealing stays on (some slots may already be plain; storeSealAll seals them again). */
export function storeOpenAll(): i32 {
  if (!storeKeyLoaded()) return ERR_STATE;
  storeSetSealing(false);
  const opened = reencodeAll(ENCODING_SEALED);
  if (opened < 0) storeSetSealing(true);
  return opened;
}

/**
 * After storeSealAll: compacts every active sector once (the oldest first; copies go to newer
 * sectors) and erases dirty ones, so no superseded plain record of a name or secret is left on
 * flash. Costs one erase per sector: run it only after sealing plain slots. OK or a negative status.
 */
export function storePurge(): i32 {
  if (!storeMounted) return ERR_STATE;
  let active: u32 = 0;
  for (let s: u32 = 0; s < sectorCount; s++) if (sectorState(s) == SECTOR_ACTIVE) active++;
  for (let i: u32 = 0; i < active; i++) {
    const compacted = compactOldest();
    if (compacted < 0) return compacted;
  }
  for (let s: u32 = 0; s < sectorCount; s++) {
    if (sectorState(s) != SECTOR_DIRTY) continue;
    const erased = eraseSector(s);
    if (erased < 0) return erased;
  }
  return OK;
}

/** Whether every slot still fits once sealed (a PIN makes each slot record 28 bytes larger and
 *  the capacity a little smaller). */
export function storeSealFits(): bool {
  const was = storeSealing();
  storeSetSealing(true);
  const fits = storeUsedBytes() <= storeCapacityBytes();
  storeSetSealing(was);
  return fits;
}
