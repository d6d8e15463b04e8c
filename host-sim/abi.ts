// The Node side of the host ABI (docs/SPEC.md, "Host ABI"): every import the module may call, and
// the list of exports a host may use. assembly/abi.ts is the module's side of the same contract.
import { createHash } from "node:crypto";
import { NorFlash, PowerCut } from "./flash.js";
import { SimClock } from "./clock.js";

/** Imports the module is allowed to use, module "host". */
export const ABI_IMPORTS = [
  "flash_read", "flash_program", "flash_erase", "now_ms", "rtc_read", "rtc_write", "random_fill",
  "keyboard_report", "display_frame", "apdu_response", "log", "panic", "host_info", "drop_compiled_code",
] as const;

/** Exports every host may call (plus the linear memory, "memory"). */
export const ABI_EXPORTS = [
  "init", "tick", "button", "keyboard_leds", "apdu_buffer", "apdu_capacity", "apdu_routine", "apdu", "session_reset",
] as const;

export interface ModuleExports {
  memory: WebAssembly.Memory;
  init(regionOffset: number, regionBytes: number, sectorBytes: number, pageBytes: number, flags: number): number;
  tick(): void;
  button(id: number, down: number): void;
  keyboard_leds(bits: number): void;
  apdu_buffer(): number;
  apdu_capacity(): number;
  apdu_routine(length: number): number;
  apdu(length: number): void;
  session_reset(): void;
}

/** The module called panic(): a bug in the module, reported with its message. */
export class ModulePanic extends Error {
  constructor(message: string, readonly line: number) {
    super(`module panic: ${message} (line ${line})`);
    this.name = "ModulePanic";
  }
}

/** A module bug seen by the host: a pointer or length outside linear memory. */
export class GuestMemoryError extends Error {
  constructor(what: string) {
    super(`module passed an out-of-range pointer to ${what}`);
    this.name = "GuestMemoryError";
  }
}

export interface HostDevices {
  flash: NorFlash;
  clock: SimClock;
  /** Random bytes, or null when no entropy is available. */
  random(length: number): Uint8Array | null;
  /** 0 sent, 1 busy, -1 no keyboard: see keyboard_report in SPEC. */
  keyboardReport(report: Uint8Array): number;
  displayFrame(frame: Uint8Array, widthPx: number, heightPx: number): void;
  apduResponse(response: Uint8Array): void;
  log(level: number, text: string): void;
  /** Host name and version, e.g. "host-sim 0.1.0". */
  hostName: string;
  /** The module's drop_compiled_code hint. Node keeps no compiled code of its own to drop; a test
   *  may count the hints. */
  compiledCodeDropHint?(): void;
}

const utf8 = new TextDecoder();

/** Builds the "host" import object for one module instance. `memory` is read lazily because the
 *  imports exist before the instance does. */
export function createImports(devices: HostDevices, moduleBytes: Uint8Array, memory: () => WebAssembly.Memory) {
  const moduleDigest = createHash("sha256").update(moduleBytes).digest();

  // Every guest pointer is checked before use, as on the board.
  function guest(ptr: number, length: number, what: string): Uint8Array {
    const buffer = memory().buffer;
    if (ptr < 0 || length < 0 || ptr + length > buffer.byteLength) throw new GuestMemoryError(what);
    return new Uint8Array(buffer, ptr, length);
  }
  // i64 imports and results travel as BigInt.
  const host = {
    flash_read(offset: number, dst: number, length: number): number {
      const data = devices.flash.read(offset >>> 0, length >>> 0);
      if (data === null) return -1;
      guest(dst, length >>> 0, "flash_read").set(data);
      return 0;
    },
    flash_program(offset: number, src: number, length: number): number {
      return devices.flash.program(offset >>> 0, guest(src, length >>> 0, "flash_program").slice());
    },
    flash_erase(offset: number): number {
      return devices.flash.erase(offset >>> 0);
    },
    now_ms(): bigint {
      return BigInt(devices.clock.nowMs);
    },
    rtc_read(): bigint {
      return BigInt(devices.clock.readRtc());
    },
    rtc_write(seconds: bigint): number {
      return devices.clock.setRtc(Number(seconds)) ? 0 : -1;
    },
    random_fill(dst: number, length: number): number {
      const target = guest(dst, length >>> 0, "random_fill");
      const bytes = devices.random(length >>> 0);
      if (bytes === null) return -1;
      target.set(bytes.subarray(0, target.length));
      return 0;
    },
    keyboard_report(src: number, length: number): number {
      return devices.keyboardReport(guest(src, length >>> 0, "keyboard_report").slice());
    },
    display_frame(src: number, length: number, widthPx: number, heightPx: number): void {
      if (length !== (widthPx * heightPx) / 8) throw new GuestMemoryError("display_frame (length)");
      devices.displayFrame(guest(src, length >>> 0, "display_frame").slice(), widthPx, heightPx);
    },
    apdu_response(src: number, length: number): void {
      devices.apduResponse(guest(src, length >>> 0, "apdu_response").slice());
    },
    log(level: number, src: number, length: number): void {
      devices.log(level, utf8.decode(guest(src, length >>> 0, "log")));
    },
    panic(src: number, length: number, line: number): void {
      throw new ModulePanic(utf8.decode(guest(src, length >>> 0, "panic")), line);
    },
    drop_compiled_code(): void {
      devices.compiledCodeDropHint?.();
    },
    host_info(dst: number, capacity: number): number {
      const name = new TextEncoder().encode(devices.hostName);
      const info = new Uint8Array(moduleDigest.length + name.length);
      info.set(moduleDigest);
      info.set(name, moduleDigest.length);
      const written = Math.min(info.length, capacity >>> 0);
      guest(dst, written, "host_info").set(info.subarray(0, written));
      return written;
    },
  };
  return { host };
}

export { PowerCut };
