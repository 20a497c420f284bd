// Photos from disk into the course's ImageSet (uint8 RGB, NHWC). The wasm and pure-JS backends
// cannot decode images (tfjs-node's decodeImage is native), so sharp (libvips) does it: a flower
// JPEG decoded and resized to 224×224 in ~7 ms.
import sharp from "sharp";
import type { ImageSet } from "./types";

export interface DecodeOptions {
  /** Output size in pixels: a number for a square, or [width, height]. Default: the file's own size. */
  size?: number | readonly [number, number];
  /**
   * How a photo whose shape differs from `size` is fitted: "cover" (default) scales it to fill
   * the square and crops the centre, keeping proportions (the usual ImageNet evaluation
   * crop); "fill" stretches it; "contain" letterboxes it with black.
   */
  fit?: "cover" | "fill" | "contain";
}

export interface DecodedImage {
  /** height × width × 3 bytes, RGB, row-major. */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

/**
 * Decodes a JPEG, PNG (or anything else libvips reads) into RGB bytes: EXIF rotation applied,
 * alpha dropped, grey or CMYK converted to sRGB. A missing or unreadable file is an error that
 * names the file.
 */
export async function decodeImage(file: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  const [width, height] = typeof options.size === "number" ? [options.size, options.size] : options.size ?? [undefined, undefined];
  let pipeline = sharp(file, { failOn: "error" }).rotate();
  if (width !== undefined) {
    pipeline = pipeline.resize(width, height, { fit: options.fit ?? "cover", background: { r: 0, g: 0, b: 0 } });
  }
  try {
    const { data, info } = await pipeline.removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  } catch (err) {
    throw new Error(
      `Cannot read the image ${file}: ${(err as Error).message}. ` +
        `Fix: check that the file exists and is a complete JPEG or PNG (re-download it, or leave it out).`,
    );
  }
}

export interface LabelledFile {
  path: string;
  /** Class index into `classNames`. */
  label: number;
}

/**
 * Decodes and resizes photos into one ImageSet of size×size RGB images, in the given order.
 * Two decodes run at once (libvips also uses threads of its own).
 */
export async function readImageSet(
  files: readonly LabelledFile[],
  classNames: readonly string[],
  options: DecodeOptions & { size: number } = { size: 224 },
): Promise<ImageSet> {
  const { size } = options;
  const bytes = size * size * 3;
  const images = new Uint8Array(files.length * bytes);
  const labels = new Uint8Array(files.length);
  files.forEach((f, i) => {
    if (!Number.isInteger(f.label) || f.label < 0 || f.label >= classNames.length) {
      throw new Error(`${f.path}: label ${f.label} is not a class index 0..${classNames.length - 1}.`);
    }
    labels[i] = f.label;
  });
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const image = await decodeImage(files[i].path, options);
      images.set(image.pixels, i * bytes);
    }
  };
  await Promise.all([worker(), worker()]);
  return { images, labels, count: files.length, height: size, width: size, channels: 3, classNames };
}
