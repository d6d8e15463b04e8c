// The simulated SSD1306: turns the module's frames (docs/SPEC.md, display_frame: page layout, bit 0
// the page's top row) into pixels, terminal text (Unicode half blocks, two pixel rows per line),
// '#'/'.' art for golden files, PNG snapshots (pngjs), and the text shown, read back with the font
// art of assembly/ui/font-5x8.txt (an OCR that knows exactly one font).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { packageRoot } from "./paths.js";

export interface FrameLike {
  pixels: Uint8Array;
  widthPx: number;
  heightPx: number;
}

/** Pixel (x, y) of a page-layout frame. */
export function pixelOn(frame: FrameLike, x: number, y: number): boolean {
  if (x < 0 || y < 0 || x >= frame.widthPx || y >= frame.heightPx) return false;
  return ((frame.pixels[(y >> 3) * frame.widthPx + x] >> (y & 7)) & 1) === 1;
}

/** One string per pixel row, '#' lit and '.' dark: the golden-file form. */
export function frameToArt(frame: FrameLike): string[] {
  const rows: string[] = [];
  for (let y = 0; y < frame.heightPx; y++) {
    let row = "";
    for (let x = 0; x < frame.widthPx; x++) row += pixelOn(frame, x, y) ? "#" : ".";
    rows.push(row);
  }
  return rows;
}

/** Terminal lines: each character covers two pixel rows with ▀ ▄ █ or a space. */
export function frameToHalfBlocks(frame: FrameLike): string[] {
  const lines: string[] = [];
  for (let y = 0; y < frame.heightPx; y += 2) {
    let line = "";
    for (let x = 0; x < frame.widthPx; x++) {
      const top = pixelOn(frame, x, y);
      const bottom = pixelOn(frame, x, y + 1);
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    lines.push(line);
  }
  return lines;
}

/** A PNG of the frame, `scale` screen pixels per display pixel, light blue on black like an OLED. */
export function frameToPng(frame: FrameLike, scale = 4): Buffer {
  const png = new PNG({ width: frame.widthPx * scale, height: frame.heightPx * scale });
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const on = pixelOn(frame, Math.floor(x / scale), Math.floor(y / scale));
      const at = (y * png.width + x) * 4;
      png.data[at] = on ? 0x9c : 0x00;
      png.data[at + 1] = on ? 0xdc : 0x00;
      png.data[at + 2] = on ? 0xff : 0x00;
      png.data[at + 3] = 0xff;
    }
  }
  return PNG.sync.write(png);
}

/** The pixels of a PNG written by frameToPng (for golden comparisons). */
export function pngToFrame(data: Buffer, scale = 4): FrameLike {
  const png = PNG.sync.read(data);
  const widthPx = png.width / scale;
  const heightPx = png.height / scale;
  const pixels = new Uint8Array((widthPx * heightPx) / 8);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const at = (y * scale * png.width + x * scale) * 4;
      if (png.data[at + 1] > 0x80) pixels[(y >> 3) * widthPx + x] |= 1 << (y & 7);
    }
  }
  return { pixels, widthPx, heightPx };
}

// ---- reading the text back -----------------------------------------------------------------------

interface Glyph {
  char: string;
  rows: number[]; // 8 rows, 5 bits each, bit 4 leftmost
}

let glyphCache: Glyph[] | null = null;

