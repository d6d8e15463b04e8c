// The display: the module's font against its drawing (assembly/ui/font-5x8.txt), the SSD1306 page
// layout, golden images of the screens (compared pixel for pixel), the PNG snapshot, and the text
// read-back the simulator's JSON mode uses. UPDATE_GOLDEN=1 rewrites the golden files (then review
// them: `cat test/golden/*.txt`); without it a missing or different file fails.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { instantiateWithHost, quietDevices } from "../host-sim/instance.js";
import { packageRoot, readModule } from "../host-sim/paths.js";
import { BOARD_DISPLAY_128X64 } from "../host-sim/token.js";
import {
  fontGlyphs, frameToArt, frameToHalfBlocks, frameToPng, frameToText, pngToFrame, pixelOn, FrameLike,
} from "../host-sim/display.js";
import { session, T0 } from "./ui-support.js";

const goldenDir = join(packageRoot(), "test", "golden");
const updating = process.env.UPDATE_GOLDEN === "1";

function expectGolden(name: string, frame: FrameLike): void {
  const path = join(goldenDir, `${name}.txt`);
  const art = frameToArt(frame).join("\n") + "\n";
  if (updating) writeFileSync(path, art);
  expect(existsSync(path), `${path} missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(art).toBe(readFileSync(path, "utf8"));
}

describe("font", () => {
  it("the module's glyph table is the drawing in assembly/ui/font-5x8.txt, all 95 printable ASCII", () => {
    const kit = instantiateWithHost<{ glyphRow(code: number, row: number): number }>(readModule("testkit-ui"), quietDevices()).exports;
    const glyphs = fontGlyphs();
    expect(glyphs.map((g) => g.char).join("")).toBe(Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join(""));
    for (const glyph of glyphs) {
      const rows = Array.from({ length: 8 }, (_, row) => kit.glyphRow(glyph.char.charCodeAt(0), row));
      expect(rows, `glyph '${glyph.char}'`).toEqual(glyph.rows);
    }
    // Anything outside the table draws as '?'.
    const question = glyphs.find((g) => g.char === "?")!.rows;
    expect(Array.from({ length: 8 }, (_, row) => kit.glyphRow(0xe9, row))).toEqual(question);
  });

  it("every glyph is distinct (the text read-back depends on it)", () => {
    const seen = new Set(fontGlyphs().map((g) => g.rows.join(",")));
    expect(seen.size).toBe(95);
  });
});

describe("frames", () => {
  it("are SSD1306 page layout: byte i is column i % 128 of page i / 128, bit 0 on top", () => {
    const s = session();
    const frame = s.frame!;
    expect(frame.widthPx).toBe(128);
    expect(frame.heightPx).toBe(32);
    expect(frame.pixels.length).toBe(512);
    // The countdown bar's first column (x 0, rows 29..31) is page 3, bits 5..7 of byte 384.
    expect(frame.pixels[3 * 128] & 0xe0).toBe(0xe0);
    expect(pixelOn(frame, 0, 29) && pixelOn(frame, 0, 31)).toBe(true);
  });

  it("are sent only when they change", () => {
    const s = session();
    const count = s.token.frameCount;
    s.run(500); // same second, same code, nothing moves
    expect(s.token.frameCount).toBe(count);
    s.run(1_000); // the countdown bar shrinks
    expect(s.token.frameCount).toBeGreaterThan(count);
  });
});

describe("golden screens", () => {
  it("code, 128x32 and 128x64", () => {
    expectGolden("code-128x32", session().frame!);
    expectGolden("code-128x64", session({ boardFlags: BOARD_DISPLAY_128X64 }).frame!);
  });

  it("wait, no time, no credentials, HOTP", () => {
    const waiting = session();
    waiting.press("ok");
    waiting.press("ok");
    expectGolden("wait-128x32", waiting.frame!);
    const noTime = session({ unixSeconds: null });
    noTime.press("ok");
    expectGolden("no-time-128x32", noTime.frame!);
    expectGolden("code-no-time-128x32", session({ unixSeconds: null }).frame!);
    expectGolden("no-credentials-128x64", session({ credentials: [], boardFlags: BOARD_DISPLAY_128X64 }).frame!);
    const hotp = session({ credentials: [{ slot: 42, name: "hotp counter", secret: new Uint8Array(20).fill(1), kind: 1 }] });
    expectGolden("hotp-128x32", hotp.frame!);
  });

  it("a PNG snapshot holds exactly the frame's pixels (golden PNG)", () => {
    const frame = session({ boardFlags: BOARD_DISPLAY_128X64 }).frame!;
    const png = frameToPng(frame);
    const path = join(goldenDir, "code-128x64.png");
    if (updating) writeFileSync(path, png);
    expect(Array.from(pngToFrame(png).pixels)).toEqual(Array.from(frame.pixels));
    expect(Array.from(pngToFrame(readFileSync(path)).pixels)).toEqual(Array.from(frame.pixels));
  });
});

describe("text read-back and terminal rendering", () => {
  it("reads the header and the code at their sizes", () => {
    const s = session({ boardFlags: BOARD_DISPLAY_128X64 });
    const text = frameToText(s.frame!);
    expect(text[0]).toBe("00 demo@totpkey");
    expect(text[1]).toMatch(/^\d{6}$/);
  });

  it("draws two pixel rows per terminal line with half blocks", () => {
    const frame: FrameLike = { pixels: new Uint8Array(128 * 32 / 8), widthPx: 128, heightPx: 32 };
    frame.pixels[0] = 0b0111; // column 0: rows 0, 1, 2
    const lines = frameToHalfBlocks(frame);
    expect(lines.length).toBe(16);
    expect(lines[0][0]).toBe("█");
    expect(lines[1][0]).toBe("▀");
    expect(lines[1][1]).toBe(" ");
    expect(T0 % 30).toBe(10); // the golden screens are drawn 10 s into a step
  });
});
