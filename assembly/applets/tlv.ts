// BER-TLV as YKOATH uses it: one-byte tags, lengths in short form (< 0x80) or long form with one or
// two length bytes (0x81 LL, 0x82 LL LL). YKOATH's property tag 0x78 is the exception: the tag is
// followed directly by its one value byte, with no length (that is how ykman encodes it).
//
// The reader keeps its result in module globals (no allocation): tlvNext() fills tlvTag,
// tlvValue and tlvValueBytes and returns where the next element starts.

export const TLV_MALFORMED: i32 = -1;

/** Tag whose element has no length byte: the tag then one value byte (YKOATH PUT property). */
export const TAG_LENGTHLESS_PROPERTY: u32 = 0x78;

export let tlvTag: u32 = 0;
export let tlvValue: usize = 0;
export let tlvValueBytes: u32 = 0;

/**
 * Reads the element at `at` (which must be < end). Returns the offset after it, or TLV_MALFORMED
 * when the length is not understood or the value runs past `end`. When `lengthlessProperty` is
 * set, tag 0x78 is read as tag + one value byte.
 */
export function tlvNext(at: usize, end: usize, lengthlessProperty: bool): i32 {
  if (at >= end) return TLV_MALFORMED;
  const tag = <u32>load<u8>(at);
  let cursor = at + 1;
  let valueBytes: u32 = 0;
  if (lengthlessProperty && tag == TAG_LENGTHLESS_PROPERTY) {
    valueBytes = 1;
  } else {
    if (cursor >= end) return TLV_MALFORMED;
    const first = <u32>load<u8>(cursor);
    cursor++;
    if (first < 0x80) {
      valueBytes = first;
    } else if (first == 0x81) {
      if (cursor >= end) return TLV_MALFORMED;
      valueBytes = <u32>load<u8>(cursor);
      cursor++;
      if (valueBytes < 0x80) return TLV_MALFORMED; // not the shortest form: refuse, it hides nothing useful
    } else if (first == 0x82) {
      if (cursor + 1 >= end) return TLV_MALFORMED;
      valueBytes = (<u32>load<u8>(cursor) << 8) | <u32>load<u8>(cursor + 1);
      cursor += 2;
      if (valueBytes < 0x100) return TLV_MALFORMED;
    } else {
      return TLV_MALFORMED;
    }
  }
  if (<usize>valueBytes > end - cursor) return TLV_MALFORMED;
  tlvTag = tag;
  tlvValue = cursor;
  tlvValueBytes = valueBytes;
  return <i32>(cursor + <usize>valueBytes);
}

/** Bytes a header (tag + length) takes for a value of `valueBytes`. */
@inline
export function tlvHeaderBytes(valueBytes: u32): u32 {
  return valueBytes < 0x80 ? 2 : valueBytes < 0x100 ? 3 : 4;
}

/** Writes a tag and length header at `dst`; returns the bytes written. */
export function tlvWriteHeader(dst: usize, tag: u32, valueBytes: u32): u32 {
  store<u8>(dst, <u8>tag);
  if (valueBytes < 0x80) {
    store<u8>(dst + 1, <u8>valueBytes);
    return 2;
  }
  if (valueBytes < 0x100) {
    store<u8>(dst + 1, 0x81);
    store<u8>(dst + 2, <u8>valueBytes);
    return 3;
  }
  store<u8>(dst + 1, 0x82);
  store<u8>(dst + 2, <u8>(valueBytes >> 8));
  store<u8>(dst + 3, <u8>valueBytes);
  return 4;
}
