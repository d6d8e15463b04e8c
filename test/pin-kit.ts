// The PIN layer under test: build/testkit-pin.wasm (assembly/pin over the slot store) on a NorFlash
// model. A fresh PinUnderTest on the same flash is a reboot (the module forgets its RAM, as at
// power-off). PINs are ASCII digit strings.
import { createImports } from "../host-sim/abi.js";
import { quietDevices } from "../host-sim/instance.js";
import { NorFlash, PowerCut } from "../host-sim/flash.js";
import { SimClock } from "../host-sim/clock.js";
import { readModule } from "../host-sim/paths.js";
import { Region, Credential, PICO_REGION } from "../host-sim/store-harness/index.js";

export const STATE_NONE = 0;
export const STATE_LOCKED = 1;
export const STATE_UNLOCKED = 2;
export const OUTCOME_UNLOCKED = 2;
export const OUTCOME_WRONG = 3;
export const OUTCOME_WIPED = 4;
export const OUTCOME_SET = 5;
export const SETTING_PIN_FAILURES = 7;
export const BLOB_PIN = 66;
/** Slot record payload encoding bits (docs/SPEC.md "Flash format"): sealed, key prepared. */
export const ENCODING_PLAIN = 0;
export const ENCODING_SEALED = 1;
export const ENCODING_KEY_PREPARED = 2;

type Fn = (...args: never[]) => number & bigint;
type PinExports = Record<string, Fn> & { memory: WebAssembly.Memory; PIN_ITERATIONS: WebAssembly.Global };

let compiled: WebAssembly.Module | null = null;
let moduleBytes: Uint8Array | null = null;

export { PowerCut };

export class PinUnderTest {
  readonly x: PinExports;
  readonly io: number;

  constructor(readonly flash: NorFlash, readonly region: Region = PICO_REGION, readonly clock = new SimClock()) {
    if (compiled === null) {
      moduleBytes = readModule("testkit-pin");
      compiled = new WebAssembly.Module(moduleBytes as Uint8Array<ArrayBuffer>);
    }
    let memory: WebAssembly.Memory | null = null;
    const imports = createImports(quietDevices(flash, clock), moduleBytes!, () => memory!);
    const instance = new WebAssembly.Instance(compiled, imports as unknown as WebAssembly.Imports);
    this.x = instance.exports as unknown as PinExports;
    memory = this.x.memory;
    this.io = this.x.ioBuffer();
  }

  /** Mounts the store and starts the PIN layer, as the token's init does. */
  boot(): this {
    const { regionOffset, regionBytes, geometry } = this.region;
    const mounted = this.call("storeMount", regionOffset, regionBytes, geometry.sectorBytes, geometry.pageBytes);
    if (mounted !== 0) throw new Error(`storeMount: ${mounted}`);
    const started = this.call("pinInit", BigInt(this.clock.nowMs));
    if (started !== 0) throw new Error(`pinInit: ${started}`);
    return this;
  }

  call(name: string, ...args: (number | bigint)[]): number {
    return Number((this.x[name] as unknown as (...a: (number | bigint)[]) => number | bigint)(...args));
  }

  private write(offset: number, data: Uint8Array): void {
    new Uint8Array(this.x.memory.buffer, this.io + offset, data.length).set(data);
  }

  get state(): number { return this.call("pinState"); }
  get outcome(): number { return this.call("pinOutcome"); }
  get failures(): number { return this.call("pinFailures"); }

  unlockBegin(pin: string): number {
    this.write(0, new TextEncoder().encode(pin));
    return this.call("pinUnlockBegin", this.io, pin.length);
  }

  setBegin(pin: string): number {
    this.write(0, new TextEncoder().encode(pin));
    return this.call("pinSetBegin", this.io, pin.length);
  }

  /** Runs the derivation from ticks (each at least 1 ms later) and returns the outcome. */
  finish(): number {
    let ticks = 0;
    while (this.call("pinBusy") !== 0) {
      this.clock.advance(10);
      this.call("pinTick", BigInt(this.clock.nowMs));
      if (++ticks > 100_000) throw new Error("derivation never finished");
    }
    return this.outcome;
  }

  unlock(pin: string): number {
    const begun = this.unlockBegin(pin);
    if (begun !== 0) return begun;
    return this.finish();
  }

  setPin(pin: string): number {
    const begun = this.setBegin(pin);
    if (begun !== 0) return begun;
    return this.finish();
  }

  put(slot: number, c: Credential): number {
    this.write(0, c.name);
    this.write(128, c.secret);
    return this.call("slotPut", slot, this.io, c.name.length, c.kind, c.algorithm, c.digits, c.periodSeconds, c.counter,
      c.flags, this.io + 128, c.secret.length);
  }

  name(slot: number): Uint8Array | number {
    const length = this.call("slotNameCopy", slot, this.io, 256);
    return length < 0 ? length : new Uint8Array(this.x.memory.buffer, this.io, length).slice();
  }

  findByName(name: Uint8Array): number {
    this.write(0, name);
    return this.call("findSlotByName", this.io, name.length);
  }

  hmac(slot: number, challenge: Uint8Array): Uint8Array | number {
    this.write(0, challenge);
    const length = this.call("slotHmac", slot, this.io, challenge.length, this.io + 256);
    return length < 0 ? length : new Uint8Array(this.x.memory.buffer, this.io + 256, length).slice();
  }
}

/** Counts the occurrences of `needle` in the whole flash model. */
export function countInFlash(flash: NorFlash, needle: Uint8Array): number {
  const haystack = Buffer.from(flash.bytes.buffer, flash.bytes.byteOffset, flash.bytes.length);
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}
