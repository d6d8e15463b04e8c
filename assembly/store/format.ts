// The on-flash format of the slot store (docs/SPEC.md, "Flash format"): sector headers, record
// headers and payload layouts. All multi-byte fields are little-endian.

export const SLOT_COUNT: u32 = 100;
export const NAME_MAX_BYTES: u32 = 64;
/** The longest raw key a put takes, and the longest key field (SHA-512's packed key). */
export const SECRET_MAX_BYTES: u32 = 128;
export const BLOB_MAX_BYTES: u32 = 128;
export const KIND_HOTP: u32 = 1;
export const KIND_TOTP: u32 = 2;
export const FLAG_TOUCH: u32 = 1;
/** Flags are 16 bits on flash; bits other than FLAG_TOUCH are kept for later issues. */
export const FLAGS_MASK: u32 = 0xffff;
export const DIGITS_MIN: u32 = 4;
export const DIGITS_MAX: u32 = 10;
export const PERIOD_SECONDS_MIN: u32 = 1;
export const PERIOD_SECONDS_MAX: u32 = 255;
/** The largest region the RAM sector table covers. */
export const SECTORS_MAX: u32 = 64;

// ---- Sector header (first 32 bytes of every sector) ----------------------------------------------
// 0..7   erase-complete marker: eight 0x00 bytes programmed right after an erase finished. A sector
//        without it is never trusted (an interrupted erase leaves it 0xFF or random).
// 8..15  0xFF
// 16..19 SECTOR_MAGIC, 20..23 sector sequence number, 24..27 CRC-32 of bytes 16..23: programmed
//        when the sector joins the log. 28..31 0xFF.
export const SECTOR_HEADER_BYTES: u32 = 32;
export const ERASE_MARKER_BYTES: u32 = 8;
export const ACTIVATION_OFFSET: u32 = 16;
export const ACTIVATION_BYTES: u32 = 12;
export const SECTOR_MAGIC: u32 = 0x3153_4b54; // "TKS1": format 1

// ---- Record header (16 bytes, records start 16-byte aligned) -------------------------------------
// 0 type, 1 payload bytes, 2 payload encoding, 3 flags, 4..7 record sequence number,
// 8..11 CRC-32 of the payload, 12..15 CRC-32 of header bytes 0..11.
export const RECORD_HEADER_BYTES: u32 = 16;
export const RECORD_ALIGN_BYTES: u32 = 16;
export const HEADER_TYPE: usize = 0;
export const HEADER_PAYLOAD_BYTES: usize = 1;
export const HEADER_ENCODING: usize = 2;
export const HEADER_FLAGS: usize = 3;
export const HEADER_SEQUENCE: usize = 4;
/** Flag: a copy written by compaction (the same content as a record in an older sector). */
export const RECORD_FLAG_COPY: u8 = 1;
export const HEADER_PAYLOAD_CRC: usize = 8;
export const HEADER_CRC: usize = 12;

export const RECORD_SLOT: u8 = 1;
export const RECORD_COUNTER: u8 = 2;
export const RECORD_DELETE: u8 = 3;
export const RECORD_WIPE: u8 = 4;
export const RECORD_SETTING_INT: u8 = 5;
export const RECORD_SETTING_BLOB: u8 = 6;

// Payload encoding: two bits. Bit 0: sealed. Bit 1 (slot records): the key field holds the prepared
// HMAC key (store/codes.ts), not the raw key. Records written before bit 1 existed hold raw keys
// (encodings 0 and 1) and still compute; a module that predates bit 1 refuses records with it
// instead of taking chaining values for a raw key (docs/SPEC.md, "Flash format").
/** Payload as given (a slot record of this encoding holds a raw key: the first form). */
export const ENCODING_PLAIN: u8 = 0;
/** A slot payload whose name and key are sealed under the PIN's data key (store/sealed.ts). */
export const ENCODING_SEALED: u8 = 1;
/** A slot payload whose key field is the packed prepared HMAC key (otp packKey). */
export const ENCODING_KEY_PREPARED: u8 = 2;
/** The largest encoding this format defines (sealed, key prepared). */
export const ENCODING_MAX: u8 = 3;

/** Whether a record of `encoding` is sealed, or of an encoding this format does not define. */
// @ts-ignore: decorator
@inline export function encodingSealedOrUnknown(encoding: u8): bool {
  return encoding > ENCODING_MAX || (encoding & ENCODING_SEALED) != 0;
}
/** Bytes sealing adds to a slot payload: a 12-byte nonce and a 16-byte tag. */
export const SEAL_OVERHEAD_BYTES: u32 = 28;

// Slot record payload: the whole credential, so a put is one record (atomic).
export const SLOT_INDEX: usize = 0;
/** A slot this record empties (a move), or NO_SLOT. */
export const SLOT_VACATES: usize = 1;
export const SLOT_KIND: usize = 2;
export const SLOT_ALGORITHM: usize = 3;
export const SLOT_DIGITS: usize = 4;
export const SLOT_PERIOD: usize = 5;
export const SLOT_FLAGS: usize = 6; // u16
export const SLOT_COUNTER: usize = 8; // u64
export const SLOT_NAME_BYTES: usize = 16;
export const SLOT_SECRET_BYTES: usize = 17; // the key field's length (packed key: 40, 64 or 128)
export const SLOT_NAME: usize = 18; // name, then the key field
export const SLOT_FIXED_BYTES: u32 = 18;
export const NO_SLOT: u8 = 0xff;

// Counter record payload: slot (u8), counter (u64 at 1). Delete: slot (u8). Wipe: empty.
export const COUNTER_PAYLOAD_BYTES: u32 = 9;
// Setting int payload: id (u8), value (i32 at 1). Blob: id (u8), bytes (0 bytes: removed).
export const SETTING_INT_PAYLOAD_BYTES: u32 = 5;

export const PAYLOAD_MAX_BYTES: u32 = SLOT_FIXED_BYTES + NAME_MAX_BYTES + SECRET_MAX_BYTES + SEAL_OVERHEAD_BYTES;
/** The largest record without sealing (226-byte payload, 240 aligned): the capacity rule's
 *  worst-case sector tail while no PIN is set. */
export const PLAIN_RECORD_MAX_BYTES: u32 = (RECORD_HEADER_BYTES + PAYLOAD_MAX_BYTES - SEAL_OVERHEAD_BYTES + 15) & ~15;
/** The largest record: a sealed slot with the longest name and secret (254 bytes, 256 aligned). */
export const RECORD_MAX_BYTES: u32 = (RECORD_HEADER_BYTES + PAYLOAD_MAX_BYTES + 15) & ~15;
/** Records up to this size never cross a page, so a HOTP press is one program operation. */
export const SMALL_RECORD_BYTES: u32 = 32;

/** Bytes a record of `payloadBytes` occupies in the log. */
// @ts-ignore: decorator
@inline export function recordBytes(payloadBytes: u32): u32 {
  return (RECORD_HEADER_BYTES + payloadBytes + RECORD_ALIGN_BYTES - 1) & ~(RECORD_ALIGN_BYTES - 1);
}

/** What a live record counts against the capacity: its size plus the most a page skip can waste. */
// @ts-ignore: decorator
@inline export function recordFootprint(payloadBytes: u32): u32 {
  return recordBytes(payloadBytes) + RECORD_ALIGN_BYTES;
}
