import type { ImageSet } from "../data/types";
import { display } from "../display";
import { encodePng } from "./png";

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
 * Shows dataset images as one PNG grid with an HTML caption table (classic Notebook, JupyterLab,
 * nbconvert HTML), and the captions as text elsewhere.
 */
export function showImages(set: ImageSet, options: ImageGridOptions = {}): void {
  const { count = 16, columns = 8, scale = 3 } = options;
  const indices = Array.from(options.indices ?? Array.from({ length: Math.min(count, set.count) }, (_, i) => i));
  const captions = options.captions ?? indices.map((i) => set.classNames[set.labels[i]]);
  const cells = indices.map((index, k) => {
    const png = encodePng(upscale(imageBytes(set, index), set.width, set.height, set.channels, scale), set.width * scale, set.height * scale, set.channels as 1 | 3);
    return `<figure style="display:inline-block;margin:2px;text-align:center"><img src="data:image/png;base64,${png.toString("base64")}"/>` +
      `<figcaption style="font:12px monospace">${escapeHtml(captions[k])}</figcaption></figure>`;
  });
  const rows: string[] = [];
  for (let i = 0; i < cells.length; i += columns) rows.push(`<div>${cells.slice(i, i + columns).join("")}</div>`);
  display({
    "text/html": `<div>${rows.join("")}</div>`,
    "text/plain": indices.map((index, k) => `#${index}: ${captions[k]}`).join("  "),
  });
}

function imageBytes(set: ImageSet, index: number): Uint8Array {
  const size = set.width * set.height * set.channels;
  if (!Number.isInteger(index) || index < 0 || index >= set.count) throw new Error(`Image index ${index} is outside 0..${set.count - 1}.`);
  return set.images.subarray(index * size, (index + 1) * size);
}

function upscale(pixels: Uint8Array, width: number, height: number, channels: number, scale: number): Uint8Array {
  const out = new Uint8Array(width * scale * height * scale * channels);
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) {
      const src = ((Math.floor(y / scale) * width) + Math.floor(x / scale)) * channels;
      out.set(pixels.subarray(src, src + channels), (y * width * scale + x) * channels);
    }
  }
  return out;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
