// The firmware image booted in rp2040js, with the board's world around it: the NOR flash model
// (host-sim/flash.ts) behind the bootrom's flash routines, an SSD1306 and a DS3231 on I2C0, three
// buttons on GPIO, UART0 captured as text, and cycles counted at 125 MHz.
import { Simulator, I2CMode, ConsoleLogger, LogLevel } from "rp2040js";
import { NorFlash, PICO_FLASH, PowerCut } from "../host-sim/flash.js";
import { ROM_BREAK, boot2Crc, buildBootrom, lookupRomTable } from "./bootrom.js";
import { Ds3231, I2CDevice, Ssd1306 } from "./i2c-devices.js";

export const CLK_SYS_HZ = 125_000_000;
const NANOS_PER_CYCLE = 1e9 / CLK_SYS_HZ;
const BOOT2_SRAM_ADDRESS = 0x20041f00;
const BOOT2_STACK_TOP = 0x20042000;
const SRAM_BASE = 0x20000000;
const PROFILE_INTERVAL = 61; // prime, so loops do not alias with the sampling

/** GPIO numbers of the buttons (docs/hardware.md), in the ABI's order: UP, DOWN, OK. */
export const BUTTON_PINS = [10, 11, 12] as const;
export const I2C_ADDRESS_SSD1306 = 0x3c;
export const I2C_ADDRESS_DS3231 = 0x68;

export interface BoardOptions {
  /** The flat image (build/firmware/totpkey-rp2040.bin), written at flash offset 0. */
  image: Uint8Array;
  /** An existing flash (a reboot keeps it); the image is written over its start. */
  flash?: NorFlash;
  /** Leave the display off the bus (the firmware must cope). */
  noDisplay?: boolean;
  /** Seed of the ring oscillator's RANDOMBIT stream; null: the bit is stuck (no entropy). */
  entropySeed?: number | null;
}

/** Why the emulated board stopped running. */
export type Halt = null | "power-cut" | "rom-misuse";

export class EmulatedBoard {
  readonly simulator = new Simulator();
  readonly rp2040 = this.simulator.rp2040;
  readonly flash: NorFlash;
  readonly display = new Ssd1306();
  readonly rtc: Ds3231;
  /** Called with each complete UART0 line (without its line end), as the firmware writes it. */
  onUartLine: ((line: string) => void) | null = null;
  /** Everything the firmware wrote to UART0. */
  uartText = "";
  /** When each UART line began (emulated microseconds), for boot phase timings. */
  readonly uartLineStarts: Array<{ micros: number; at: number }> = [];
  /** Cycles executed (at 125 MHz, the firmware's configured clk_sys). */
  cycles = 0;
  halted: Halt = null;
  /** Flash operations done through the bootrom routines, and how XIP was handled around them. */
  readonly romCalls: string[] = [];
  watchdogResets = 0;
  /** When set, the program counter is sampled every PROFILE_INTERVAL instructions (address -> samples). */
  profile: Map<number, number> | null = null;
  /** Handlers for `bkpt #n` outside the bootrom's numbers (a runner patches a function with
   *  `bkpt #n; bx lr` to answer it from the harness). */
  readonly breakHandlers = new Map<number, () => void>();
  /** The ring oscillator's RANDOMBIT stops changing while set (no entropy). */
  entropyStuck = false;
  private profileCountdown = 0;
  private xipExited = false;
  private readonly i2cDevices = new Map<number, I2CDevice>();

