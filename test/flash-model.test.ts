// The NOR flash model's rules: the store's power-loss tests are only as good as this model.
import { describe, expect, it } from "vitest";
import { NorFlash, PowerCut, FLASH_OK, FLASH_RANGE, FLASH_SET_BIT } from "../host-sim/flash.js";

const SMALL = { totalBytes: 4 * 4096, sectorBytes: 4096, pageBytes: 256 };

describe("NorFlash", () => {
  it("starts erased (0xFF) with the Pico's default geometry", () => {
    const flash = new NorFlash();
    expect(flash.geometry).toEqual({ totalBytes: 2 * 1024 * 1024, sectorBytes: 4096, pageBytes: 256 });
    expect(flash.bytes.every((b) => b === 0xff)).toBe(true);
  });

  it("program clears bits only; setting a bit is reported and keeps old AND new", () => {
    const flash = new NorFlash(SMALL);
    expect(flash.program(0, Uint8Array.of(0xf0))).toBe(FLASH_OK);
    expect(flash.bytes[0]).toBe(0xf0);
    expect(flash.program(0, Uint8Array.of(0x3c))).toBe(FLASH_SET_BIT);
    expect(flash.bytes[0]).toBe(0x30);
    expect(flash.setBitViolations).toBe(1);
  });

  it("refuses programs that cross a page or leave the chip, and misaligned erases", () => {
    const flash = new NorFlash(SMALL);
    expect(flash.program(250, new Uint8Array(10))).toBe(FLASH_RANGE);
    expect(flash.program(SMALL.totalBytes - 1, new Uint8Array(2))).toBe(FLASH_RANGE);
    expect(flash.program(0, new Uint8Array(0))).toBe(FLASH_RANGE);
    expect(flash.erase(100)).toBe(FLASH_RANGE);
    expect(flash.erase(SMALL.totalBytes)).toBe(FLASH_RANGE);
    expect(flash.bytes.every((b) => b === 0xff)).toBe(true);
    expect(flash.operations).toBe(0);
  });

  it("erase sets the whole sector to 0xFF and counts wear per sector", () => {
    const flash = new NorFlash(SMALL);
    flash.program(4096, new Uint8Array(256));
    flash.program(8192, new Uint8Array(256));
    expect(flash.erase(4096)).toBe(FLASH_OK);
    expect(flash.bytes.subarray(4096, 8192).every((b) => b === 0xff)).toBe(true);
    expect(flash.bytes[8192]).toBe(0);
    expect(Array.from(flash.sectorErases)).toEqual([0, 1, 0, 0]);
  });

  it("a power cut stops the world after N operations (all-or-nothing)", () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const flash = new NorFlash(SMALL);
      flash.armPowerCut(2, "atomic", seed);
      flash.program(0, Uint8Array.of(0));
      flash.program(1, Uint8Array.of(0));
      expect(() => flash.program(2, new Uint8Array(4))).toThrow(PowerCut);
      expect(() => flash.erase(0)).toThrow(PowerCut);
      expect(flash.isPowered).toBe(false);
      const written = flash.bytes.subarray(2, 6);
      expect(written.every((b) => b === 0) || written.every((b) => b === 0xff)).toBe(true);
      outcomes.add(written[0] === 0 ? "done" : "not done");
      flash.powerOn();
      expect(flash.program(8, Uint8Array.of(0))).toBe(FLASH_OK);
    }
    expect(outcomes.size).toBe(2);
  });

  it("a torn program leaves a prefix; a torn erase leaves a partly erased sector", () => {
    let sawPartialPage = false;
    let sawPartialErase = false;
    for (let seed = 1; seed <= 50; seed++) {
      const flash = new NorFlash(SMALL);
      flash.armPowerCut(0, "torn", seed);
      expect(() => flash.program(0, new Uint8Array(256))).toThrow(PowerCut);
      const zeros = flash.bytes.subarray(0, 256).filter((b) => b === 0).length;
      if (zeros > 0 && zeros < 255) sawPartialPage = true;
      // Bits only ever go towards the programmed value.
      flash.powerOn();
      for (let page = 0; page < 4096; page += 256) flash.program(page, new Uint8Array(256));
      flash.armPowerCut(0, "torn", seed);
      expect(() => flash.erase(0)).toThrow(PowerCut);
      const sector = flash.bytes.subarray(0, 4096);
      const erased = sector.filter((b) => b === 0xff).length;
      if (erased > 0 && erased < 4096) sawPartialErase = true;
    }
    expect(sawPartialPage).toBe(true);
    expect(sawPartialErase).toBe(true);
  });

  it("clone copies contents and wear", () => {
    const flash = new NorFlash(SMALL);
    flash.erase(0);
    flash.program(0, Uint8Array.of(1));
    const copy = flash.clone();
    expect(copy.bytes[0]).toBe(1);
    expect(copy.sectorErases[0]).toBe(1);
    copy.program(1, Uint8Array.of(0));
    expect(flash.bytes[1]).toBe(0xff);
  });
});
