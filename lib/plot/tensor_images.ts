// Tensors that are pictures — a filtered digit, a feature map — shown like dataset images. Their
// values are floats of any sign, so each is stretched to 0..255 for display.
import { tf } from "../tf";
import { display } from "../display";
import { imageGridSvg, type RawImage } from "./image_grid";
import { svgToPng } from "./render";

/**
 * A [h, w], [h, w, 1] or [h, w, 3] tensor as 8-bit pixels. Values from `range` (default: the
 * tensor's own min..max) map to 0..255; a constant tensor becomes mid-grey.
 */
export function tensorToImage(t: tf.Tensor, options: { range?: [number, number] } = {}): RawImage {
  const shape = t.shape;
  const channels = shape.length === 2 ? 1 : shape[2];
  if (!(shape.length === 2 || (shape.length === 3 && (channels === 1 || channels === 3)))) {
    throw new Error(`tensorToImage: expected a [height, width], [height, width, 1] or [height, width, 3] tensor, got [${shape.join(", ")}]; pick one image and one channel first (e.g. t.slice or tf.unstack).`);
  }
  const values = t.dataSync();
  let [lo, hi] = options.range ?? [Infinity, -Infinity];
  if (!options.range) for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const span = hi - lo;
  const pixels = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    pixels[i] = span > 0 ? Math.round(Math.min(1, Math.max(0, (values[i] - lo) / span)) * 255) : 128;
  }
  return { pixels, width: shape[1], height: shape[0], channels: channels as 1 | 3 };
}

/** Shows image tensors in a grid with a caption under each (see tensorToImage for the scaling). */
export function showTensorImages(
  tensors: readonly tf.Tensor[],
  captions: readonly string[],
  options: { columns?: number; scale?: number; range?: [number, number] } = {},
): void {
  if (captions.length !== tensors.length) throw new Error(`showTensorImages: ${tensors.length} images but ${captions.length} captions.`);
  const { columns = 8, scale = 4 } = options;
  const svg = imageGridSvg(tensors.map((t) => tensorToImage(t, { range: options.range })), captions, { columns, scale });
  display({ "image/svg+xml": svg, "image/png": svgToPng(svg, 1), "text/plain": captions.join("  ") });
}
