// Small ImageSet plumbing for building galleries: pick some images, append sets together.
import type { ImageSet } from "../data/types";

/** The images at `indices`, in that order (copied). */
export function pickImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = set.height * set.width * set.channels;
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(Number.isInteger(i) && i >= 0 && i < set.count)) throw new Error(`pickImages: index ${i} is outside 0..${set.count - 1}.`);
    images.set(set.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = set.labels[i];
  }
  return { ...set, images, labels, count: indices.length };
}

/** One set holding all of `sets` in order; they must share image size and class names. */
export function concatImages(...sets: ImageSet[]): ImageSet {
  if (sets.length === 0) throw new Error("concatImages: give at least one set.");
  const [first] = sets;
  for (const s of sets) {
    if (s.height !== first.height || s.width !== first.width || s.channels !== first.channels || s.classNames.join() !== first.classNames.join()) {
      throw new Error(`concatImages: a ${s.height}×${s.width}×${s.channels} set with classes [${s.classNames.join(", ")}] cannot join a ${first.height}×${first.width}×${first.channels} one with [${first.classNames.join(", ")}].`);
    }
  }
  const images = new Uint8Array(sets.reduce((n, s) => n + s.images.length, 0));
  const labels = new Uint8Array(sets.reduce((n, s) => n + s.count, 0));
  let at = 0;
  let row = 0;
  for (const s of sets) {
    images.set(s.images, at);
    labels.set(s.labels, row);
    at += s.images.length;
    row += s.count;
  }
  return { ...first, images, labels, count: row };
}
