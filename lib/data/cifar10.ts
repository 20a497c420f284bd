import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { downloadFile, installFile, LOCAL_DATA_ENV, readVerified, REFETCH_FIX, verifyFile, writeAtomic } from "./cache";
import { findLocalCopy, memoizedLoader, type Loaded, type LoadOptions } from "./sources";
import { DATASETS, type DatasetFile } from "./registry";
import { tarEntries } from "./tar";
import type { ImageSet, TrainTest } from "./types";

/** The folder name inside the official archive, and the one looked for in a local copy. */
export const CIFAR10_FOLDER = "cifar-10-batches-bin";
export const CIFAR10_META = "batches.meta.txt";
const SIDE = 32;
const PLANE = SIDE * SIDE;
/** One record: a label byte, then the red, green and blue planes (32×32 each, row-major). */
export const CIFAR10_RECORD = 1 + 3 * PLANE;

const [ARCHIVE, ...BATCHES] = DATASETS.cifar10.files;
const TRAIN_BATCHES = BATCHES.filter((f) => f.name.startsWith("data_batch_"));
const TEST_BATCH = BATCHES.find((f) => f.name === "test_batch.bin")!;

export type LoadCifar10Options = LoadOptions;

/**
 * CIFAR-10 as bytes (NHWC uint8, 32×32×3), each batch file from the first place that has it: the
 * cache, a local copy (installed into the cache), or the official archive (downloaded, checked,
 * extracted into the cache once). Every batch's sha256 is checked before it is parsed. Repeated
 * calls in one process return the same (shared, do not mutate) sets.
 */
export const loadCifar10: (options?: LoadCifar10Options) => Promise<TrainTest> = memoizedLoader("cifar10", readCifar10);

/**
 * Parses binary-version batch files into one set, turning each record's planar R, G, B (CHW)
 * into interleaved pixels (HWC), the layout TensorFlow.js convolutions expect. `source` names
 * each file in errors.
 */
export function parseCifar10Batches(batches: readonly { data: Uint8Array; source: string }[], classNames: readonly string[]): ImageSet {
  for (const { data, source } of batches) {
    if (data.length % CIFAR10_RECORD !== 0) {
      throw new Error(
        `${source} is not a CIFAR-10 batch: its ${data.length} bytes are not a whole number of ` +
          `${CIFAR10_RECORD}-byte records (truncated?). Fix: ${REFETCH_FIX}.`,
      );
    }
  }
  const count = batches.reduce((n, b) => n + b.data.length / CIFAR10_RECORD, 0);
  const images = new Uint8Array(count * 3 * PLANE);
  const labels = new Uint8Array(count);
  let index = 0;
  for (const { data, source } of batches) {
    for (let record = 0; record < data.length; record += CIFAR10_RECORD, index++) {
      const label = data[record];
      if (label >= classNames.length) {
        throw new Error(
          `${source}: record ${record / CIFAR10_RECORD} has label ${label}, but CIFAR-10 has ${classNames.length} classes (0–${classNames.length - 1}). Fix: ${REFETCH_FIX}.`,
        );
      }
      labels[index] = label;
      const r = record + 1;
      const out = index * 3 * PLANE;
      for (let p = 0; p < PLANE; p++) {
        images[out + 3 * p] = data[r + p];
        images[out + 3 * p + 1] = data[r + PLANE + p];
        images[out + 3 * p + 2] = data[r + 2 * PLANE + p];
      }
    }
  }
  return { images, labels, count, height: SIDE, width: SIDE, channels: 3, classNames };
}

/** batches.meta.txt: the ten class names, one per line (the official file ends with a blank line). */
export function parseClassNames(text: string, source: string): string[] {
  const names = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  if (names.length !== 10) {
    throw new Error(`${source} should list the 10 CIFAR-10 class names, one per line, but has ${names.length} non-empty lines. Fix: ${REFETCH_FIX}.`);
  }
  return names;
}

