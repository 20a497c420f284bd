/**
 * A labelled image set kept as raw bytes: 60k MNIST digits are 47 MB as uint8 and 188 MB as
 * float32, so normalisation happens per batch (see batches.ts), never on the whole set.
 */
export interface ImageSet {
  /** count × height × width × channels bytes, row-major, channels last (NHWC). */
  images: Uint8Array;
  /** count class indices. */
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  /** Class index → readable name. */
  classNames: readonly string[];
}

export interface TrainTest {
  train: ImageSet;
  test: ImageSet;
}
