// High-water marks of the firmware's two stacks, read from emulated RAM. Both start zeroed: the C
// stack below the reset handler's frame (boards/rp2040/startup.c) and wasm3's value stack (calloc).
import type { EmulatedBoard } from "./board.js";

/** The C stack grows down from __stack_top: its lowest non-zero word marks the deepest use. */
export function cStackHighWaterBytes(board: EmulatedBoard, symbols: Map<string, number>): number {
  const limit = symbols.get("__stack_limit"), top = symbols.get("__stack_top");
  if (limit === undefined || top === undefined) throw new Error("the firmware has no __stack_limit/__stack_top");
  for (let at = limit; at < top; at += 4) if (board.rp2040.readUint32(at) !== 0) return top - at;
  return 0;
}

/** wasm3's value stack grows up from its base: its highest non-zero word marks the deepest use. */
export function valueStackHighWaterBytes(board: EmulatedBoard, symbols: Map<string, number>): number {
  const base = board.rp2040.readUint32(symbols.get("wasm_value_stack_base")!);
  const end = board.rp2040.readUint32(symbols.get("wasm_value_stack_end")!);
  for (let at = end - 4; at >= base; at -= 4) if (board.rp2040.readUint32(at) !== 0) return at + 4 - base;
  return 0;
}
