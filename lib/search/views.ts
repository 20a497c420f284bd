// Other "views" of the same images: a crop, a mirror image, changed colours. Two uses in visual
// search: robustness checks (query with a view of a gallery image: is the original still found?)
// and contrastive training (two random views of one image are a positive pair, SimCLR-style).
// Output images keep the input's size, so they go through exactly the same embedding pipeline.
import type { ImageSet } from "../data/types";
import { mulberry32 } from "../random";
import { tf } from "../tf";

/** What happens to one image, applied in this order: crop (resized back), mirror, colour changes. */
interface ViewParams {
  /** Crop box as fractions of height/width: top, left, bottom, right. */
  box: [number, number, number, number];
  flip: boolean;
  /** Multiplies every pixel. */
  brightness: number;
  /** Scales each pixel's distance from the image's mean grey level. */
  contrast: number;
  /** Scales each pixel's distance from its own grey level (0: greyscale). */
  saturation: number;
}

const IDENTITY: ViewParams = { box: [0, 0, 1, 1], flip: false, brightness: 1, contrast: 1, saturation: 1 };

export type FixedView = "crop" | "flip" | "jitter";

/**
 * The same deterministic change applied to every image: "crop" keeps the centre half of the area
 * (71 % of each side) and resizes it back up; "flip" mirrors left–right; "jitter" brightens by
 * 20 %, lowers contrast to 70 % and saturation to 50 %.
 */
export function fixedView(set: ImageSet, kind: FixedView): ImageSet {
  const side = Math.SQRT1_2;
  const margin = (1 - side) / 2;
  const params: Record<FixedView, ViewParams> = {
    crop: { ...IDENTITY, box: [margin, margin, 1 - margin, 1 - margin] },
    flip: { ...IDENTITY, flip: true },
    jitter: { ...IDENTITY, brightness: 1.2, contrast: 0.7, saturation: 0.5 },
  };
  if (!(kind in params)) throw new Error(`Unknown view "${kind}": use "crop", "flip" or "jitter".`);
  return transformImages(set, () => params[kind]);
}

export interface RandomViewOptions {
  seed: number;
  /** Smallest share of the image's area a random crop keeps (default 0.35; 1 turns cropping off). */
  minArea?: number;
  /** Mirror half of the images (default true). */
  flip?: boolean;
  /** Colour jitter strength: brightness, contrast and saturation each drawn from [1 − s, 1 + s] (default 0.4; 0 off). */
  jitter?: number;
}

/**
 * One random view per image, SimCLR-style: a random crop of `minArea`–100 % of the area with an
 * aspect ratio between 3/4 and 4/3 (resized back), a coin-flip mirror, random colour jitter.
 * The same seed gives the same views.
 */
export function randomViews(set: ImageSet, options: RandomViewOptions): ImageSet {
  const { seed, minArea = 0.35, flip = true, jitter = 0.4 } = options;
  if (!(minArea > 0 && minArea <= 1)) throw new Error(`minArea must be in (0, 1], got ${minArea}.`);
  if (!(jitter >= 0 && jitter < 1)) throw new Error(`jitter must be in [0, 1), got ${jitter}.`);
  const random = mulberry32(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();
  return transformImages(set, () => {
    const area = between(minArea, 1);
    const aspect = Math.exp(between(Math.log(3 / 4), Math.log(4 / 3)));
    const h = Math.min(1, Math.sqrt(area / aspect));
    const w = Math.min(1, Math.sqrt(area * aspect));
    const top = between(0, 1 - h);
    const left = between(0, 1 - w);
    return {
      box: [top, left, top + h, left + w],
      flip: flip && random() < 0.5,
      brightness: between(1 - jitter, 1 + jitter),
      contrast: between(1 - jitter, 1 + jitter),
      saturation: between(1 - jitter, 1 + jitter),
    };
  });
}

/** Applies `paramsFor(i)` to image i, a few hundred images per tensor batch. */
function transformImages(set: ImageSet, paramsFor: (i: number) => ViewParams): ImageSet {
  const { count, height, width, channels } = set;
  if (channels !== 3) throw new Error(`Image views need RGB images, the set has ${channels} channel(s).`);
  const size = height * width * channels;
  const images = new Uint8Array(count * size);
  const block = 256;
  for (let start = 0; start < count; start += block) {
    const n = Math.min(block, count - start);
    const params = Array.from({ length: n }, (_, k) => paramsFor(start + k));
    const column = (pick: (p: ViewParams) => number) => tf.tensor4d(params.map(pick), [n, 1, 1, 1]);
    const out = tf.tidy(() => {
      const x = tf.tensor4d(set.images.subarray(start * size, (start + n) * size), [n, height, width, channels], "float32");
      const cropped = tf.image.cropAndResize(x, params.map((p) => p.box), Array.from({ length: n }, (_, k) => k), [height, width], "bilinear");
      const mirror = column((p) => (p.flip ? 1 : 0));
      let y = tf.add(tf.mul(tf.image.flipLeftRight(cropped), mirror), tf.mul(cropped, tf.sub(1, mirror))) as tf.Tensor4D;
      y = tf.mul(y, column((p) => p.brightness));
      const grey = tf.mean(y, 3, true); // per-pixel grey (a plain channel mean is close enough here)
      const meanGrey = tf.mean(grey, [1, 2], true);
      y = tf.add(meanGrey, tf.mul(tf.sub(y, meanGrey), column((p) => p.contrast)));
      const greyAfter = tf.mean(y, 3, true);
      y = tf.add(greyAfter, tf.mul(tf.sub(y, greyAfter), column((p) => p.saturation)));
      return tf.round(tf.clipByValue(y, 0, 255));
    });
    images.set(out.dataSync(), start * size);
    out.dispose();
  }
  return { ...set, images, labels: Uint8Array.from(set.labels), count };
}

/**
 * Each image shrunk by an integer `factor` (the mean of every factor×factor block): e.g. CIFAR's
 * 32×32 to 8×8 "tiny images", a cheap but real description of a picture's layout and colours.
 */
export function downscale(set: ImageSet, factor: number): ImageSet {
  const { count, height, width, channels } = set;
  if (!Number.isInteger(factor) || factor < 1 || height % factor !== 0 || width % factor !== 0) {
    throw new Error(`downscale: factor ${factor} must be a whole number that divides the image size ${height}×${width}.`);
  }
  const h = height / factor;
  const w = width / factor;
  const images = new Uint8Array(count * h * w * channels);
  const block = 1024;
  for (let start = 0; start < count; start += block) {
    const n = Math.min(block, count - start);
    const out = tf.tidy(() => {
      const x = tf.tensor4d(set.images.subarray(start * height * width * channels, (start + n) * height * width * channels), [n, height, width, channels], "float32");
      return tf.round(tf.avgPool(x, factor, factor, "valid"));
    });
    images.set(out.dataSync(), start * h * w * channels);
    out.dispose();
  }
  return { ...set, images, labels: Uint8Array.from(set.labels), height: h, width: w };
}
