// Ids of device settings kept in the slot store (docs/SPEC.md, "Flash format"). Integer settings
// and blobs have separate id spaces of SETTING_ID_LIMIT ids each; other layers add ids here.

/** Ids are 0..SETTING_ID_LIMIT-1 (one byte on flash; the RAM index has one entry per id). */
export const SETTING_ID_LIMIT: u32 = 128;

// Integer settings (settingGet / settingPut).
export const SETTING_KEYBOARD_LAYOUT: u32 = 1;
export const SETTING_TYPING_MODE: u32 = 2;
/** What to type after a code: 0 nothing, 1 Enter, 2 Tab. */
export const SETTING_AFTER_CODE: u32 = 3;
export const SETTING_DISPLAY_TIMEOUT_SECONDS: u32 = 4;
export const SETTING_TYPING_PACE_MS: u32 = 5;
export const SETTING_SELECTED_SLOT: u32 = 6;
/** PIN lock (assembly/pin): wrong PINs since the last right one, persisted before each comparison. */
export const SETTING_PIN_FAILURES: u32 = 7;
/** PIN lock: seconds without a button or APDU before the token locks (0: only at power-off). */
export const SETTING_PIN_IDLE_LOCK_SECONDS: u32 = 8;
/** PIN lock: 1 hides slot names while locked (LIST and the panel show a count only). */
export const SETTING_PIN_HIDE_NAMES: u32 = 9;
/** PIN lock: 1 while plain (or old-PIN) records may still be on flash; cleared after the purge. */
export const SETTING_PIN_PURGE_PENDING: u32 = 10;

// Blobs of up to BLOB_MAX_BYTES (settingBlobGet / settingBlobPut).
export const BLOB_CLOCK_CALIBRATION: u32 = 64;
/** The YKOATH access password key and salt. */
export const BLOB_OATH_ACCESS: u32 = 65;
export const BLOB_PIN: u32 = 66;
