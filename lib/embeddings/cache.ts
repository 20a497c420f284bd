// Embeddings on disk, so weeks 5–6 (and a re-run of week 4) skip minutes of MobileNet inference.
// Each entry is <name>.f32 (little-endian float32, count × dim, row-major) plus <name>.json
// (what was embedded, how, the shape and the sha256). Anything that does not match exactly what
// is asked for, or fails its checksum, is refused and recomputed: stale vectors give silently
// wrong neighbours, which is worse than a slow run.
import * as fs from "node:fs";
import * as path from "node:path";
import { cacheRoot, sha256Hex, writeAtomic } from "../data/cache";
import type { Embeddings } from "./extract";

export interface EmbeddingKey {
  /** e.g. "mobilenet_v1_025_224". */
  model: string;
  /** e.g. "flower_photos_small_set" or "cifar10-train-seed1". */
  dataset: string;
  /** How images became model input, e.g. "cover-crop 224, [0,1]". */
  preprocessing: string;
  count: number;
}

interface Sidecar {
  format: 1;
  key: EmbeddingKey;
  shape: [number, number];
  dtype: "float32-le";
  sha256: string;
}

export function embeddingCacheDir(): string {
  return path.join(cacheRoot(), "embeddings");
}

/** File stem for a key: readable, plus a hash of the whole key so distinct keys never share a file. */
export function embeddingFileStem(key: EmbeddingKey): string {
  const readable = `${key.model}__${key.dataset}__${key.count}`.replace(/[^\w.-]+/g, "-");
  return `${readable}__${sha256Hex(Buffer.from(JSON.stringify(canonical(key)))).slice(0, 12)}`;
}

export interface CachedEmbeddings extends Embeddings {
  fromCache: boolean;
  /** The .f32 file. */
  file: string;
}

/**
 * The embeddings for `key`: read from the cache when a valid entry exists, else computed with
 * `compute` and stored. `compute` must return exactly `key.count` rows.
 */
export async function cachedEmbeddings(
  key: EmbeddingKey,
  compute: () => Promise<Embeddings>,
  options: { dir?: string; log?: (msg: string) => void } = {},
): Promise<CachedEmbeddings> {
  const { dir = embeddingCacheDir(), log = console.log } = options;
  const stem = path.join(dir, embeddingFileStem(key));
  if (fs.existsSync(`${stem}.json`) || fs.existsSync(`${stem}.f32`)) {
    try {
      const cached = readEmbeddings(stem, key);
      log(`embeddings: ${cached.count} × ${cached.dim} read from ${stem}.f32`);
      return { ...cached, fromCache: true, file: `${stem}.f32` };
    } catch (err) {
      log(`embeddings: refusing the cached ${stem}.f32 (${(err as Error).message}); recomputing`);
    }
  }
  const fresh = await compute();
  if (fresh.count !== key.count || fresh.data.length !== fresh.count * fresh.dim) {
    throw new Error(`cachedEmbeddings: compute() returned ${fresh.count} rows × ${fresh.dim} (${fresh.data.length} values) for a key of ${key.count} images.`);
  }
  await writeEmbeddings(stem, key, fresh);
  log(`embeddings: ${fresh.count} × ${fresh.dim} saved to ${stem}.f32`);
  return { data: fresh.data, count: fresh.count, dim: fresh.dim, fromCache: false, file: `${stem}.f32` };
}

/** Reads `<stem>.f32` if its sidecar matches `key` exactly and the bytes match its checksum; else throws why. */
export function readEmbeddings(stem: string, key: EmbeddingKey): Embeddings {
  let sidecar: Sidecar;
  try {
    sidecar = JSON.parse(fs.readFileSync(`${stem}.json`, "utf8")) as Sidecar;
  } catch (err) {
    throw new Error(`its sidecar ${stem}.json is missing or unreadable: ${(err as Error).message}`);
  }
  if (sidecar.format !== 1 || sidecar.dtype !== "float32-le") throw new Error(`unknown format ${sidecar.format}/${sidecar.dtype}`);
  if (JSON.stringify(canonical(sidecar.key)) !== JSON.stringify(canonical(key))) {
    throw new Error(`it was computed for ${JSON.stringify(sidecar.key)}, not ${JSON.stringify(key)}`);
  }
  const [count, dim] = sidecar.shape;
  if (count !== key.count) throw new Error(`it holds ${count} rows, expected ${key.count}`);
  const bytes = fs.readFileSync(`${stem}.f32`);
  if (bytes.length !== count * dim * 4) throw new Error(`it has ${bytes.length} bytes, the shape ${count} × ${dim} needs ${count * dim * 4}`);
  if (sha256Hex(bytes) !== sidecar.sha256) throw new Error("it is corrupt (its sha256 differs from the sidecar's)");
  // A copy into a fresh, aligned buffer: a Float32Array view needs a 4-byte-aligned offset.
  return { data: new Float32Array(Uint8Array.from(bytes).buffer), count, dim };
}

/** Writes the vectors, then the sidecar, each through a temporary file and a rename (atomic). */
export async function writeEmbeddings(stem: string, key: EmbeddingKey, embeddings: Embeddings): Promise<void> {
  fs.mkdirSync(path.dirname(stem), { recursive: true });
  const bytes = Buffer.from(embeddings.data.buffer, embeddings.data.byteOffset, embeddings.data.byteLength);
  const sidecar: Sidecar = { format: 1, key, shape: [embeddings.count, embeddings.dim], dtype: "float32-le", sha256: sha256Hex(bytes) };
  await writeAtomic(`${stem}.f32`, (part) => fs.promises.writeFile(part, bytes));
  await writeAtomic(`${stem}.json`, (part) => fs.promises.writeFile(part, JSON.stringify(sidecar, null, 2)));
}


function canonical(key: EmbeddingKey): EmbeddingKey {
  return { model: key.model, dataset: key.dataset, preprocessing: key.preprocessing, count: key.count };
}

