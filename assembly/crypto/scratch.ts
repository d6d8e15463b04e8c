// Scratch memory shared by the three hashes: the message schedule lives only inside one call of a
// compression function, and no compression runs inside another, so one area serves all three.

/** Room for the largest message schedule: SHA-512's 80 words of 8 bytes. */
export const SCHEDULE_BYTES: i32 = 80 * 8;
export const scheduleScratch = memory.data(SCHEDULE_BYTES, 16);
