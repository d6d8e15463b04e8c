// The firmware built from boards/rp2040 boots in rp2040js the way it boots on a Pico: the
// bootrom's boot2 check, boot2 setting up XIP, the vector table, clocks, peripherals.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { EmulatedBoard } from "../emulator/board.js";
import { boot2Crc } from "../emulator/bootrom.js";
import { firmwareImage, firmwarePath } from "../emulator/firmware.js";
import { firmwareSymbols } from "../emulator/elf.js";

// Emulating the firmware is slow on a loaded 2-core machine: generous limits, no timing asserted.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

let image: Uint8Array;
let shared: EmulatedBoard;
beforeAll(() => {
  image = firmwareImage();
  shared = bootedBoard();
});

function bootedBoard(): EmulatedBoard {
  const board = new EmulatedBoard({ image });
  board.runUntil(() => board.uartText.includes("ready\r\n"), 1_000_000, "boot to the main loop");
  return board;
}

describe("rp2040 firmware image", () => {
  it("starts with boot2 whose CRC32 the bootrom accepts, then the vector table at 0x100", () => {
    const stored = new DataView(image.buffer, image.byteOffset).getUint32(252, true);
    expect(boot2Crc(image.subarray(0, 252))).toBe(stored);
    // Independent check of the CRC parameters: CRC-32/MPEG-2 of "123456789" is 0x0376E6E7.
    expect(boot2Crc(new TextEncoder().encode("123456789"))).toBe(0x0376e6e7);
    const vectors = new DataView(image.buffer, image.byteOffset + 0x100);
    expect(vectors.getUint32(0, true)).toBe(0x20040000); // stack top: end of the striped SRAM
    const reset = vectors.getUint32(4, true);
    expect(reset & 1).toBe(1); // Thumb
    expect(reset >>> 24).toBe(0x10); // in flash
  });

  it("is refused by the emulated bootrom when boot2 is corrupt (the check can fail)", () => {
    const broken = image.slice();
    broken[10] ^= 0x01;
    expect(() => new EmulatedBoard({ image: broken })).toThrow(/CRC/);
  });

  it("writes a UF2 with the RP2040 family id covering the whole image", () => {
    const uf2 = new Uint8Array(readFileSync(firmwarePath("uf2")));
    const blocks = uf2.length / 512;
    expect(blocks).toBe(Math.ceil(image.length / 256));
    for (let block = 0; block < blocks; block++) {
      const view = new DataView(uf2.buffer, uf2.byteOffset + block * 512, 512);
      expect(view.getUint32(0, true)).toBe(0x0a324655);
      expect(view.getUint32(4, true)).toBe(0x9e5d5157);
      expect(view.getUint32(8, true) & 0x2000).toBe(0x2000);
      expect(view.getUint32(12, true)).toBe(0x10000000 + block * 256);
      expect(view.getUint32(16, true)).toBe(256);
      expect(view.getUint32(20, true)).toBe(block);
      expect(view.getUint32(24, true)).toBe(blocks);
      expect(view.getUint32(28, true)).toBe(0xe48bff56);
      expect(view.getUint32(508, true)).toBe(0x0ab16f30);
      const payload = uf2.subarray(block * 512 + 32, block * 512 + 32 + 256);
      const expected = image.subarray(block * 256, block * 256 + 256);
      expect(payload.subarray(0, expected.length)).toEqual(expected);
    }
  });
});

