// Keyboard layout tables: which HID key (usage, USB HID Usage Tables 1.4 section 10) and modifier
// the host needs to see for each digit. Top-row typing depends on the host's layout; keypad typing
// does not (keypad usages mean digits on every layout while NumLock is on).

export const LAYOUT_US: u32 = 0;
export const LAYOUT_UK: u32 = 1;
export const LAYOUT_DE: u32 = 2;
export const LAYOUT_FR: u32 = 3;
export const LAYOUT_BE: u32 = 4;
export const LAYOUT_CH: u32 = 5;
export const LAYOUT_DVORAK: u32 = 6; // US Dvorak (ANSI): digits stay on the top row
export const LAYOUT_COUNT: u32 = 7;

export const MODIFIER_NONE: u8 = 0;
export const MODIFIER_LEFT_SHIFT: u8 = 0x02;

export const USAGE_ENTER: u8 = 0x28;
export const USAGE_TAB: u8 = 0x2b;
export const USAGE_CAPS_LOCK: u8 = 0x39;
export const USAGE_NUM_LOCK: u8 = 0x53;
export const USAGE_KEYPAD_1: u8 = 0x59; // keypad 1..9 are 0x59..0x61, keypad 0 is 0x62
export const USAGE_KEYPAD_0: u8 = 0x62;

export const LED_NUM_LOCK: u32 = 1;
export const LED_CAPS_LOCK: u32 = 2;

// Per layout, per digit 0..9: the usage, then the modifier. On AZERTY (fr, be) the top row's
// unshifted characters are & é " ' ( - è _ ç à (fr) and the digits need Shift.
const topRowTable = memory.data<u8>([
  // us: 0 1 2 3 4 5 6 7 8 9
  0x27, 0, 0x1e, 0, 0x1f, 0, 0x20, 0, 0x21, 0, 0x22, 0, 0x23, 0, 0x24, 0, 0x25, 0, 0x26, 0,
  // uk
  0x27, 0, 0x1e, 0, 0x1f, 0, 0x20, 0, 0x21, 0, 0x22, 0, 0x23, 0, 0x24, 0, 0x25, 0, 0x26, 0,
  // de (QWERTZ)
  0x27, 0, 0x1e, 0, 0x1f, 0, 0x20, 0, 0x21, 0, 0x22, 0, 0x23, 0, 0x24, 0, 0x25, 0, 0x26, 0,
  // fr (AZERTY): Shift
  0x27, 2, 0x1e, 2, 0x1f, 2, 0x20, 2, 0x21, 2, 0x22, 2, 0x23, 2, 0x24, 2, 0x25, 2, 0x26, 2,
  // be (Belgian AZERTY): Shift
  0x27, 2, 0x1e, 2, 0x1f, 2, 0x20, 2, 0x21, 2, 0x22, 2, 0x23, 2, 0x24, 2, 0x25, 2, 0x26, 2,
  // ch (Swiss QWERTZ)
  0x27, 0, 0x1e, 0, 0x1f, 0, 0x20, 0, 0x21, 0, 0x22, 0, 0x23, 0, 0x24, 0, 0x25, 0, 0x26, 0,
  // dvorak (US)
  0x27, 0, 0x1e, 0, 0x1f, 0, 0x20, 0, 0x21, 0, 0x22, 0, 0x23, 0, 0x24, 0, 0x25, 0, 0x26, 0,
]);

// Layouts whose digit row CapsLock can turn around on some hosts (Windows' French and Belgian
// layouts treat CapsLock as a shift lock there; X11's do not), so typing turns CapsLock off first.
const capsLockAffectsDigits = memory.data<u8>([0, 0, 0, 1, 1, 0, 0]);

@inline
export function layoutValid(layout: u32): bool {
  return layout < LAYOUT_COUNT;
}

/** The usage of `digit` (0..9) on the top row of `layout`. */
export function topRowUsage(layout: u32, digit: u32): u8 {
  return load<u8>(topRowTable + <usize>(layout * 20 + digit * 2));
}

/** The modifier byte that must accompany topRowUsage(). */
export function topRowModifier(layout: u32, digit: u32): u8 {
  return load<u8>(topRowTable + <usize>(layout * 20 + digit * 2 + 1));
}

export function layoutCapsLockAffectsDigits(layout: u32): bool {
  return load<u8>(capsLockAffectsDigits + <usize>layout) != 0;
}

/** The keypad usage of `digit` (0..9), the same on every layout. */
@inline
export function keypadUsage(digit: u32): u8 {
  return digit == 0 ? USAGE_KEYPAD_0 : <u8>(<u32>USAGE_KEYPAD_1 + digit - 1);
}
