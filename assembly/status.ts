// Status codes shared by every layer of the module. Functions that can fail return one of these
// (0 or a negative value); docs/SPEC.md ("Status codes") lists them. They never trap.

export const OK: i32 = 0;
/** A parameter is out of its documented range (digits, period, algorithm, slot, length...). */
export const ERR_RANGE: i32 = -1;
/** An unknown algorithm identifier. */
export const ERR_ALGORITHM: i32 = -2;
/** A key (secret) that is empty or longer than the maximum. */
export const ERR_KEY_LENGTH: i32 = -3;
/** A name that is empty or longer than the maximum. */
export const ERR_NAME_LENGTH: i32 = -4;
/** The store has no room left (all slots used, or the log region cannot take the record). */
export const ERR_FULL: i32 = -5;
/** The requested slot or record does not exist. */
export const ERR_NOT_FOUND: i32 = -6;
/** The flash (a host import) reported a failure. */
export const ERR_FLASH: i32 = -7;
/** No valid time is known. */
export const ERR_NO_TIME: i32 = -8;
/** The operation is refused in the current state (locked, not initialised...). */
export const ERR_STATE: i32 = -9;
/** The host could not supply random bytes. */
export const ERR_ENTROPY: i32 = -10;
/** Stored data failed its integrity check. */
export const ERR_CORRUPT: i32 = -11;
