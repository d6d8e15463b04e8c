// Test entry: the slot store (assembly/store) exported for the power-loss tests, the soak script
// and the store bench. Built with the release flags into build/testkit-store.wasm. Hosts pass
// names, secrets, challenges and blobs through one static I/O buffer (ioBuffer()).
import "../abi"; // routes abort() to the panic import, as in the token module

export {
  SLOT_COUNT, NAME_MAX_BYTES, SECRET_MAX_BYTES, BLOB_MAX_BYTES, KIND_HOTP, KIND_TOTP, FLAG_TOUCH,
  STORE_STATIC_BYTES, storeMount, slotUsed, slotsUsedCount, firstFreeSlot, findSlotByName, slotPut, slotDelete,
  slotRename, slotMove, storeWipe, slotNameCopy, slotKind, slotAlgorithm, slotDigits, slotPeriodSeconds,
  slotCounter, slotFlags, slotTotp, slotHotpNext, slotCounterAdvance, slotHmac, settingGet, settingPut,
  settingBlobGet, settingBlobPut, storeUsedBytes, storeCapacityBytes, storeMaintain,
} from "../store";

export const IO_BUFFER_BYTES: u32 = 1024;
const ioArea = memory.data(<i32>IO_BUFFER_BYTES);

export function ioBuffer(): usize {
  return ioArea;
}
