// QR codes in PNG and JPEG images (screenshots and photos of enrolment or export codes).
import { createRequire } from "node:module";
import type { PNG as PngClass } from "pngjs";
import type * as JpegJs from "jpeg-js";
import { ParseError } from "./errors.js";

// The image and QR decoders are loaded on first use: every other command starts faster without them.
const requireModule = createRequire(import.meta.url);
type JsQr = typeof import("jsqr").default;
let decoders: { PNG: typeof PngClass; jpeg: typeof JpegJs; jsQR: JsQr } | null = null;
function loadDecoders(): NonNullable<typeof decoders> {
  if (decoders === null) {
    const jsqrModule = requireModule("jsqr") as JsQr & { default?: JsQr };
    decoders = {
      PNG: (requireModule("pngjs") as { PNG: typeof PngClass }).PNG,
      jpeg: requireModule("jpeg-js") as typeof JpegJs,
      // jsqr is a CommonJS bundle whose typings declare an ES default export: take whichever is callable.
      jsQR: jsqrModule.default ?? jsqrModule,
    };
  }
  return decoders;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];
/** Refuse images whose pixels would not fit comfortably in memory (a 64-megapixel photo is plenty). */
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
  const { PNG, jpeg } = loadDecoders();
  if (startsWith(bytes, PNG_MAGIC)) {
    let png: PngClass;
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
  const { jsQR } = loadDecoders();
  if (image.width * image.height > MAX_PIXELS) throw new ParseError(`${fileName}: image too large (${image.width}x${image.height})`);
  // Light-on-dark codes (dark mode screenshots) are tried too.
  const code = jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
  if (!code) throw new ParseError(`${fileName}: no QR code found in the image`);
  return code.data;
}
