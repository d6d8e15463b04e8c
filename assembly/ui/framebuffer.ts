// A 1-bit framebuffer in SSD1306 page layout (docs/SPEC.md, display_frame): byte i is column
// i % width of page i / width, bit 0 the page's top row. 128x32 or 128x64. A second copy holds the
// frame last sent, so display_frame goes out only when a pixel changed (I2C time on the board).
import { display_frame } from "../abi";
import { glyphRow, GLYPH_ADVANCE_PX, GLYPH_HEIGHT_PX, GLYPH_WIDTH_PX } from "./font";

export const DISPLAY_WIDTH_PX: i32 = 128;
const FRAME_MAX_BYTES: i32 = 128 * 64 / 8;

const frame = memory.data(FRAME_MAX_BYTES);
const sentFrame = memory.data(FRAME_MAX_BYTES);

let heightPx: i32 = 32;
let frameBytes: i32 = 128 * 32 / 8;
let everSent: bool = false;

/** Chooses the panel height (32 or 64) and clears the frame. */
export function fbInit(panelHeightPx: i32): void {
  heightPx = panelHeightPx == 64 ? 64 : 32;
  frameBytes = DISPLAY_WIDTH_PX * heightPx / 8;
  everSent = false;
  fbClear();
}

export function fbHeight(): i32 {
  return heightPx;
}

export function fbClear(): void {
  memory.fill(frame, 0, <usize>frameBytes);
}

/** Sets one pixel (on) when inside the panel; clipped otherwise. */
@inline
export function fbSetPixel(x: i32, y: i32): void {
  if (<u32>x >= <u32>DISPLAY_WIDTH_PX || <u32>y >= <u32>heightPx) return;
  const at = frame + <usize>((y >> 3) * DISPLAY_WIDTH_PX + x);
  store<u8>(at, <u8>(<u32>load<u8>(at) | (<u32>1 << <u32>(y & 7))));
}

export function fbPixel(x: i32, y: i32): bool {
  if (<u32>x >= <u32>DISPLAY_WIDTH_PX || <u32>y >= <u32>heightPx) return false;
  return (<u32>load<u8>(frame + <usize>((y >> 3) * DISPLAY_WIDTH_PX + x)) >> <u32>(y & 7) & 1) != 0;
}

export function fbFillRect(x: i32, y: i32, width: i32, height: i32): void {
  for (let row = y; row < y + height; row++) {
    for (let column = x; column < x + width; column++) fbSetPixel(column, row);
  }
}

/** Outline of a rectangle, one pixel wide. */
export function fbFrameRect(x: i32, y: i32, width: i32, height: i32): void {
  for (let column = x; column < x + width; column++) {
    fbSetPixel(column, y);
    fbSetPixel(column, y + height - 1);
  }
  for (let row = y; row < y + height; row++) {
    fbSetPixel(x, row);
    fbSetPixel(x + width - 1, row);
  }
}

/** Draws one character with its top-left at (x, y), each font pixel a scale x scale block; only
 *  columns in [clipLeft, clipRight) are touched (for scrolling text inside a field). */
export function fbDrawChar(charCode: u32, x: i32, y: i32, scale: i32, clipLeft: i32, clipRight: i32): void {
  for (let row = 0; row < GLYPH_HEIGHT_PX; row++) {
    const bits = glyphRow(charCode, row);
    if (bits == 0) continue;
    for (let column = 0; column < GLYPH_WIDTH_PX; column++) {
      if ((bits >> <u32>(GLYPH_WIDTH_PX - 1 - column) & 1) == 0) continue;
      const left = x + column * scale;
      for (let dx = 0; dx < scale; dx++) {
        const px = left + dx;
        if (px < clipLeft || px >= clipRight) continue;
        for (let dy = 0; dy < scale; dy++) fbSetPixel(px, y + row * scale + dy);
      }
    }
  }
}

/** Width in pixels of `count` characters at `scale` (no trailing blank column). */
@inline
export function textWidthPx(count: i32, scale: i32): i32 {
  return count <= 0 ? 0 : (count * GLYPH_ADVANCE_PX - 1) * scale;
}

/** Draws an ASCII string literal (static data, nothing allocated); returns the x after it. */
export function fbDrawString(text: string, x: i32, y: i32, scale: i32): i32 {
  const count = text.length;
  for (let i = 0; i < count; i++) {
    fbDrawChar(<u32>text.charCodeAt(i), x, y, scale, 0, DISPLAY_WIDTH_PX);
    x += GLYPH_ADVANCE_PX * scale;
  }
  return x;
}

/** A string literal centred horizontally. */
export function fbDrawStringCentered(text: string, y: i32, scale: i32): void {
  fbDrawString(text, (DISPLAY_WIDTH_PX - textWidthPx(text.length, scale)) / 2, y, scale);
}

/** Draws `count` bytes of ASCII at `src`; returns the x after them. Clipped to [clipLeft, clipRight). */
export function fbDrawBytes(src: usize, count: i32, x: i32, y: i32, scale: i32, clipLeft: i32, clipRight: i32): i32 {
  for (let i = 0; i < count; i++) {
    if (x >= clipRight) break;
    if (x + GLYPH_ADVANCE_PX * scale > clipLeft) fbDrawChar(<u32>load<u8>(src + <usize>i), x, y, scale, clipLeft, clipRight);
    x += GLYPH_ADVANCE_PX * scale;
  }
  return x;
}

/** Sends the frame through display_frame if it differs from the last one sent (or none was). */
export function fbFlush(): bool {
  if (everSent && memory.compare(frame, sentFrame, <usize>frameBytes) == 0) return false;
  memory.copy(sentFrame, frame, <usize>frameBytes);
  everSent = true;
  display_frame(frame, <u32>frameBytes, <u32>DISPLAY_WIDTH_PX, <u32>heightPx);
  return true;
}
