// The module's numeric constants that hosts need (slot kinds, algorithms, setting and blob ids,
// typing options), in one place for every host-side user (cli/, host-sim/, bench/). The values are
// the module's: test/module-constants.test.ts reads them from the AssemblyScript sources and fails
// when one here differs, so a renumbering there cannot silently diverge from the hosts.

// Slot kinds (assembly/store/format.ts).
export const KIND_HOTP = 1;
export const KIND_TOTP = 2;

// HMAC algorithms (assembly/otp/index.ts, numbered as assembly/crypto/hash.ts and YKOATH's nibble).
export const ALG_SHA1 = 1;
export const ALG_SHA256 = 2;
export const ALG_SHA512 = 3;

// Integer setting ids (assembly/store/settings-ids.ts).
export const SETTING_KEYBOARD_LAYOUT = 1;
export const SETTING_TYPING_MODE = 2;
export const SETTING_AFTER_CODE = 3;
export const SETTING_DISPLAY_TIMEOUT_SECONDS = 4;
export const SETTING_TYPING_PACE_MS = 5;
export const SETTING_SELECTED_SLOT = 6;
export const SETTING_PIN_FAILURES = 7;
export const SETTING_PIN_IDLE_LOCK_SECONDS = 8;
export const SETTING_PIN_HIDE_NAMES = 9;
export const SETTING_PIN_PURGE_PENDING = 10;

// Blob ids (assembly/store/settings-ids.ts).
export const BLOB_CLOCK_CALIBRATION = 64;
export const BLOB_OATH_ACCESS = 65;
export const BLOB_PIN = 66;

// Values of SETTING_TYPING_MODE and SETTING_AFTER_CODE (assembly/ui/typing.ts).
export const TYPING_MODE_KEYPAD = 0;
export const TYPING_MODE_TOP_ROW = 1;
export const AFTER_CODE_NONE = 0;
export const AFTER_CODE_ENTER = 1;
export const AFTER_CODE_TAB = 2;