async function readCifar10(dir: string, localDir: string | undefined, download: boolean, log: (msg: string) => void): Promise<Loaded> {
  const origins = new Set<string>();
  let fetched = false;
  const obtain = async (file: DatasetFile): Promise<{ data: Buffer; source: string }> => {
    const cached = path.join(dir, file.name);
    if (!fs.existsSync(cached)) {
      const local = localDir === undefined ? undefined : findLocalCopy(localDir, CIFAR10_FOLDER, file.name);
      if (local) {
        await installFile(local, cached, file.check, `replace it with a good copy, or unset ${LOCAL_DATA_ENV}`);
        origins.add(`the local copy ${path.dirname(local)} (now in the cache ${dir})`);
      } else if (!fetched) {
        if (!download) {
          throw new Error(
            `${file.name} is neither in ${dir} nor in a local copy, and download is off. Fix: pass localDir, or set ` +
              `${LOCAL_DATA_ENV}=<folder containing ${CIFAR10_FOLDER}/>, or copy the batch files into ${dir}.`,
          );
        }
        await fetchArchive(dir, log);
        fetched = true;
        origins.add(`${ARCHIVE.urls[0]} (now in the cache ${dir})`);
      }
    } else {
      origins.add(`the cache ${dir}`);
    }
    return { data: await readVerified(cached, file.check), source: cached };
  };
  const train = [];
  for (const file of TRAIN_BATCHES) train.push(await obtain(file));
  const test = await obtain(TEST_BATCH);
  const classNames = await readClassNames(dir, localDir);
  const data = { train: parseCifar10Batches(train, classNames), test: parseCifar10Batches([test], classNames) };
  return {
    data,
    origin: `CIFAR-10: ${data.train.count} train + ${data.test.count} test images from ${[...origins].join(" and ")}, sha256 verified`,
  };
}

/** The class names from the cache, else from the local copy (then kept in the cache too). */
async function readClassNames(dir: string, localDir: string | undefined): Promise<string[]> {
  const cached = path.join(dir, CIFAR10_META);
  if (!fs.existsSync(cached)) {
    const local = localDir === undefined ? undefined : findLocalCopy(localDir, CIFAR10_FOLDER, CIFAR10_META);
    if (!local) {
      throw new Error(
        `${CIFAR10_META} (the class names) is missing from ${dir}${localDir ? ` and from ${localDir}` : ""}. ` +
          `Fix: copy it there from the official archive's ${CIFAR10_FOLDER}/ folder.`,
      );
    }
    const names = parseClassNames(await fs.promises.readFile(local, "utf8"), local);
    await writeAtomic(cached, (part) => fs.promises.writeFile(part, names.join("\n") + "\n"));
  }
  return parseClassNames(await fs.promises.readFile(cached, "utf8"), cached);
}

/** Downloads the official archive into `dir`, extracts the batches and class names, then deletes it. */
async function fetchArchive(dir: string, log: (msg: string) => void): Promise<void> {
  const archive = await downloadFile(ARCHIVE, dir, { log });
  await extractCifar10Archive(archive, dir);
  await fs.promises.rm(archive, { force: true });
}

/**
 * Writes the batch files and batches.meta.txt of a cifar-10-binary.tar.gz into `dir`, each
 * checked against the registry before it gets its final name. Exported for the tests.
 */
export async function extractCifar10Archive(archive: string, dir: string): Promise<void> {
  let tar: Buffer;
  try {
    tar = await promisify(zlib.gunzip)(await fs.promises.readFile(archive));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!e.code?.startsWith("Z_")) throw err;
    throw new Error(`${archive} is not valid gzip (${e.message}). Fix: ${REFETCH_FIX}.`);
  }
  const wanted = new Set([...BATCHES.map((f) => f.name), CIFAR10_META]);
  for (const entry of tarEntries(tar, archive)) {
    const name = path.posix.basename(entry.name);
    if (!wanted.delete(name)) continue;
    const file = BATCHES.find((f) => f.name === name);
    await writeAtomic(path.join(dir, name), (part) => fs.promises.writeFile(part, entry.data), file && ((part) => verifyFile(part, file.check, `${REFETCH_FIX} ${archive}`)));
  }
  if (wanted.size > 0) {
    throw new Error(`${archive} lacks ${[...wanted].join(", ")}: it is not the CIFAR-10 binary version. Fix: ${REFETCH_FIX}.`);
  }
}
