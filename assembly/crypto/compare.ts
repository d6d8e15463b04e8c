// Constant-time comparison: the time depends on the length only, never on where bytes differ,
// so a PIN or MAC check leaks nothing through timing.

export function constantTimeEqual(a: usize, b: usize, length: u32): bool {
  let difference: u32 = 0;
  for (let i: usize = 0; i < <usize>length; i++) {
    difference |= <u32>(load<u8>(a + i) ^ load<u8>(b + i));
  }
  return difference == 0;
}
