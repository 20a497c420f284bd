// A search gallery on disk: the vector index (with its provenance sidecar, see vector_index.ts)
// plus what a front end needs to show results: each item's label, where it came from, and a
// thumbnail. Written by the week 6 notebook, read by the demo server (demo/server.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import { cacheRoot, sha256Hex, writeAtomic } from "../data/cache";
import type { ImageSet } from "../data/types";
import { loadIndex, type Provenance, type VectorIndex } from "./vector_index";

const FORMAT = "course-search-gallery";
const GALLERY_FILE = "gallery.json";
const IMAGES_FILE = "images.u8";

/** How the CIFAR-10 gallery (and every query against it) becomes MobileNet input. */
export const CIFAR_QUERY_PREPROCESSING = "rgb 32x32 (cover-resized if larger), bilinear 32→224, pixels to [0,1]";

/** Where the week 6 notebook saves the gallery and the demo server looks for it. */
export function searchDemoDir(): string {
  return path.join(cacheRoot(), "search-demo");
}

interface GalleryFile {
  format: typeof FORMAT;
  version: 1;
  count: number;
  height: number;
  width: number;
  channels: 3;
  classNames: string[];
  labels: number[];
  /** Where item i came from, e.g. "cifar10-test#1234". */
  sources: string[];
  imagesSha256: string;
  note: string;
}

export interface Gallery {
  index: VectorIndex;
  /** Item i of the index is image i here (ids are 0..count−1). */
  images: ImageSet;
  sources: string[];
  note: string;
}

/** Saves index + labels + thumbnails into `dir`. The index's ids must be 0..count−1, matching `images`. */
export async function saveGallery(dir: string, index: VectorIndex, images: ImageSet, sources: readonly string[], note = ""): Promise<void> {
  if (index.size !== images.count || sources.length !== images.count) {
    throw new Error(`saveGallery: the index holds ${index.size} vectors, there are ${images.count} images and ${sources.length} sources: they must describe the same items, in id order.`);
  }
  if (images.channels !== 3) throw new Error(`saveGallery: thumbnails must be RGB, got ${images.channels} channel(s).`);
  await index.save(dir);
  const bytes = Buffer.from(images.images.buffer, images.images.byteOffset, images.images.byteLength);
  const meta: GalleryFile = {
    format: FORMAT,
    version: 1,
    count: images.count,
    height: images.height,
    width: images.width,
    channels: 3,
    classNames: [...images.classNames],
    labels: Array.from(images.labels),
    sources: [...sources],
    imagesSha256: sha256Hex(bytes),
    note,
  };
  await writeAtomic(path.join(dir, IMAGES_FILE), (part) => fs.promises.writeFile(part, bytes));
  await writeAtomic(path.join(dir, GALLERY_FILE), (part) => fs.promises.writeFile(part, JSON.stringify(meta) + "\n"));
}

/** Loads a saved gallery; the index must match `expected` (see loadIndex) and the thumbnails their checksum. */
export async function loadGallery(dir: string, expected: Provenance & { dim: number }): Promise<Gallery> {
  const index = await loadIndex(dir, expected);
  const file = path.join(dir, GALLERY_FILE);
  const fix = "run the week 6 notebook again to rebuild the gallery";
  let meta: GalleryFile;
  try {
    meta = JSON.parse(await fs.promises.readFile(file, "utf8")) as GalleryFile;
  } catch (err) {
    throw new Error(`${file} is missing or not JSON (${(err as Error).message}): ${fix}.`);
  }
  if (meta.format !== FORMAT || meta.version !== 1) throw new Error(`${file} is not a version-1 ${FORMAT} file: ${fix}.`);
  if (meta.count !== index.size || meta.labels.length !== meta.count || meta.sources.length !== meta.count) {
    throw new Error(`${file} describes ${meta.count} items but the index holds ${index.size}: the files come from different runs; ${fix}.`);
  }
  const bytes = await fs.promises.readFile(path.join(dir, IMAGES_FILE)).catch(() => {
    throw new Error(`${path.join(dir, IMAGES_FILE)} is missing: ${fix}.`);
  });
  if (bytes.length !== meta.count * meta.height * meta.width * 3 || sha256Hex(bytes) !== meta.imagesSha256) {
    throw new Error(`${path.join(dir, IMAGES_FILE)} is corrupt (size or sha256 differs from ${GALLERY_FILE}): ${fix}.`);
  }
  const images: ImageSet = {
    images: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
    labels: Uint8Array.from(meta.labels),
    count: meta.count,
    height: meta.height,
    width: meta.width,
    channels: 3,
    classNames: meta.classNames,
  };
  return { index, images, sources: meta.sources, note: meta.note };
}

/**
 * An uploaded image (JPEG, PNG, WebP… as bytes) as a one-image set of width×height RGB, resized
 * the way the gallery's images were ("cover": fill the square, crop the centre). decodeImage in
 * lib/data/images.ts does the same for files; uploads arrive as bytes.
 */
export async function decodeQueryImage(bytes: Uint8Array, size: { width: number; height: number }): Promise<ImageSet> {
  let data: Buffer;
  try {
    data = await sharp(bytes, { failOn: "error", limitInputPixels: 50_000_000 })
      .rotate()
      .resize(size.width, size.height, { fit: "cover" })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer();
  } catch (err) {
    throw new Error(`This is not an image that can be read (${(err as Error).message.split("\n")[0]}): upload a JPEG, PNG or WebP file.`);
  }
  return { images: new Uint8Array(data.buffer, data.byteOffset, data.length), labels: new Uint8Array(1), count: 1, height: size.height, width: size.width, channels: 3, classNames: ["upload"] };
}


