// Test entry: the PIN layer (assembly/pin) over the slot store, for the lock, counter, wipe and
// power-loss tests. Built with the release flags into build/testkit-pin.wasm. Hosts pass PINs,
// names and secrets through one static I/O buffer (ioBuffer()).
import "../abi"; // routes abort() to the panic import, as in the token module

export {
  storeMount, slotUsed, slotsUsedCount, slotPut, slotDelete, slotRename, slotMove, storeWipe, slotNameCopy,
  findSlotByName, slotTotp, slotHotpNext, slotHmac, slotCounter, settingGet, settingPut, settingBlobGet, settingBlobPut,
  storeUsedBytes, storeCapacityBytes, storeMaintain,
} from "../store";
export { slotEncoding } from "../store/reseal";
export {
  pinInit, pinState, pinOutcome, pinBusy, pinOpen, pinFailures, pinTriesLeft, pinProgressPercent, pinHideNames,
  pinIdleLockSeconds, pinUnlockBegin, pinSetBegin, pinCancel, pinLock, pinRemove, pinActivity, pinTick, pinFinish,
  pinConfigure, PIN_ITERATIONS,
} from "../pin";

export const IO_BUFFER_BYTES: u32 = 512;
const ioArea = memory.data(<i32>IO_BUFFER_BYTES);

export function ioBuffer(): usize {
  return ioArea;
}
