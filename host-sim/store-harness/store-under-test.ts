// The slot store under test: build/testkit-store.wasm (a test module of the store layer) on a
// NorFlash model, with the regions it is mounted in. Shared by the store tests, the PIN tests, the
// store bench and scripts/soak-store.mjs (through dist/).
import { createImports } from "../abi.js";
import { quietDevices } from "../instance.js";
import { NorFlash, FlashGeometry, PICO_FLASH } from "../flash.js";
import { DEFAULT_REGION_BYTES } from "../token.js";
import { readModule } from "../paths.js";

/** The challenge snapshots HMAC each secret with (its bytes never leave the module). */
export const CHALLENGE = new Uint8Array([0x54, 0x4f, 0x54, 0x50, 0x6b, 0x65, 0x79, 0x21]);

interface StoreExports {
  memory: WebAssembly.Memory;
  ioBuffer(): number;
  STORE_STATIC_BYTES: WebAssembly.Global;
  storeMount(regionOffset: number, regionBytes: number, sectorBytes: number, pageBytes: number): number;
  slotUsed(slot: number): number;
  slotsUsedCount(): number;
  firstFreeSlot(): number;
  findSlotByName(name: number, nameBytes: number): number;
  slotPut(slot: number, name: number, nameBytes: number, kind: number, algorithm: number, digits: number,
    periodSeconds: number, counter: bigint, flags: number, secret: number, secretBytes: number): number;
  slotDelete(slot: number): number;
  slotRename(slot: number, name: number, nameBytes: number): number;
  slotMove(fromSlot: number, toSlot: number): number;
  storeWipe(): number;
  slotNameCopy(slot: number, dst: number, capacity: number): number;
  slotKind(slot: number): number;
  slotAlgorithm(slot: number): number;
  slotDigits(slot: number): number;
  slotPeriodSeconds(slot: number): number;
  slotCounter(slot: number): bigint;
  slotFlags(slot: number): number;
  slotTotp(slot: number, unixSeconds: bigint): bigint;
  slotHotpNext(slot: number): bigint;
  slotCounterAdvance(slot: number): bigint;
  slotHmac(slot: number, challenge: number, challengeBytes: number, digestOut: number): number;
  settingGet(id: number, defaultValue: number): number;
  settingPut(id: number, value: number): number;
  settingBlobGet(id: number, dst: number, capacity: number): number;
  settingBlobPut(id: number, src: number, bytes: number): number;
  storeUsedBytes(): number;
  storeCapacityBytes(): number;
  storeMaintain(): number;
}

/** A credential as the model keeps it. `algorithm` is 1..3 (SHA-1/256/512). */
export interface Credential {
  name: Uint8Array;
  kind: number;
  algorithm: number;
  digits: number;
  periodSeconds: number;
  counter: bigint;
  flags: number;
  secret: Uint8Array;
}

/** Where the store lives on the flash. */
export interface Region {
  geometry: FlashGeometry;
  regionOffset: number;
  regionBytes: number;
}

/** The default: the last 64 KiB of a Pico's 2 MiB flash. */
export const PICO_REGION: Region = {
  geometry: PICO_FLASH,
  regionOffset: PICO_FLASH.totalBytes - DEFAULT_REGION_BYTES,
  regionBytes: DEFAULT_REGION_BYTES,
};

/** A small region (whole flash) of `sectors` sectors of `sectorBytes`: compaction comes quickly. */
export function smallRegion(sectors: number, sectorBytes = 1024, pageBytes = 256): Region {
  const totalBytes = sectors * sectorBytes;
  return { geometry: { totalBytes, sectorBytes, pageBytes }, regionOffset: 0, regionBytes: totalBytes };
}

let compiled: WebAssembly.Module | null = null;
let moduleBytes: Uint8Array | null = null;

/** One instance of the store test module on `flash` (a fresh instance = a reboot). */
export class StoreUnderTest {
  readonly x: StoreExports;
  readonly io: number;

  constructor(readonly flash: NorFlash, readonly region: Region) {
    if (compiled === null) {
      moduleBytes = readModule("testkit-store");
      compiled = new WebAssembly.Module(moduleBytes as Uint8Array<ArrayBuffer>);
    }
    let memory: WebAssembly.Memory | null = null;
    const imports = createImports(quietDevices(flash), moduleBytes!, () => memory!);
    const instance = new WebAssembly.Instance(compiled, imports as unknown as WebAssembly.Imports);
    this.x = instance.exports as unknown as StoreExports;
    memory = this.x.memory;
    this.io = this.x.ioBuffer();
  }

  get staticBytes(): number {
    return this.x.STORE_STATIC_BYTES.value as number;
  }

  mount(): number {
    const { regionOffset, regionBytes, geometry } = this.region;
    return this.x.storeMount(regionOffset, regionBytes, geometry.sectorBytes, geometry.pageBytes);
  }

  private bytesAt(offset: number, length: number): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, this.io + offset, length);
  }

  private write(offset: number, data: Uint8Array): void {
    if (offset + data.length > 1024) throw new RangeError("io buffer");
    this.bytesAt(offset, data.length).set(data);
  }

  put(slot: number, c: Credential): number {
    this.write(0, c.name);
    this.write(256, c.secret);
    return this.x.slotPut(slot, this.io, c.name.length, c.kind, c.algorithm, c.digits, c.periodSeconds, c.counter,
      c.flags, this.io + 256, c.secret.length);
  }

  rename(slot: number, name: Uint8Array): number {
    this.write(0, name);
    return this.x.slotRename(slot, this.io, name.length);
  }

  findByName(name: Uint8Array): number {
    this.write(0, name);
    return this.x.findSlotByName(this.io, name.length);
  }

  name(slot: number): Uint8Array | number {
    const length = this.x.slotNameCopy(slot, this.io, 512);
    return length < 0 ? length : this.bytesAt(0, length).slice();
  }

  hmac(slot: number, challenge: Uint8Array = CHALLENGE): Uint8Array | number {
    this.write(0, challenge);
    const length = this.x.slotHmac(slot, this.io, challenge.length, this.io + 512);
    return length < 0 ? length : this.bytesAt(512, length).slice();
  }

  blobPut(id: number, data: Uint8Array): number {
    this.write(0, data);
    return this.x.settingBlobPut(id, this.io, data.length);
  }

  blob(id: number): Uint8Array | number {
    const length = this.x.settingBlobGet(id, this.io, 512);
    return length < 0 ? length : this.bytesAt(0, length).slice();
  }
}
