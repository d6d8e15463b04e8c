// QR codes in PNG and JPEG images (screenshots and photos of enrolment or export codes).
import { PNG } from "pngjs";
import jpeg from "jpeg-js";
import jsQRModule from "jsqr";
import { ParseError } from "./errors.js";

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];
/** Refuse images whose pixels would not fit comfortably in memory (a 64-megapixel photo is plenty). */
// jsqr is a CommonJS bundle whose typings declare an ES default export: take whichever is callable.
type JsQr = typeof import("jsqr").default;
const jsQR: JsQr = ((jsQRModule as unknown as { default?: JsQr }).default ?? jsQRModule) as JsQr;

const MAX_PIXELS = 64 * 1024 * 1024;

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((value, index) => bytes[index] === value);
}

interface Rgba {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

export function decodeImage(bytes: Uint8Array, fileName = "image"): Rgba {
  if (startsWith(bytes, PNG_MAGIC)) {
    let png: PNG;
    try {
      png = PNG.sync.read(Buffer.from(bytes));
    } catch (error) {
      throw new ParseError(`${fileName}: not a readable PNG (${(error as Error).message})`);
    }
    return { data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), width: png.width, height: png.height };
  }
  if (startsWith(bytes, JPEG_MAGIC)) {
    let image: { width: number; height: number; data: Uint8Array };
    try {
      image = jpeg.decode(Buffer.from(bytes), { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 64 });
    } catch (error) {
      throw new ParseError(`${fileName}: not a readable JPEG (${(error as Error).message})`);
    }
    return { data: new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), width: image.width, height: image.height };
  }
  throw new ParseError(`${fileName}: not a PNG or JPEG image`);
}

/** The text of the QR code in an image; a ParseError when there is none. */
export function readQrText(bytes: Uint8Array, fileName = "image"): string {
  const image = decodeImage(bytes, fileName);
  if (image.width * image.height > MAX_PIXELS) throw new ParseError(`${fileName}: image too large (${image.width}x${image.height})`);
  // Light-on-dark codes (dark mode screenshots) are tried too.
  const code = jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
  if (!code) throw new ParseError(`${fileName}: no QR code found in the image`);
  return code.data;
}