/** The font as drawn in assembly/ui/font-5x8.txt (a name line, then 8 rows of 5 '#'/'.'). */
export function fontGlyphs(): Glyph[] {
  if (glyphCache) return glyphCache;
  const lines = readFileSync(join(packageRoot(), "assembly", "ui", "font-5x8.txt"), "utf8").split("\n");
  const glyphs: Glyph[] = [];
  for (let i = 0; i + 8 < lines.length && lines[i] !== ""; i += 9) {
    const char = lines[i] === "  " ? " " : lines[i][0];
    const rows = lines.slice(i + 1, i + 9).map((row) => parseInt(row.replace(/#/g, "1").replace(/\./g, "0"), 2));
    glyphs.push({ char, rows });
  }
  glyphCache = glyphs;
  return glyphs;
}

// Does `glyph` at scale `scale` with its cell's top-left at (x, y) match the pixels exactly, with
// dark columns on both sides (else it is part of something wider)?
function cellMatches(lit: (x: number, y: number) => boolean, glyph: Glyph, x: number, y: number, scale: number): boolean {
  for (let row = 0; row < 8 * scale; row++) {
    if (lit(x - 1, y + row) || lit(x + 5 * scale, y + row)) return false;
    const bits = glyph.rows[Math.floor(row / scale)];
    for (let column = 0; column < 5 * scale; column++) {
      if ((((bits >> (4 - Math.floor(column / scale))) & 1) === 1) !== lit(x + column, y + row)) return false;
    }
  }
  return true;
}

interface Match {
  x: number;
  y: number;
  scale: number;
  char: string;
  strong: boolean; // enough lit pixels to say where a line of text is ('.', '-', ':' are not)
}

/**
 * The text on the display, one string per line of text, read with our font at scales 3, 2 and 1.
 * Lines are placed where the most distinctive glyphs match; bars and boxes are not text and are
 * skipped; a glyph cut by the edge of a scrolling field is not read. Good enough for scripts and
 * tests that ask "what does the screen say".
 */
export function frameToText(frame: FrameLike): string[] {
  const glyphs = fontGlyphs().filter((g) => g.char !== " ");
  const litPixels = new Uint8Array(frame.widthPx * frame.heightPx);
  for (let y = 0; y < frame.heightPx; y++) for (let x = 0; x < frame.widthPx; x++) litPixels[y * frame.widthPx + x] = pixelOn(frame, x, y) ? 1 : 0;
  const lit = (x: number, y: number) => x >= 0 && y >= 0 && x < frame.widthPx && y < frame.heightPx && litPixels[y * frame.widthPx + x] === 1;
  // Summed-area table: lit pixels in any rectangle in constant time.
  const W = frame.widthPx + 1;
  const sums = new Int32Array(W * (frame.heightPx + 1));
  for (let y = 0; y < frame.heightPx; y++) {
    for (let x = 0; x < frame.widthPx; x++) {
      sums[(y + 1) * W + x + 1] = litPixels[y * frame.widthPx + x] + sums[y * W + x + 1] + sums[(y + 1) * W + x] - sums[y * W + x];
    }
  }
  const clampX = (x: number) => Math.max(0, Math.min(frame.widthPx, x));
  const clampY = (y: number) => Math.max(0, Math.min(frame.heightPx, y));
  const litIn = (x: number, y: number, w: number, h: number) => {
    const x0 = clampX(x), x1 = clampX(x + w), y0 = clampY(y), y1 = clampY(y + h);
    return sums[y1 * W + x1] - sums[y0 * W + x1] - sums[y1 * W + x0] + sums[y0 * W + x0];
  };
  const pixelCount = (g: Glyph) => g.rows.reduce((n, row) => n + row.toString(2).split("").filter((b) => b === "1").length, 0);
  const lines = new Map<string, Match[]>();
  for (const scale of [3, 2, 1]) {
    for (let y = -2 * scale; y <= frame.heightPx - 3 * scale; y++) {
      for (let x = 0; x <= frame.widthPx - 5 * scale; x++) {
        if (litIn(x, y, 5 * scale, 8 * scale) === 0) continue; // an empty cell
        for (const glyph of glyphs) {
          if (!cellMatches(lit, glyph, x, y, scale)) continue;
          const key = `${y},${scale}`;
          if (!lines.has(key)) lines.set(key, []);
          lines.get(key)!.push({ x, y, scale, char: glyph.char, strong: pixelCount(glyph) >= 7 });
          break;
        }
      }
    }
  }
  // Accept lines with the most strong glyphs first; a line's glyphs may not overlap accepted ones.
  const claimed = new Uint8Array(frame.widthPx * frame.heightPx);
  const overlaps = (m: Match) => {
    for (let row = 0; row < 8 * m.scale; row++) {
      for (let column = 0; column < 5 * m.scale; column++) {
        const px = m.x + column;
        const py = m.y + row;
        if (px >= 0 && py >= 0 && px < frame.widthPx && py < frame.heightPx && claimed[py * frame.widthPx + px] && lit(px, py)) return true;
      }
    }
    return false;
  };
  const claim = (m: Match) => {
    for (let row = 0; row < 8 * m.scale; row++) {
      for (let column = 0; column < 5 * m.scale; column++) {
        const px = m.x + column;
        const py = m.y + row;
        if (px >= 0 && py >= 0 && px < frame.widthPx && py < frame.heightPx) claimed[py * frame.widthPx + px] = 1;
      }
    }
  };
  const strength = (matches: Match[]) => matches.filter((m) => m.strong).length * 10 + matches.length;
  const accepted: Match[][] = [];
  for (const matches of [...lines.values()].sort((a, b) => strength(b) - strength(a))) {
    if (!matches.some((m) => m.strong)) continue;
    const kept = matches.filter((m) => !overlaps(m)).sort((a, b) => a.x - b.x);
    if (!kept.some((m) => m.strong)) continue;
    kept.forEach(claim);
    accepted.push(kept);
  }
  return accepted
    .sort((a, b) => a[0].y - b[0].y)
    .map((items) => {
      let text = "";
      for (let i = 0; i < items.length; i++) {
        if (i > 0) {
          const gap = items[i].x - items[i - 1].x - 6 * items[i].scale;
          text += " ".repeat(Math.max(0, Math.round(gap / (6 * items[i].scale))));
        }
        text += items[i].char;
      }
      return text;
    });
}