  constructor(options: BoardOptions) {
    this.rp2040.logger = new ConsoleLogger(LogLevel.Error);
    this.flash = options.flash ?? new NorFlash(PICO_FLASH);
    if (!options.flash || !this.flash.bytes.subarray(0, options.image.length).every((b, i) => b === options.image[i])) {
      this.flash.bytes.set(options.image, 0); // factory programming, not counted as store operations
    }
    this.rtc = new Ds3231(() => this.micros);
    if (!options.noDisplay) this.i2cDevices.set(I2C_ADDRESS_SSD1306, this.display);
    this.i2cDevices.set(I2C_ADDRESS_DS3231, this.rtc);
    this.attachI2C();
    this.rp2040.uart[0].onByte = (byte) => {
      if (this.uartText.length === 0 || this.uartText.endsWith("\n")) this.uartLineStarts.push({ micros: this.micros, at: this.uartText.length });
      this.uartText += String.fromCharCode(byte);
      if (byte === 0x0a && this.onUartLine) {
        const start = this.uartLineStarts[this.uartLineStarts.length - 1].at;
        this.onUartLine(this.uartText.slice(start).replace(/\r?\n$/, ""));
      }
    };
    this.rp2040.onBreak = (code) => this.romRoutine(code);
    const watchdog = this.rp2040.peripherals[0x40058] as unknown as { onWatchdogTrigger: () => void };
    watchdog.onWatchdogTrigger = () => {
      this.watchdogResets++;
    };
    this.attachRingOscillator(options.entropySeed ?? 1);
    for (const pin of BUTTON_PINS) this.rp2040.gpio[pin].setInputValue(true); // pull-ups: released
    this.rp2040.loadBootrom(buildBootrom()); // also resets the core and clears the flash array
    this.syncFlash(0, this.flash.geometry.totalBytes);
    this.bootFromFlash();
  }

  /** Emulated time since power-on, in microseconds. */
  get micros(): number {
    return this.simulator.clock.nanos / 1000;
  }

  /** The bootrom's flash boot: boot2's CRC must match, then it runs from SRAM with LR = 0. */
  private bootFromFlash(): void {
    const boot2 = this.flash.bytes.subarray(0, 256);
    const stored = new DataView(boot2.buffer, boot2.byteOffset).getUint32(252, true);
    if (boot2Crc(boot2.subarray(0, 252)) !== stored) throw new Error("boot2 CRC mismatch: the bootrom would not run this image");
    this.rp2040.sram.set(boot2, BOOT2_SRAM_ADDRESS - SRAM_BASE);
    const core = this.rp2040.core;
    core.SP = BOOT2_STACK_TOP;
    core.LR = 0;
    core.PC = BOOT2_SRAM_ADDRESS;
  }

  // rp2040js leaves the ring oscillator unimplemented; the firmware's entropy comes from its
  // RANDOMBIT register (offset 0x1c), here a seeded xorshift32 stream (or a stuck bit).
  private attachRingOscillator(seed: number | null): void {
    let state = (seed ?? 0) >>> 0 || 0x9e3779b9;
    this.entropyStuck = seed === null;
    const rosc = {
      readUint32: (offset: number) => {
        if (offset !== 0x1c) return 0;
        if (this.entropyStuck) return 1;
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        state >>>= 0;
        return state & 1;
      },
      writeUint32: () => {},
      writeUint32Atomic: () => {},
    };
    this.rp2040.peripherals[(0x40060000 >>> 14) << 2] = rosc;
  }

  private attachI2C(): void {
    const i2c = this.rp2040.i2c[0];
    let current: I2CDevice | null = null;
    i2c.onStart = () => i2c.completeStart();
    i2c.onConnect = (address, mode) => {
      current = this.i2cDevices.get(address) ?? null;
      current?.start(mode === I2CMode.Read);
      i2c.completeConnect(current !== null);
    };
    i2c.onWriteByte = (value) => i2c.completeWrite(current ? current.write(value) : false);
    i2c.onReadByte = () => i2c.completeRead(current ? current.read() : 0xff);
    i2c.onStop = () => {
      current?.stop();
      current = null;
      i2c.completeStop();
    };
  }

  private syncFlash(offset: number, length: number): void {
    this.rp2040.flash.set(this.flash.bytes.subarray(offset, offset + length), offset);
  }

