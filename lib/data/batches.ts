import { tf } from "../tf";
import type { ImageSet } from "./types";
import { mulberry32 } from "../random";

/**
 * The seed is required when shuffling: a default would silently give every epoch the same order.
 * Pass e.g. `seed: baseSeed + epoch` for a new but repeatable order each epoch.
 */
export type BatchOrder = { shuffle: false } | { shuffle: true; seed: number };

/** Splits 0..count-1 into batches of `batchSize`; the last, smaller batch is kept. */
export function batchIndices(count: number, batchSize: number, order: BatchOrder = { shuffle: false }): Int32Array[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batchSize must be a positive integer, got ${batchSize}.`);
  }
  const all = order.shuffle ? permutation(count, order.seed) : Int32Array.from({ length: count }, (_, i) => i);
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += batchSize) batches.push(all.subarray(start, start + batchSize));
  return batches;
}

export interface Batch {
  /** [batch, height, width, channels] float32: in [-1, 1] when normalised, else 0..255. */
  x: tf.Tensor4D;
  /** [batch] int32 class indices. */
  y: tf.Tensor1D;
}

/**
 * Turns the samples at `indices` into tensors. The caller owns (and must dispose) both.
 * Normalisation is the guide's (x/255 − 0.5)/0.5, written as x/127.5 − 1: 0 → −1 and 255 → 1 exactly.
 */
export function makeBatch(set: ImageSet, indices: Int32Array, options: { normalize?: boolean } = {}): Batch {
  const { height, width, channels } = set;
  const { images, labels } = gather(set, indices);
  const x = tf.tidy(() => {
    const raw = tf.tensor4d(images, [indices.length, height, width, channels], "float32");
    return options.normalize === false ? raw : raw.div<tf.Tensor4D>(127.5).sub<tf.Tensor4D>(1);
  });
  return { x, y: tf.tensor1d(Int32Array.from(labels), "int32") };
}

/**
 * A smaller set for quick runs: the first `n` samples, or with a seed a random `n` of them
 * (kept in their original order). The bytes are copied, so the big set can be dropped.
 */
export function subset(set: ImageSet, n: number, options: { seed?: number } = {}): ImageSet {
  if (!Number.isInteger(n) || n < 0 || n > set.count) {
    throw new Error(`subset: n must be an integer in 0..${set.count}, got ${n}.`);
  }
  const indices =
    options.seed === undefined
      ? Int32Array.from({ length: n }, (_, i) => i)
      : permutation(set.count, options.seed).slice(0, n).sort();
  return { ...set, ...gather(set, indices), count: n };
}

/** Fisher–Yates over 0..count-1 driven by mulberry32(seed). */
function permutation(count: number, seed: number): Int32Array {
  const random = mulberry32(seed);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** One memcpy (`set` of a `subarray`) per sample rather than a JS loop per pixel. */
function gather(set: ImageSet, indices: Int32Array): { images: Uint8Array; labels: Uint8Array } {
  const size = set.height * set.width * set.channels;
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  indices.forEach((index, k) => {
    if (index < 0 || index >= set.count) throw new Error(`Sample index ${index} is outside 0..${set.count - 1}.`);
    images.set(set.images.subarray(index * size, (index + 1) * size), k * size);
    labels[k] = set.labels[index];
  });
  return { images, labels };
}
