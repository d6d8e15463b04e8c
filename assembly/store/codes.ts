// Codes from a slot's key, computed inside the module by the OTP layer. A slot record holds the key
// prepared (the HMAC inner and outer chaining values, packed): it is loaded straight into the key
// context, so a code costs only the message and outer blocks. A record of the first form holds the
// raw key and is prepared here on each use. The record buffer and the context are wiped after use.
import { ERR_RANGE, ERR_NOT_FOUND, ERR_STATE, ERR_CORRUPT } from "../status";
import {
  hmacPrepare, hmacWithContext, hotpWithContext, totpCounter, packedKeyBytes, packKey, unpackKey, HMAC_CONTEXT_BYTES,
} from "../otp";
import {
  SLOT_COUNT, KIND_HOTP, KIND_TOTP, RECORD_HEADER_BYTES, RECORD_COUNTER, COUNTER_PAYLOAD_BYTES,
  ENCODING_PLAIN, ENCODING_KEY_PREPARED, HEADER_ENCODING, SLOT_NAME,
} from "./format";
import { recordBuffer, appendRecord } from "./log";
import { storeMounted } from "./mount";
import {
  slotBase, slotMeta, slotNameBytes, slotSecretBytes, slotCounterValue, setSlotCounterValue,
  setSlotCounterRecord, metaKind, metaAlgorithm, metaDigits, metaPeriod,
} from "./ram";
import { loadSlotRecord, scrubRecordBuffer } from "./slot-record";
import { openSlotRecord, slotLockedAway } from "./sealed";

const keyContext = memory.data(HMAC_CONTEXT_BYTES);
export const CODES_STATIC_BYTES: u32 = <u32>HMAC_CONTEXT_BYTES;

/**
 * Writes the key field a slot record stores for the raw key at `key` (`keyBytes` long, 1..128):
 * the packed prepared key, packedKeyBytes(algorithm) long. Returns that length, or <0. `dst` may
 * overlap the raw key (it is consumed before anything is written). The context is wiped.
 */
export function writeKeyField(algorithm: u32, key: usize, keyBytes: u32, dst: usize): i32 {
  const prepared = hmacPrepare(algorithm, key, keyBytes, keyContext);
  if (prepared < 0) return prepared;
  const packed = packKey(keyContext, dst);
  forgetKey();
  return packed;
}

// OK when `slot` is a used slot of `kind` (0: any kind).
function checkSlot(slot: u32, kind: u32): i32 {
  if (!storeMounted) return ERR_STATE;
  if (slot >= SLOT_COUNT) return ERR_RANGE;
  if (slotBase(slot) == 0) return ERR_NOT_FOUND;
  if (kind != 0 && metaKind(slotMeta(slot)) != kind) return ERR_STATE;
  if (slotLockedAway(slot)) return ERR_STATE; // sealed and locked: refused before any write
  return 0;
}

// Prepares keyContext from the slot's key field on flash.
function prepareKey(slot: u32): i32 {
  const loaded = loadSlotRecord(slot);
  if (loaded < 0) return loaded;
  const opened = openSlotRecord(recordBuffer); // a sealed payload needs the PIN's data key
  if (opened < 0) {
    scrubRecordBuffer();
    return opened;
  }
  const field = recordBuffer + <usize>RECORD_HEADER_BYTES + SLOT_NAME + <usize>slotNameBytes(slot);
  const fieldBytes = slotSecretBytes(slot);
  const algorithm = metaAlgorithm(slotMeta(slot));
  let prepared: i32;
  if ((load<u8>(recordBuffer + HEADER_ENCODING) & ENCODING_KEY_PREPARED) != 0) {
    prepared = <i32>fieldBytes == packedKeyBytes(algorithm) ? unpackKey(algorithm, field, keyContext) : ERR_CORRUPT;
  } else {
    prepared = hmacPrepare(algorithm, field, fieldBytes, keyContext); // the first form: a raw key
  }
  scrubRecordBuffer();
  return prepared;
}

function forgetKey(): void {
  memory.fill(keyContext, 0, HMAC_CONTEXT_BYTES);
}

/** The TOTP code of a TOTP slot at `unixSeconds` (0 .. 10^digits - 1), or <0. Writes nothing. */
export function slotTotp(slot: u32, unixSeconds: i64): i64 {
  const invalid = checkSlot(slot, KIND_TOTP);
  if (invalid < 0) return invalid;
  const meta = slotMeta(slot);
  const step = totpCounter(unixSeconds, metaPeriod(meta));
  if (step < 0) return step;
  const prepared = prepareKey(slot);
  if (prepared < 0) return prepared;
  const code = hotpWithContext(keyContext, <u64>step, metaDigits(meta));
  forgetKey();
  return code;
}

/**
 * Persists counter + 1 for a HOTP slot and returns the counter it replaced, or <0. One small
 * program operation; no erase except an occasional compaction.
 */
export function slotCounterAdvance(slot: u32): i64 {
  const invalid = checkSlot(slot, KIND_HOTP);
  if (invalid < 0) return invalid;
  const counter = slotCounterValue(slot);
  if (counter >= <u64>i64.MAX_VALUE) return ERR_RANGE; // the result must stay a non-negative i64
  const payload = recordBuffer + <usize>RECORD_HEADER_BYTES;
  store<u8>(payload, <u8>slot);
  store<u64>(payload + 1, counter + 1);
  const at = appendRecord(recordBuffer, RECORD_COUNTER, COUNTER_PAYLOAD_BYTES, ENCODING_PLAIN, false);
  if (at < 0) return at;
  setSlotCounterValue(slot, counter + 1);
  setSlotCounterRecord(slot, <u32>at);
  return <i64>counter;
}

/** HOTP: persists counter + 1 first, then returns the code of the old counter (a power cut can
 *  skip a code but never repeat one), or <0. */
export function slotHotpNext(slot: u32): i64 {
  const counter = slotCounterAdvance(slot);
  if (counter < 0) return counter;
  const prepared = prepareKey(slot);
  if (prepared < 0) return prepared;
  const code = hotpWithContext(keyContext, <u64>counter, metaDigits(slotMeta(slot)));
  forgetKey();
  return code;
}

/** HMAC of `challenge` under the slot's secret and algorithm (any kind): the digest length
 *  written to `digestOut`, or <0. YKOATH's full responses. */
export function slotHmac(slot: u32, challenge: usize, challengeBytes: u32, digestOut: usize): i32 {
  const invalid = checkSlot(slot, 0);
  if (invalid < 0) return invalid;
  const prepared = prepareKey(slot);
  if (prepared < 0) return prepared;
  const length = hmacWithContext(keyContext, challenge, challengeBytes, digestOut);
  forgetKey();
  return length;
}