  private romRoutine(code: number): void {
    const core = this.rp2040.core;
    const [r0, r1, r2] = core.registers;
    try {
      switch (code) {
        case ROM_BREAK.tableLookup:
          core.registers[0] = lookupRomTable((address) => this.rp2040.readUint16(address), r0, r1 & 0xffff);
          return;
        case ROM_BREAK.connectInternalFlash:
          this.xipExited = false; // a new operation starts: it must exit XIP before erase/program
          this.romCalls.push("connect");
          return;
        case ROM_BREAK.flashFlushCache:
          this.romCalls.push("flush");
          return;
        case ROM_BREAK.flashExitXip:
          this.xipExited = true;
          this.romCalls.push("exit-xip");
          return;
        case ROM_BREAK.flashEnterCmdXip:
          this.xipExited = false;
          this.romCalls.push("enter-xip");
          return;
        case ROM_BREAK.flashRangeErase:
          this.requireCommandMode("erase");
          this.romCalls.push(`erase ${r0.toString(16)} ${r1}`);
          for (let at = r0; at < r0 + r1; at += this.flash.geometry.sectorBytes) {
            this.flash.erase(at);
            this.syncFlash(at, this.flash.geometry.sectorBytes);
          }
          return;
        case ROM_BREAK.flashRangeProgram: {
          this.requireCommandMode("program");
          this.romCalls.push(`program ${r0.toString(16)} ${r2}`);
          const data = new Uint8Array(r2);
          for (let i = 0; i < r2; i++) data[i] = this.rp2040.readUint8(r1 + i);
          this.programPages(r0, data);
          return;
        }
        default: {
          const handler = this.breakHandlers.get(code);
          if (handler) handler();
          else this.halted = "rom-misuse";
        }
      }
    } catch (error) {
      if (error instanceof PowerCut) {
        this.syncFlash(0, this.flash.geometry.totalBytes);
        this.halted = "power-cut";
        return;
      }
      throw error;
    }
  }

  // The ROM programs whole pages; bytes left 0xFF are no-ops on NOR, so the model sees only the
  // span the firmware meant to program (keeping its set-bit check meaningful).
  private programPages(offset: number, data: Uint8Array): void {
    const pageBytes = this.flash.geometry.pageBytes;
    for (let page = 0; page < data.length; page += pageBytes) {
      const chunk = data.subarray(page, page + pageBytes);
      let first = 0;
      while (first < chunk.length && chunk[first] === 0xff) first++;
      if (first === chunk.length) continue;
      let last = chunk.length - 1;
      while (chunk[last] === 0xff) last--;
      this.flash.program(offset + page + first, chunk.slice(first, last + 1));
      this.syncFlash(offset + page, chunk.length);
    }
  }

  private requireCommandMode(operation: string): void {
    // On the chip, erasing or programming while XIP is on corrupts the operation: record misuse.
    if (!this.xipExited) {
      this.romCalls.push(`${operation} without exit-xip`);
      this.halted = "rom-misuse";
    }
  }

  /** Runs until `micros` more of emulated time passed, `until()` holds, or the board halts. */
  run(micros: number, until?: () => boolean): boolean {
    const { core } = this.rp2040;
    const clock = this.simulator.clock;
    const endNanos = clock.nanos + micros * 1000;
    let checkCountdown = 0;
    while (clock.nanos < endNanos && this.halted === null) {
      if (until && --checkCountdown <= 0) {
        if (until()) return true;
        checkCountdown = 64;
      }
      if (core.waiting) {
        const toAlarm = clock.nanosToNextAlarm;
        clock.tick(Math.max(1, Math.min(toAlarm, endNanos - clock.nanos)));
      } else {
        if (this.profile !== null && --this.profileCountdown <= 0) {
          this.profileCountdown = PROFILE_INTERVAL;
          const pc = core.PC;
          this.profile.set(pc, (this.profile.get(pc) ?? 0) + 1);
        }
        const cycles = core.executeInstruction();
        this.cycles += cycles;
        clock.tick(cycles * NANOS_PER_CYCLE);
      }
    }
    return until ? until() : true;
  }

  /** Runs until `until()` holds; throws with the UART log when it does not within `maxMicros`. */
  runUntil(until: () => boolean, maxMicros: number, what: string): void {
    if (!this.run(maxMicros, until)) {
      throw new Error(`emulated board: ${what} not reached in ${maxMicros} us (halted: ${this.halted}); uart:\n${this.uartText}`);
    }
  }

  /** Calls `action` after `delayUs` of emulated time (from inside the emulation: a press while a
   *  blocking host call waits, for one). */
  schedule(delayUs: number, action: () => void): void {
    this.simulator.clock.createAlarm(action).schedule(delayUs * 1000);
  }

  /** Presses (true) or releases a button: 0 UP, 1 DOWN, 2 OK. Active low. */
  setButton(id: number, pressed: boolean): void {
    this.rp2040.gpio[BUTTON_PINS[id]].setInputValue(!pressed);
  }

  /** The core's program counter and the name-less state, for failure messages. */
  describe(): string {
    const { core } = this.rp2040;
    return `pc=${core.PC.toString(16)} sp=${core.SP.toString(16)} cycles=${this.cycles}`;
  }
}
