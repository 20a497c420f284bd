// Data augmentation for training batches: each epoch sees slightly different versions of the
// same images, so memorising the exact pixels no longer pays (the guide's §24.3 "use data
// augmentation"). Works on the uint8 bytes before normalisation, like torchvision's transforms.
import { mulberry32 } from "../random";
import type { ImageSet } from "./types";

/** Takes the samples at `indices` and returns them, changed, as a set of indices.length images in order. */
export type BatchAugment = (set: ImageSet, indices: Int32Array) => ImageSet;

export interface FlipCropOptions {
  /** Makes the random choices repeatable: the same seed gives the same sequence of batches. */
  seed: number;
  /** torchvision's RandomCrop(padding=…): pad with black, crop back at a random offset. 0 turns it off. */
  padding?: number;
  /** torchvision's RandomHorizontalFlip(): mirror left–right with probability 1/2. */
  flip?: boolean;
}

/**
 * The standard CIFAR augmentation, RandomCrop(32, padding=4) then RandomHorizontalFlip(): each
 * image is shifted by up to `padding` pixels each way (the uncovered border is black) and mirrored
 * half of the time. Each call draws anew from one seeded generator, so the same seed gives the
 * same sequence of batches.
 */
export function randomFlipCrop(options: FlipCropOptions): BatchAugment {
  const { seed, padding = 4, flip = true } = options;
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`randomFlipCrop: padding must be an integer ≥ 0, got ${padding}.`);
  const random = mulberry32(seed);
  return (set, indices) => {
    const { height, width, channels } = set;
    const size = height * width * channels;
    const n = indices.length;
    const images = new Uint8Array(n * size);
    const labels = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const index = indices[k];
      if (index < 0 || index >= set.count) throw new Error(`Sample index ${index} is outside 0..${set.count - 1}.`);
      labels[k] = set.labels[index];
      // Three draws per image whatever the options, so turning one off does not change the other.
      const mirrored = random() < 0.5 && flip;
      const dy = Math.floor(random() * (2 * padding + 1)) - padding;
      const dx = Math.floor(random() * (2 * padding + 1)) - padding;
      shiftImage(set.images, index * size, images, k * size, height, width, channels, dy, dx, mirrored);
    }
    return { ...set, images, labels, count: n };
  };
}

/**
 * out(i, j) = in(i + dy, j' + dx) with j' = width−1−j when mirrored, else j; black outside the
 * input. The output must be zero-filled already.
 */
function shiftImage(
  src: Uint8Array, from: number, out: Uint8Array, to: number,
  height: number, width: number, channels: number, dy: number, dx: number, mirrored: boolean,
): void {
  for (let i = 0; i < height; i++) {
    const sy = i + dy;
    if (sy < 0 || sy >= height) continue;
    for (let j = 0; j < width; j++) {
      const sx = (mirrored ? width - 1 - j : j) + dx;
      if (sx < 0 || sx >= width) continue;
      const s = from + (sy * width + sx) * channels;
      const o = to + (i * width + j) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = src[s + c];
    }
  }
}
