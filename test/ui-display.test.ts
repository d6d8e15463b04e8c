// The display: the module's font against its drawing (assembly/ui/font-5x8.txt), the SSD1306 page
// layout, golden images of the screens (compared pixel for pixel), the PNG snapshot, and the text
// read-back the simulator's JSON mode uses. UPDATE_GOLDEN=1 rewrites the golden files (then review
// them: `cat test/golden/*.txt`); without it a missing or different file fails; on CI (CI set) it is
// refused. Golden files come from the module itself, so some screens are also drawn here by hand
// (the font drawing parsed by this file, the code from node:crypto, positions stated below) and the
// module's frame must equal that drawing.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { instantiateWithHost, quietDevices } from "../host-sim/instance.js";
import { packageRoot, readModule } from "../host-sim/paths.js";
import { BOARD_DISPLAY_128X64 } from "../host-sim/token.js";
import {
  fontGlyphs, frameToArt, frameToHalfBlocks, frameToPng, frameToText, pngToFrame, pixelOn, FrameLike,
} from "../host-sim/display.js";
import { DEMO_CREDENTIAL } from "../host-sim/flash-writer.js";
import { oracleTotp, session, T0 } from "./ui-support.js";

const goldenDir = join(packageRoot(), "test", "golden");
const updating = process.env.UPDATE_GOLDEN === "1";
const onCi = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";
const REFUSED_ON_CI = "UPDATE_GOLDEN=1 with CI set: golden files change only by a reviewed commit, never in a CI run";

function expectGolden(name: string, frame: FrameLike): void {
  const path = join(goldenDir, `${name}.txt`);
  const art = frameToArt(frame).join("\n") + "\n";
  if (updating) {
    expect(onCi, REFUSED_ON_CI).toBe(false);
    writeFileSync(path, art);
  }
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

// ---- an oracle drawn by hand --------------------------------------------------------------------

/** The font drawing, read here (not through host-sim): 95 blocks of a name line and 8 rows of 5. */
function handFont(): Map<string, string[]> {
  const lines = readFileSync(join(packageRoot(), "assembly", "ui", "font-5x8.txt"), "utf8").split("\n");
  const font = new Map<string, string[]>();
  for (let code = 0x20; code <= 0x7e; code++) {
    const at = (code - 0x20) * 9;
    const char = String.fromCharCode(code);
    expect(lines[at].startsWith(char), `font-5x8.txt block ${code - 0x20} names '${char}'`).toBe(true);
    const rows = lines.slice(at + 1, at + 9);
    for (const row of rows) expect(row).toMatch(/^[#.]{5}$/);
    font.set(char, rows);
  }
  return font;
}

/** A blank screen as rows of '.', drawn into with '#'. */
class HandScreen {
  readonly rows: string[][];
  constructor(readonly widthPx: number, heightPx: number) {
    this.rows = Array.from({ length: heightPx }, () => new Array<string>(widthPx).fill("."));
  }
  fill(x: number, y: number, width: number, height: number): void {
    for (let row = y; row < y + height; row++) for (let column = x; column < x + width; column++) this.rows[row][column] = "#";
  }
  /** Text with its first cell's top-left at (x, y): each font pixel a scale x scale block, 6 px per character at scale 1. */
  text(font: Map<string, string[]>, text: string, x: number, y: number, scale: number): void {
    [...text].forEach((char, i) => {
      font.get(char)!.forEach((row, r) => {
        [...row].forEach((cell, c) => {
          if (cell === "#") this.fill(x + (i * 6 + c) * scale, y + r * scale, scale, scale);
        });
      });
    });
  }
  art(): string[] {
    return this.rows.map((row) => row.join(""));
  }
}

/** A frame's rows as '#'/'.', straight from docs/SPEC.md's page layout (byte x + 128 * (y / 8), bit y % 8). */
function frameRows(frame: FrameLike): string[] {
  return Array.from({ length: frame.heightPx }, (_, y) =>
    Array.from({ length: frame.widthPx }, (_, x) => ((frame.pixels[(y >> 3) * frame.widthPx + x] >> (y & 7)) & 1 ? "#" : ".")).join(""));
}

describe("screens against a drawing made by hand", () => {
  const demoSecret = DEMO_CREDENTIAL.secret;

  it("code screen, 128x32, 10 s into the step: header, the node:crypto code at 2x, a 85 px bar", () => {
    const font = handFont();
    const expected = new HandScreen(128, 32);
    // Header: slot "00", a space, the name, from the top-left corner.
    expected.text(font, "00 demo@totpkey", 0, 0, 1);
    // The code, 6 digits at 2x: 6 * 12 - 2 = 70 px wide, centred: x = (128 - 70) / 2 = 29; top row 11.
    const code = oracleTotp(demoSecret, T0);
    expect(code).toMatch(/^\d{6}$/);
    expected.text(font, code, 29, 11, 2);
    // Countdown: 20 of 30 s left, so floor(20 * 128 / 30) = 85 px, on the bottom 3 rows.
    expected.fill(0, 29, 85, 3);
    expect(frameRows(session().frame!)).toEqual(expected.art());
  });

  it("the countdown bar is the part of the step still to run (13 s left: 55 px; 1 s left: 4 px)", () => {
    const s = session();
    s.run(7_000); // T0 + 17 s into the step
    const bar = (frame: FrameLike) => frameRows(frame).slice(29).map((row) => row.indexOf("."));
    expect(bar(s.frame!)).toEqual([55, 55, 55]); // floor(13 * 128 / 30)
    s.run(12_000); // 29 s into the step
    expect(bar(s.frame!)).toEqual([4, 4, 4]); // floor(1 * 128 / 30)
    expect(frameRows(s.frame!).slice(25, 29).every((row) => !row.includes("#"))).toBe(true);
  });

  it("the code's digit columns change with the step: the next step's code from node:crypto", () => {
    const s = session();
    s.run(20_000); // T0 + 30 s: the next step
    const font = handFont();
    const expected = new HandScreen(128, 32);
    expected.text(font, oracleTotp(demoSecret, T0 + 30), 29, 11, 2);
    // Only the code's rows (11..26) are compared: the header and the bar are checked above.
    expect(frameRows(s.frame!).slice(11, 27)).toEqual(expected.art().slice(11, 27));
    expect(oracleTotp(demoSecret, T0 + 30)).not.toBe(oracleTotp(demoSecret, T0));
  });

  it("no credentials, 128x64: two centred lines at scale 1, rows 8 and 32", () => {
    const font = handFont();
    const expected = new HandScreen(128, 64);
    // "No credentials": 14 * 6 - 1 = 83 px, x = floor((128 - 83) / 2) = 22.
    expected.text(font, "No credentials", 22, 8, 1);
    // "add one over USB": 16 * 6 - 1 = 95 px, x = floor((128 - 95) / 2) = 16.
    expected.text(font, "add one over USB", 16, 32, 1);
    expect(frameRows(session({ credentials: [], boardFlags: BOARD_DISPLAY_128X64 }).frame!)).toEqual(expected.art());
  });

  it("the hand drawing can fail: a one-pixel difference is seen", () => {
    const expected = new HandScreen(128, 32);
    expected.text(handFont(), "00 demo@totpkey", 0, 0, 1);
    const frame = session().frame!;
    expect(frameRows(frame).slice(0, 8)).toEqual(expected.art().slice(0, 8));
    expected.fill(127, 0, 1, 1);
    expect(frameRows(frame).slice(0, 8)).not.toEqual(expected.art().slice(0, 8));
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
    if (updating) {
      expect(onCi, REFUSED_ON_CI).toBe(false);
      writeFileSync(path, png);
    }
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