describe("rp2040 firmware in the emulator", () => {
  it("reaches the main loop with clk_sys 125 MHz, PLL_USB 48 MHz and a 1 us timer", () => {
    const board = shared;
    expect(board.rp2040.clkSys).toBe(125_000_000);
    expect(board.rp2040.pllUsb.frequency).toBe(48_000_000);
    expect(board.rp2040.core.VTOR).toBe(0x10000100);
    expect(board.uartText).toMatch(/^totpkey rp2040: boot\r\n/);
  });

  it("initialises the SSD1306 over I2C and turns it on", () => {
    const board = shared;
    expect(board.uartText).toContain("display: ok");
    expect(board.display.displayOn).toBe(true);
    expect(board.display.commandLog).toContain(0x8d); // charge pump
  });

  it("boots without a display on the bus (I2C NACK is an error, not a hang)", () => {
    const board = new EmulatedBoard({ image, noDisplay: true });
    board.runUntil(() => board.uartText.includes("ready\r\n"), 1_000_000, "boot without display");
    expect(board.uartText).toContain("display: absent");
  });

  it("reads the DS3231: no valid time until it is set", () => {
    expect(shared.uartText).toContain("rtc: no valid time");
    const set = new EmulatedBoard({ image });
    set.rtc.setTime(1_700_000_000);
    set.runUntil(() => set.uartText.includes("ready\r\n"), 1_000_000, "boot");
    expect(set.uartText).toContain("rtc: ok");
  });

  it("debounces buttons: contact chatter after a press and a release gives one edge each way", () => {
    const board = shared;
    board.uartText = "";
    board.setButton(0, true);
    board.run(2_000);
    expect(board.uartText).toContain("button 0 1"); // the press counts at once
    for (const pressed of [false, true, false, true]) { // chatter, 1 ms apart
      board.setButton(0, pressed);
      board.run(1_000);
    }
    board.run(40_000);
    board.setButton(0, false);
    board.run(1_000);
    board.setButton(0, true); // bounce on release
    board.run(1_000);
    board.setButton(0, false);
    board.run(40_000);
    expect(board.uartText.match(/button \d \d/g)).toEqual(["button 0 1", "button 0 0"]);
  });

  it("does not lose a press shorter than the debounce time: it becomes one press and one release", () => {
    const board = shared;
    board.uartText = "";
    board.setButton(1, true);
    board.run(5_000);
    board.setButton(1, false);
    board.run(40_000);
    expect(board.uartText.match(/button \d \d/g)).toEqual(["button 1 1", "button 1 0"]);
  });

  it("drops the boot path's compiled code after init, then keeps the code under the budget (docs/wasm3.md)", () => {
    const board = new EmulatedBoard({ image });
    board.runUntil(() => board.uartText.includes("ready\r\n"), 1_000_000, "boot");
    const symbols = firmwareSymbols();
    const read = (name: string) => board.rp2040.readUint32(board.rp2040.readUint32(symbols.get(name)!));
    const initCode = Number(/module init ok, heap \d+ bytes, code (\d+) bytes/.exec(board.uartText)?.[1]);
    expect(initCode).toBeGreaterThan(0); // init compiled the boot path
    expect(read("wasm_code_drops")).toBe(1); // and it went right after init
    const budget = read("wasm_code_budget_bytes");
    expect(budget).toBeGreaterThan(initCode); // so this drop came from the after-init rule
    // Ticks and presses compile again on demand; the module keeps answering.
    for (const button of [1, 0, 1]) {
      board.setButton(button, true);
      board.run(60_000);
      board.setButton(button, false);
      board.run(60_000);
    }
    expect(board.uartText).not.toContain("module stopped");
    expect(read("wasm_code_peak_bytes")).toBeGreaterThan(0);
  });

  it("resets when the C stack reaches its guard band, saying why (boards/rp2040/stack_guard.c)", () => {
    const board = bootedBoard();
    const symbols = firmwareSymbols();
    const guardStart = symbols.get("__stack_limit")!, guardEnd = symbols.get("__stack_guard_end")!;
    expect(guardEnd - guardStart).toBe(256);
    for (let at = guardStart; at < guardEnd; at += 4) expect(board.rp2040.readUint32(at)).toBe(0);
    board.run(50_000);
    expect(board.uartText).not.toContain("C stack overflow");
    board.rp2040.writeUint32(guardEnd - 4, 0x0badf00d); // as a frame that reached the band's top word
    board.run(50_000);
    expect(board.uartText).toContain("C stack overflow: the guard band was written; resetting");
    expect(board.watchdogResets).toBe(1); // the watchdog's immediate trigger (the emulator counts it)
  });

  it("keeps feeding the watchdog in the main loop", () => {
    const board = shared;
    board.run(2_500_000); // longer than the 2 s watchdog timeout
    expect(board.watchdogResets).toBe(0);
  });
});
