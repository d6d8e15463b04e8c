// A NOR flash model with the rules of a W25Q16-class chip, wear counters, and power cuts.
// The store's power-loss tests (in the style of littlefs's emulated block device) run on it.

export interface FlashGeometry {
  totalBytes: number;
  sectorBytes: number;
  pageBytes: number;
}

/** A Raspberry Pi Pico's W25Q16JV: 2 MiB, 4 KiB sectors, 256-byte pages. */
export const PICO_FLASH: FlashGeometry = { totalBytes: 2 * 1024 * 1024, sectorBytes: 4096, pageBytes: 256 };

/**
 * What the interrupted operation leaves behind when power is cut:
 * - "atomic": it happened entirely or not at all (chosen at random);
 * - "torn": a page is partly programmed (a prefix, the last byte with only some of its bits), a
 *   sector partly erased (a prefix set to 0xFF, the rest with a random subset of bits set).
 */
export type CutBehaviour = "atomic" | "torn";

/** Thrown from inside a flash operation when the armed power cut fires, and on every operation
 *  after it: the world has stopped until the host powers up again (a new module instance). */
export class PowerCut extends Error {
  constructor() {
    super("power cut");
    this.name = "PowerCut";
  }
}

export const FLASH_OK = 0;
export const FLASH_RANGE = -1;
export const FLASH_SET_BIT = -2;

// mulberry32: small, seedable, good enough to pick torn lengths and bits (and the store harness's
// workloads) reproducibly.
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class NorFlash {
  readonly geometry: FlashGeometry;
  readonly bytes: Uint8Array;
  /** Erases taken by each sector since this model was made. */
  readonly sectorErases: Uint32Array;
  /** Program and erase operations performed (the unit power cuts count in). */
  operations = 0;
  programs = 0;
  erases = 0;
  /** Program calls that tried to turn a 0 bit into 1 (a module bug on real NOR). */
  setBitViolations = 0;

  private cutAtOperation: number | null = null;
  private cutBehaviour: CutBehaviour = "atomic";
  private random: () => number = seededRandom(1);
  private powered = true;

  constructor(geometry: FlashGeometry = PICO_FLASH, image?: Uint8Array) {
    const { totalBytes, sectorBytes, pageBytes } = geometry;
    if (totalBytes % sectorBytes !== 0 || sectorBytes % pageBytes !== 0) {
      throw new RangeError("flash geometry: total must be whole sectors, sectors whole pages");
    }
    this.geometry = { ...geometry };
    this.bytes = new Uint8Array(totalBytes).fill(0xff);
    if (image) {
      if (image.length !== totalBytes) throw new RangeError(`flash image must be ${totalBytes} bytes`);
      this.bytes.set(image);
    }
    this.sectorErases = new Uint32Array(totalBytes / sectorBytes);
  }

  /** A copy of the flash contents and wear, powered, with no cut armed. */
  clone(): NorFlash {
    const copy = new NorFlash(this.geometry, this.bytes);
    copy.sectorErases.set(this.sectorErases);
    return copy;
  }

  /**
   * Arms a power cut: `operationsBeforeCut` more program/erase operations complete, and the next
   * one is interrupted as `behaviour` says, then throws PowerCut (as does every later operation).
   */
  armPowerCut(operationsBeforeCut: number, behaviour: CutBehaviour, seed = 1): void {
    this.cutAtOperation = this.operations + operationsBeforeCut;
    this.cutBehaviour = behaviour;
    this.random = seededRandom(seed);
  }

  disarmPowerCut(): void {
    this.cutAtOperation = null;
  }

  /** Power comes back: operations work again (a new module instance must mount the store). */
  powerOn(): void {
    this.powered = true;
    this.cutAtOperation = null;
  }

  get isPowered(): boolean {
    return this.powered;
  }

  read(offset: number, length: number): Uint8Array | null {
    if (!this.inRange(offset, length)) return null;
    return this.bytes.subarray(offset, offset + length);
  }

  program(offset: number, data: Uint8Array): number {
    this.checkPower();
    const { pageBytes } = this.geometry;
    if (data.length === 0 || !this.inRange(offset, data.length)) return FLASH_RANGE;
    if (Math.floor(offset / pageBytes) !== Math.floor((offset + data.length - 1) / pageBytes)) return FLASH_RANGE;
    let status = FLASH_OK;
    for (let i = 0; i < data.length; i++) {
      if ((~this.bytes[offset + i] & data[i] & 0xff) !== 0) status = FLASH_SET_BIT;
    }
    if (status === FLASH_SET_BIT) this.setBitViolations++;
    const interrupted = this.countOperation();
    this.programs++;
    let writeBytes = data.length;
    let lastByteMask = 0xff;
    if (interrupted) {
      if (this.cutBehaviour === "atomic") {
        writeBytes = this.random() < 0.5 ? 0 : data.length;
      } else {
        writeBytes = Math.floor(this.random() * (data.length + 1));
        lastByteMask = Math.floor(this.random() * 256);
      }
    }
    for (let i = 0; i < writeBytes; i++) this.bytes[offset + i] &= data[i];
    if (interrupted && writeBytes < data.length && this.cutBehaviour === "torn") {
      // The byte being programmed when power went: only some of its zero bits made it.
      this.bytes[offset + writeBytes] &= data[writeBytes] | ~lastByteMask;
    }
    if (interrupted) this.stop();
    return status;
  }

  erase(offset: number): number {
    this.checkPower();
    const { sectorBytes } = this.geometry;
    if (offset % sectorBytes !== 0 || !this.inRange(offset, sectorBytes)) return FLASH_RANGE;
    const interrupted = this.countOperation();
    this.erases++;
    this.sectorErases[offset / sectorBytes]++;
    if (!interrupted) {
      this.bytes.fill(0xff, offset, offset + sectorBytes);
      return FLASH_OK;
    }
    if (this.cutBehaviour === "atomic") {
      if (this.random() < 0.5) this.bytes.fill(0xff, offset, offset + sectorBytes);
    } else {
      const erasedBytes = Math.floor(this.random() * sectorBytes);
      this.bytes.fill(0xff, offset, offset + erasedBytes);
      for (let i = offset + erasedBytes; i < offset + sectorBytes; i++) {
        this.bytes[i] |= Math.floor(this.random() * 256);
      }
    }
    this.stop();
    return FLASH_OK; // not reached: stop() throws
  }

  /** Flips one bit anywhere (a stray bit error for mount-robustness tests). */
  flipBit(offset: number, bit: number): void {
    this.bytes[offset] ^= 1 << bit;
  }

  private inRange(offset: number, length: number): boolean {
    return Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 &&
      offset + length <= this.geometry.totalBytes;
  }

  private checkPower(): void {
    if (!this.powered) throw new PowerCut();
  }

  // True when this operation is the one the armed cut interrupts.
  private countOperation(): boolean {
    const interrupted = this.cutAtOperation !== null && this.operations === this.cutAtOperation;
    this.operations++;
    return interrupted;
  }

  private stop(): never {
    this.powered = false;
    this.cutAtOperation = null;
    throw new PowerCut();
  }
}
