// Reading a slot's record back from flash (CRC checked) into the record buffer, and the helpers
// the operations share. The buffer holds a secret only between loadSlotRecord and scrubRecordBuffer.
import { OK, ERR_CORRUPT, ERR_NOT_FOUND } from "../status";
import { RECORD_SLOT, HEADER_TYPE } from "./format";
import { sectorBytes } from "./flash";
import { recordBuffer, loadRecord, loadedPayloadValid, RECORD_BUFFER_BYTES } from "./log";
import { slotBase } from "./ram";

export function scrubRecordBuffer(): void {
  memory.fill(recordBuffer, 0, RECORD_BUFFER_BYTES);
}

/** Loads the used slot's record into recordBuffer: OK, or ERR_CORRUPT when it no longer matches
 *  its CRC (a bit flipped since mount). */
export function loadSlotRecord(slot: u32): i32 {
  const offset = slotBase(slot);
  if (offset == 0) return ERR_NOT_FOUND;
  const sectorEnd = (offset / sectorBytes + 1) * sectorBytes;
  const size = loadRecord(offset, sectorEnd, recordBuffer);
  if (size == 0 || !loadedPayloadValid || load<u8>(recordBuffer + HEADER_TYPE) != RECORD_SLOT) {
    scrubRecordBuffer();
    return ERR_CORRUPT;
  }
  return OK;
}

/** Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
export function isValidUtf8(text: usize, length: u32): bool {
  let i: u32 = 0;
  while (i < length) {
    const lead = <u32>load<u8>(text + <usize>i);
    if (lead < 0x80) {
      i++;
      continue;
    }
    let extra: u32;
    let low: u32 = 0x80;
    let high: u32 = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) extra = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      extra = 2;
      if (lead == 0xe0) low = 0xa0;
      if (lead == 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      extra = 3;
      if (lead == 0xf0) low = 0x90;
      if (lead == 0xf4) high = 0x8f;
    } else return false;
    if (i + extra >= length) return false; // truncated sequence
    for (let k: u32 = 1; k <= extra; k++) {
      const next = <u32>load<u8>(text + <usize>(i + k));
      if (k == 1 ? (next < low || next > high) : (next < 0x80 || next > 0xbf)) return false;
    }
    i += extra + 1;
  }
  return true;
}
