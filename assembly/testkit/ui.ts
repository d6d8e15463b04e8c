// Test entry for the front panel (font, typing sequencer, clock calibration, and the panel itself
// with the hooks the token's ABI does not reach: lock, touch prompt) and a way to write
// credentials into a flash image (the simulator's demo flash, test fixtures) through the real store
// code. Built with the release flags into build/testkit-ui.wasm.
import "../abi"; // routes abort() to the panic import, as in the token module

export { glyphRow } from "../ui/font";
export {
  typingStart, typingTick, typingSetLeds, typingActive, typingLastResult, typingReportsSent, typingCancel,
} from "../ui/typing";
export {
  clockInit, clockSet, clockNow, clockPendingConfirm, clockPendingSeconds, clockConfirm, clockCancel, clockDriftPpb,
  clockCalibrationSamples, clockOffsetSeconds,
} from "../clock";
export { uiInit, uiTick, uiButton, uiKeyboardLeds, uiSetLocked, uiCurrentSlot, uiTouchPrompt } from "../ui/panel";
export { storeMount, slotPut, slotUsed, settingPut, settingGet } from "../store";

const SCRATCH_BYTES: i32 = 256;
const scratch = memory.data(SCRATCH_BYTES);

/** Where a test writes names and secrets before calling slotPut. */
export function scratchBuffer(): usize {
  return scratch;
}

export function scratchCapacity(): u32 {
  return <u32>SCRATCH_BYTES;
}
