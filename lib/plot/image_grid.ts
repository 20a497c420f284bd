import type { ImageSet } from "../data/types";
import { display } from "../display";
import { encodePng } from "./png";
import { FONT, svgToPng } from "./render";

export interface ImageGridOptions {
  /** Which images to show (dataset indices); default the first `count`. */
  indices?: ArrayLike<number>;
  count?: number;
  columns?: number;
  /** Pixels per image pixel: 28×28 digits are tiny at 1. */
  scale?: number;
  /** Caption per shown image; default the class name. */
  captions?: string[];
}

/**
 * Shows dataset images as one grid with a caption under each: an SVG (crisp, any front end) with a
 * PNG fallback, and the captions as text outside notebooks.
 */
export function showImages(set: ImageSet, options: ImageGridOptions = {}): void {
  const { count = 16, columns = 8, scale = 3 } = options;
  const indices = Array.from(options.indices ?? Array.from({ length: Math.min(count, set.count) }, (_, i) => i));
  const captions = options.captions ?? indices.map((i) => set.classNames[set.labels[i]]);
  if (captions.length !== indices.length) throw new Error(`showImages: ${indices.length} images but ${captions.length} captions.`);
  const svg = imageGridSvg(
    indices.map((index) => ({ pixels: imageBytes(set, index), width: set.width, height: set.height, channels: set.channels as 1 | 3 })),
    captions,
    { columns, scale },
  );
  display({
    "image/svg+xml": svg,
    "image/png": svgToPng(svg, 1),
    "text/plain": indices.map((index, k) => `#${index}: ${captions[k]}`).join("  "),
  });
}

export interface RawImage {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** Images in a grid, each drawn at `scale` (pixelated, not blurred) with its caption below. */
export function imageGridSvg(images: readonly RawImage[], captions: readonly string[], options: { columns: number; scale: number }): string {
  const { columns, scale } = options;
  const cellW = Math.max(...images.map((im) => im.width * scale), 60) + 8;
  const cellH = Math.max(...images.map((im) => im.height * scale)) + 22;
  const rows = Math.ceil(images.length / columns);
  const parts = images.map((im, k) => {
    const x = (k % columns) * cellW + 4;
    const y = Math.floor(k / columns) * cellH + 4;
    const png = encodePng(im.pixels, im.width, im.height, im.channels).toString("base64");
    const w = im.width * scale;
    const h = im.height * scale;
    return (
      `<image x="${x + (cellW - 8 - w) / 2}" y="${y}" width="${w}" height="${h}" style="image-rendering:pixelated" ` +
      `href="data:image/png;base64,${png}"/>` +
      `<text x="${x + (cellW - 8) / 2}" y="${y + h + 14}" text-anchor="middle">${escapeXml(captions[k] ?? "")}</text>`
    );
  });
  const width = Math.min(images.length, columns) * cellW;
  const height = rows * cellH;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${FONT}" font-size="11">` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>`
  );
}

function imageBytes(set: ImageSet, index: number): Uint8Array {
  const size = set.width * set.height * set.channels;
  if (!Number.isInteger(index) || index < 0 || index >= set.count) throw new Error(`Image index ${index} is outside 0..${set.count - 1}.`);
  return set.images.subarray(index * size, (index + 1) * size);
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
