// A command that waits for a press of OK on the token (touch-required credentials, factory
// reset). The reply is deferred: applets/index.ts sends it from appletsButton when OK goes down,
// or a timeout status word from appletsTick. The UI reads touchPendingReason() to show a prompt;
// while a touch is pending the OK press belongs to the applet, not to the front panel.
import { now_ms } from "../abi";

export const TOUCH_REASON_NONE: u32 = 0;
/** A touch-required credential is being calculated. */
export const TOUCH_REASON_CREDENTIAL: u32 = 1;
/** A factory reset waits for confirmation. */
export const TOUCH_REASON_FACTORY_RESET: u32 = 2;

/** How long a press is awaited (a YubiKey waits about 15 s). */
export const TOUCH_TIMEOUT_MS: i64 = 15000;
export const FACTORY_RESET_TIMEOUT_MS: i64 = 30000;

let reason: u32 = TOUCH_REASON_NONE;
let deadlineMs: i64 = 0;

export function touchRequest(why: u32): void {
  reason = why;
  deadlineMs = now_ms() + (why == TOUCH_REASON_FACTORY_RESET ? FACTORY_RESET_TIMEOUT_MS : TOUCH_TIMEOUT_MS);
}

export function touchPendingReason(): u32 {
  return reason;
}

export function touchExpired(nowMs: i64): bool {
  return reason != TOUCH_REASON_NONE && nowMs >= deadlineMs;
}

export function touchClear(): void {
  reason = TOUCH_REASON_NONE;
  deadlineMs = 0;
}
