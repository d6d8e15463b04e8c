// The store's view of the flash: region-relative I/O split at page boundaries, and the sector
// table (state and sequence number of each sector of the region).
import { flash_read, flash_program, flash_erase } from "../abi";
import { OK, ERR_FLASH } from "../status";
import {
  SECTORS_MAX, ERASE_MARKER_BYTES, ACTIVATION_OFFSET, ACTIVATION_BYTES, SECTOR_MAGIC, SECTOR_HEADER_BYTES,
} from "./format";
import { crc32 } from "./crc";

/** A sector that is not known to be erased: erase it before use (never trusted at mount). */
export const SECTOR_DIRTY: u8 = 0;
/** Erased, with the erase-complete marker: ready to join the log. */
export const SECTOR_FREE: u8 = 1;
/** Part of the log, with a sequence number. */
export const SECTOR_ACTIVE: u8 = 2;

export let regionOffset: u32 = 0;
export let regionBytes: u32 = 0;
export let sectorBytes: u32 = 0;
export let pageBytes: u32 = 0;
export let sectorCount: u32 = 0;

const sectorSequenceTable = memory.data(<i32>SECTORS_MAX * 4);
const sectorStateTable = memory.data(<i32>SECTORS_MAX);
const eraseMarker = memory.data(<i32>ERASE_MARKER_BYTES); // zeros
const activationBuffer = memory.data(<i32>ACTIVATION_BYTES);
/** Scratch for sector headers and scans (no secrets pass through it). */
export const SCRATCH_BYTES: u32 = 256;
export const scratch = memory.data(<i32>SCRATCH_BYTES, 8);

export const FLASH_STATIC_BYTES: u32 = SECTORS_MAX * 5 + ERASE_MARKER_BYTES + ACTIVATION_BYTES + SCRATCH_BYTES;

export function setGeometry(offset: u32, bytes: u32, sector: u32, page: u32): void {
  regionOffset = offset;
  regionBytes = bytes;
  sectorBytes = sector;
  pageBytes = page;
  sectorCount = bytes / sector;
}

// @ts-ignore: decorator
@inline export function sectorStart(sector: u32): u32 {
  return sector * sectorBytes;
}
// @ts-ignore: decorator
@inline export function sectorState(sector: u32): u8 {
  return load<u8>(sectorStateTable + <usize>sector);
}
// @ts-ignore: decorator
@inline export function setSectorState(sector: u32, state: u8): void {
  store<u8>(sectorStateTable + <usize>sector, state);
}
// @ts-ignore: decorator
@inline export function sectorSequence(sector: u32): u32 {
  return load<u32>(sectorSequenceTable + (<usize>sector << 2));
}
// @ts-ignore: decorator
@inline export function setSectorSequence(sector: u32, sequence: u32): void {
  store<u32>(sectorSequenceTable + (<usize>sector << 2), sequence);
}

/** Reads `length` bytes at region offset `offset`. OK or ERR_FLASH. */
export function readFlash(offset: u32, dst: usize, length: u32): i32 {
  return flash_read(regionOffset + offset, dst, length) == 0 ? OK : ERR_FLASH;
}

/** Programs `length` bytes at region offset `offset`, one program per page touched. */
export function programFlash(offset: u32, src: usize, length: u32): i32 {
  let done: u32 = 0;
  while (done < length) {
    const at = regionOffset + offset + done;
    let chunk = pageBytes - (at & (pageBytes - 1));
    if (chunk > length - done) chunk = length - done;
    if (flash_program(at, src + <usize>done, chunk) != 0) return ERR_FLASH;
    done += chunk;
  }
  return OK;
}

/** Erases a sector, then programs its erase-complete marker: the sector becomes FREE. */
export function eraseSector(sector: u32): i32 {
  setSectorState(sector, SECTOR_DIRTY);
  if (flash_erase(regionOffset + sectorStart(sector)) != 0) return ERR_FLASH;
  if (programFlash(sectorStart(sector), eraseMarker, ERASE_MARKER_BYTES) < 0) return ERR_FLASH;
  setSectorState(sector, SECTOR_FREE);
  return OK;
}

/** Makes a FREE sector part of the log with sequence number `sequence`. */
export function activateSector(sector: u32, sequence: u32): i32 {
  store<u32>(activationBuffer, SECTOR_MAGIC);
  store<u32>(activationBuffer + 4, sequence);
  store<u32>(activationBuffer + 8, crc32(activationBuffer, 8));
  setSectorState(sector, SECTOR_DIRTY);
  if (programFlash(sectorStart(sector) + ACTIVATION_OFFSET, activationBuffer, ACTIVATION_BYTES) < 0) return ERR_FLASH;
  setSectorState(sector, SECTOR_ACTIVE);
  setSectorSequence(sector, sequence);
  return OK;
}

/** True when the `length` bytes at `at` all read 0xFF. Aligned data is checked eight bytes at a
 *  time: mount checks whole erased sectors, and an interpreter pays per operation. */
export function allErased(at: usize, length: u32): bool {
  let i: usize = 0;
  const n = <usize>length;
  if ((at & 7) == 0) {
    const words = n & ~(<usize>7);
    for (; i < words; i += 8) if (load<u64>(at + i) != 0xffffffffffffffff) return false;
  }
  for (; i < n; i++) if (load<u8>(at + i) != 0xff) return false;
  return true;
}

/** True when the region bytes [from, to) all read 0xFF. */
export function rangeErased(from: u32, to: u32): bool {
  let at = from;
  while (at < to) {
    let chunk = to - at;
    if (chunk > SCRATCH_BYTES) chunk = SCRATCH_BYTES;
    if (readFlash(at, scratch, chunk) < 0 || !allErased(scratch, chunk)) return false;
    at += chunk;
  }
  return true;
}

/** Reads a sector's header and sets its state (and sequence number when ACTIVE). */
export function classifySector(sector: u32): void {
  setSectorState(sector, SECTOR_DIRTY);
  const start = sectorStart(sector);
  if (readFlash(start, scratch, SECTOR_HEADER_BYTES) < 0) return;
  for (let i: usize = 0; i < <usize>ERASE_MARKER_BYTES; i++) if (load<u8>(scratch + i) != 0) return;
  if (!allErased(scratch + <usize>ERASE_MARKER_BYTES, ACTIVATION_OFFSET - ERASE_MARKER_BYTES)) return;
  const activation = scratch + <usize>ACTIVATION_OFFSET;
  const tail = SECTOR_HEADER_BYTES - ACTIVATION_OFFSET - ACTIVATION_BYTES;
  if (!allErased(activation + <usize>ACTIVATION_BYTES, tail)) return;
  if (allErased(activation, ACTIVATION_BYTES)) {
    // Marked erased and never activated: free, provided nothing was programmed since.
    if (rangeErased(start + SECTOR_HEADER_BYTES, start + sectorBytes)) setSectorState(sector, SECTOR_FREE);
    return;
  }
  if (load<u32>(activation) != SECTOR_MAGIC || crc32(activation, 8) != load<u32>(activation + 8)) return;
  setSectorSequence(sector, load<u32>(activation + 4));
  setSectorState(sector, SECTOR_ACTIVE);
}
