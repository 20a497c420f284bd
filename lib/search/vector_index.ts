// Vector indexes for cosine search: ExactIndex (brute force, one matMul per query batch) and
// HnswIndex (hnswlib's graph-based approximate search). Both return cosine similarity as the
// score, so their results can be compared directly (that is how ANN recall is measured).
//
// Saved indexes carry a metadata sidecar (index.json) with the dimension, the embedding model and
// the preprocessing they were built with, and the sha256 of the index file. An index built with
// another model has the wrong geometry even when the dimension matches, and hnswlib happily
// loads a mismatched or damaged file and returns garbage, so loadIndex refuses both loudly.
import * as fs from "node:fs";
import * as path from "node:path";
import { HierarchicalNSW } from "hnswlib-node";
import { sha256File, sha256Hex, writeAtomic } from "../data/cache";
import { tf } from "../tf";
import { checkNorms } from "./similarity";
import { topKRow } from "./topk";

export type IndexKind = "exact" | "hnsw";

/** Where the vectors came from: a query must be embedded the same way to be comparable. */
export interface Provenance {
  /** The embedding model, e.g. "mobilenet-v2-1.0-224". Changing the model means re-embedding everything. */
  modelId: string;
  /** Resize, scaling, normalisation, e.g. "resize224-scale01". Must be identical for gallery and queries. */
  preprocessingId: string;
}

export interface SearchHits {
  /** Ids of the nearest vectors, most similar first. */
  ids: number[];
  /** Cosine similarity of each to the query. */
  scores: number[];
}

/** Rows to add: a flat Float32Array of n×dim values, or one array per vector. */
export type Vectors = Float32Array | readonly (readonly number[] | Float32Array)[];

export interface VectorIndex extends Provenance {
  readonly kind: IndexKind;
  readonly dim: number;
  readonly space: "cosine";
  /** Number of vectors stored. */
  readonly size: number;
  /** Adds vectors; ids default to consecutive numbers after the largest so far (0, 1, 2… for a new index). */
  add(vectors: Vectors, ids?: readonly number[]): void;
  /**
   * The k most similar vectors (fewer if the index holds fewer, or the filter leaves fewer).
   * `filter(id)` returning false drops that id, e.g. the query's own image or out-of-stock items.
   */
  search(query: Float32Array | readonly number[], k: number, filter?: (id: number) => boolean): SearchHits;
  /** `search` for many queries (ExactIndex does them in one matMul per block). */
  searchBatch(queries: Vectors, k: number): SearchHits[];
  /** Writes index.bin + index.json into `dir` (created if missing), each atomically. */
  save(dir: string): Promise<void>;
  /** Frees tensors (ExactIndex); the index must not be used afterwards. */
  dispose(): void;
}

export interface IndexMetadata extends Provenance {
  format: typeof FORMAT;
  version: 1;
  kind: IndexKind;
  space: "cosine";
  dim: number;
  count: number;
  /** HNSW: M, efConstruction, ef, seed. */
  params: Record<string, number>;
  file: typeof INDEX_FILE;
  sha256: string;
  /** ISO timestamp of the save. */
  created: string;
}

const FORMAT = "course-vector-index";
const INDEX_FILE = "index.bin";
const METADATA_FILE = "index.json";
const MAX_ID = 2 ** 32 - 1; // hnswlib stores labels as uint32 in this binding.
const REBUILD = "rebuild the index from the images with the current model (embed, add, save)";

/**
 * Validates and L2-normalises rows into one flat Float32Array. NaN/Infinity and all-zero rows
 * are refused here because hnswlib takes them silently (NaN → null distances, zero → distance 1).
 */
function normalizedRows(vectors: Vectors, dim: number, what: string): Float32Array {
  let flat: Float32Array;
  if (vectors instanceof Float32Array) {
    if (vectors.length % dim !== 0) {
      throw new Error(`${what}: a flat Float32Array must hold whole vectors of dim ${dim}, but its length ${vectors.length} is not a multiple of ${dim}.`);
    }
    flat = Float32Array.from(vectors);
  } else {
    flat = new Float32Array(vectors.length * dim);
    vectors.forEach((row, i) => {
      if (row.length !== dim) throw new Error(`${what}: row ${i} has dim ${row.length} but the index has dim ${dim}. Embed with the model the index was built for.`);
      flat.set(row, i * dim);
    });
  }
  const n = flat.length / dim;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * dim; j < (i + 1) * dim; j++) s += flat[j] * flat[j];
    norms[i] = s;
  }
  checkNorms(norms, what, true);
  for (let i = 0; i < n; i++) {
    const inv = 1 / Math.sqrt(norms[i]);
    for (let j = i * dim; j < (i + 1) * dim; j++) flat[j] *= inv;
  }
  return flat;
}

function queryVector(query: Float32Array | readonly number[], dim: number): Float32Array {
  if (query.length !== dim) throw new Error(`The query has dim ${query.length} but the index has dim ${dim}: embed the query with the model the index was built with.`);
  return normalizedRows(query instanceof Float32Array ? query : [query], dim, "query");
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive whole number, got ${k}.`);
}

/** Shared bookkeeping: dimension, provenance and the id rules. */
abstract class BaseIndex implements Provenance {
  readonly space = "cosine" as const;
  readonly dim: number;
  readonly modelId: string;
  readonly preprocessingId: string;
  protected readonly idSet = new Set<number>();
  private nextId = 0;

  constructor(options: Provenance & { dim: number }) {
    if (!Number.isInteger(options.dim) || options.dim < 1) throw new Error(`dim must be a positive whole number, got ${options.dim}.`);
    for (const key of ["modelId", "preprocessingId"] as const) {
      if (typeof options[key] !== "string" || options[key].trim() === "") {
        throw new Error(`${key} must name how the vectors were made (e.g. "mobilenet-v2" / "resize224-scale01"): a saved index is checked against it.`);
      }
    }
    this.dim = options.dim;
    this.modelId = options.modelId;
    this.preprocessingId = options.preprocessingId;
  }

  /** Validated ids for n new vectors; duplicates are refused because hnswlib would silently replace. */
  protected newIds(n: number, ids: readonly number[] | undefined): number[] {
    const out = ids ? Array.from(ids) : Array.from({ length: n }, (_, i) => this.nextId + i);
    if (out.length !== n) throw new Error(`Got ${n} vectors but ${out.length} ids: give one id per vector (or none for 0, 1, 2…).`);
    const seen = new Set<number>();
    for (const id of out) {
      if (!Number.isInteger(id) || id < 0 || id > MAX_ID) throw new Error(`Id ${id} is not allowed: ids must be whole numbers from 0 to ${MAX_ID}.`);
      if (this.idSet.has(id) || seen.has(id)) throw new Error(`Id ${id} is already in the index: ids must be unique (hnswlib would silently overwrite the old vector).`);
      seen.add(id);
    }
    return out;
  }

  protected recordIds(ids: readonly number[]): void {
    for (const id of ids) {
      this.idSet.add(id);
      this.nextId = Math.max(this.nextId, id + 1);
    }
  }

  protected checkSearchable(size: number, k: number): void {
    checkK(k);
    if (size === 0) throw new Error("The index is empty: add vectors before searching.");
  }

  /** index.bin through a temporary file and a rename, then index.json the same way. */
  protected async saveFiles(dir: string, kind: IndexKind, count: number, params: Record<string, number>, write: (file: string) => Promise<void>): Promise<void> {
    let sha256 = "";
    await writeAtomic(path.join(dir, INDEX_FILE), write, async (part) => {
      sha256 = await sha256File(part);
    });
    // Written last: if the process dies in between, the old index.json's checksum no longer
    // matches the new index.bin, and loadIndex refuses it instead of mixing the two.
    const metadata: IndexMetadata = {
      format: FORMAT,
      version: 1,
      kind,
      space: "cosine",
      dim: this.dim,
      count,
      params,
      modelId: this.modelId,
      preprocessingId: this.preprocessingId,
      file: INDEX_FILE,
      sha256,
      created: new Date().toISOString(),
    };
    await writeAtomic(path.join(dir, METADATA_FILE), (part) => fs.promises.writeFile(part, JSON.stringify(metadata, null, 2) + "\n"));
  }
}

/**
 * Brute-force cosine search: every query is compared with every stored vector (one matMul on
 * unit-length rows). Always exact, O(n·dim) per query: the ground truth ANN results are measured against.
 */
export class ExactIndex extends BaseIndex implements VectorIndex {
  readonly kind = "exact" as const;
  private data: Float32Array;
  private ids: number[] = [];
  private gallery: tf.Tensor2D | undefined;

  constructor(options: Provenance & { dim: number }) {
    super(options);
    this.data = new Float32Array(1024 * this.dim);
  }

  get size(): number {
    return this.ids.length;
  }

  add(vectors: Vectors, ids?: readonly number[]): void {
    const rows = normalizedRows(vectors, this.dim, "vectors to add");
    const n = rows.length / this.dim;
    const newIds = this.newIds(n, ids);
    const needed = (this.size + n) * this.dim;
    if (needed > this.data.length) {
      // Doubling keeps adding one image at a time linear overall.
      const grown = new Float32Array(Math.max(needed, 2 * this.data.length));
      grown.set(this.data.subarray(0, this.size * this.dim));
      this.data = grown;
    }
    this.data.set(rows, this.size * this.dim);
    for (const id of newIds) this.ids.push(id);
    this.recordIds(newIds);
    this.gallery?.dispose();
    this.gallery = undefined;
  }

  search(query: Float32Array | readonly number[], k: number, filter?: (id: number) => boolean): SearchHits {
    this.checkSearchable(this.size, k);
    return this.rank(queryVector(query, this.dim), 1, k, filter)[0];
  }

  searchBatch(queries: Vectors, k: number): SearchHits[] {
    this.checkSearchable(this.size, k);
    const rows = normalizedRows(queries, this.dim, "queries");
    const count = rows.length / this.dim;
    const block = Math.max(1, Math.floor(4_000_000 / this.size)); // ~16 MB of scores at a time
    const hits: SearchHits[] = [];
    for (let start = 0; start < count; start += block) {
      const size = Math.min(block, count - start);
      for (const h of this.rank(rows.subarray(start * this.dim, (start + size) * this.dim), size, k)) hits.push(h);
    }
    return hits;
  }

  private rank(rows: Float32Array, count: number, k: number, filter?: (id: number) => boolean): SearchHits[] {
    // Kept transposed ([dim, n]) so each search is a plain matMul (see matMulTransposeB).
    this.gallery ??= tf.tidy(() => tf.transpose(tf.tensor2d(this.data.subarray(0, this.size * this.dim), [this.size, this.dim])));
    const gallery = this.gallery;
    const scores = tf.tidy(() => tf.matMul(tf.tensor2d(rows, [count, this.dim]), gallery)).dataSync();
    const n = this.size;
    const kk = Math.min(k, n);
    const skip = filter ? (j: number) => !filter(this.ids[j]) : undefined;
    return Array.from({ length: count }, (_, i) => {
      const best = topKRow(scores.subarray(i * n, (i + 1) * n), kk, "higher", skip);
      return { ids: best.indices.map((j) => this.ids[j]), scores: best.scores };
    });
  }

  async save(dir: string): Promise<void> {
    const n = this.size;
    await this.saveFiles(dir, "exact", n, {}, async (file) => {
      // Layout: n uint32 ids, then n×dim float32 unit vectors (little-endian, as on x86 and ARM).
      const buffer = Buffer.alloc(n * 4 + n * this.dim * 4);
      Buffer.from(Uint32Array.from(this.ids).buffer).copy(buffer, 0);
      Buffer.from(this.data.buffer, 0, n * this.dim * 4).copy(buffer, n * 4);
      await fs.promises.writeFile(file, buffer);
    });
  }

  /** Rebuilds an index from a verified index.bin. Use loadIndex, which checks the file first. */
  static restore(meta: IndexMetadata, bytes: Buffer): ExactIndex {
    const n = meta.count;
    if (bytes.length !== n * 4 + n * meta.dim * 4) {
      throw new Error(`The exact index file holds ${bytes.length} bytes, but ${n} vectors of dim ${meta.dim} need ${n * 4 + n * meta.dim * 4}: ${REBUILD}.`);
    }
    const copy = new Uint8Array(bytes); // aligned copy, so typed-array views are allowed
    const index = new ExactIndex(meta);
    const ids = Array.from(new Uint32Array(copy.buffer, 0, n));
    index.add(new Float32Array(copy.buffer, n * 4, n * meta.dim), ids);
    return index;
  }

  dispose(): void {
    this.gallery?.dispose();
    this.gallery = undefined;
  }
}

export interface HnswParams {
  /** Graph degree: links per node (default 16). Higher: better recall, more memory, slower build. */
  M: number;
  /** Candidate list size while building (default 200). Higher: better graph, slower build. */
  efConstruction: number;
  /** Candidate list size while searching (default 64): the recall/speed knob, changeable any time. */
  ef: number;
  /** Seed of hnswlib's level generator, so builds are repeatable (default 100). */
  seed: number;
}

/**
 * Approximate cosine search with hnswlib (HNSW graph). Scores are 1 − hnswlib's cosine distance,
 * i.e. cosine similarity, comparable with ExactIndex. Capacity grows by itself.
 */
export class HnswIndex extends BaseIndex implements VectorIndex {
  readonly kind = "hnsw" as const;
  readonly M: number;
  readonly efConstruction: number;
  readonly seed: number;
  private native: HierarchicalNSW;
  // hnswlib-node accepts only plain arrays (a Float32Array is a TypeError) and copies the values
  // in, so one scratch array is refilled instead of allocating one per vector.
  private readonly scratch: number[];

  constructor(options: Provenance & { dim: number; capacity?: number } & Partial<HnswParams>) {
    super(options);
    const { M = 16, efConstruction = 200, ef = 64, seed = 100, capacity = 1024 } = options;
    for (const [name, value] of Object.entries({ M, efConstruction, ef, capacity })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, got ${value}.`);
    }
    this.M = M;
    this.efConstruction = efConstruction;
    this.seed = seed;
    this.scratch = new Array<number>(this.dim).fill(0);
    this.native = new HierarchicalNSW("cosine", this.dim);
    this.native.initIndex(capacity, M, efConstruction, seed);
    this.native.setEf(ef);
  }

  get size(): number {
    return this.native.getCurrentCount();
  }

  get ef(): number {
    return this.native.getEf();
  }

  /** Larger ef: higher recall, slower queries. Below k, hnswlib uses k anyway. */
  set ef(value: number) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`ef must be a positive whole number, got ${value}.`);
    this.native.setEf(value);
  }

  add(vectors: Vectors, ids?: readonly number[]): void {
    const rows = normalizedRows(vectors, this.dim, "vectors to add");
    const n = rows.length / this.dim;
    const newIds = this.newIds(n, ids);
    const capacity = this.native.getMaxElements();
    if (this.size + n > capacity) this.native.resizeIndex(Math.max(this.size + n, 2 * capacity));
    for (let i = 0; i < n; i++) {
      this.native.addPoint(this.plain(rows, i), newIds[i]);
      this.recordIds([newIds[i]]);
    }
  }

  search(query: Float32Array | readonly number[], k: number, filter?: (id: number) => boolean): SearchHits {
    this.checkSearchable(this.size, k);
    return this.searchRow(queryVector(query, this.dim), 0, k, filter);
  }

  searchBatch(queries: Vectors, k: number): SearchHits[] {
    this.checkSearchable(this.size, k);
    const rows = normalizedRows(queries, this.dim, "queries");
    return Array.from({ length: rows.length / this.dim }, (_, i) => this.searchRow(rows, i, k));
  }

  private searchRow(rows: Float32Array, row: number, k: number, filter?: (id: number) => boolean): SearchHits {
    const found = this.native.searchKnn(this.plain(rows, row), Math.min(k, this.size), filter);
    // hnswlib orders by distance only; equal scores are put in id order to match ExactIndex.
    const order = found.neighbors.map((_, i) => i).sort((a, b) => found.distances[a] - found.distances[b] || found.neighbors[a] - found.neighbors[b]);
    return { ids: order.map((i) => found.neighbors[i]), scores: order.map((i) => 1 - found.distances[i]) };
  }

  private plain(rows: Float32Array, row: number): number[] {
    const offset = row * this.dim;
    for (let j = 0; j < this.dim; j++) this.scratch[j] = rows[offset + j];
    return this.scratch;
  }

  async save(dir: string): Promise<void> {
    const params = { M: this.M, efConstruction: this.efConstruction, ef: this.ef, seed: this.seed };
    await this.saveFiles(dir, "hnsw", this.size, params, async (file) => {
      await this.native.writeIndex(file);
    });
  }

  /** Reads a verified index.bin. Use loadIndex, which checks the file first. */
  static async restore(meta: IndexMetadata, file: string): Promise<HnswIndex> {
    const { M, efConstruction, ef, seed } = meta.params;
    const index = new HnswIndex({ ...meta, M, efConstruction, ef, seed, capacity: 1 });
    await index.native.readIndex(file);
    // readIndex resets ef to hnswlib's default of 10, which silently lowers recall.
    index.native.setEf(ef);
    const count = index.native.getCurrentCount();
    if (count !== meta.count || index.native.getNumDimensions() !== meta.dim) {
      throw new Error(`${file} holds ${count} vectors of dim ${index.native.getNumDimensions()}, but its metadata says ${meta.count} of dim ${meta.dim}: ${REBUILD}.`);
    }
    index.recordIds(index.native.getIdsList());
    return index;
  }

  dispose(): void {
    // Native memory is released with the object; nothing to do eagerly.
  }
}



/** Reads and sanity-checks index.json in `dir` (no comparison with expectations yet). */
export async function readIndexMetadata(dir: string): Promise<IndexMetadata> {
  const file = path.join(dir, METADATA_FILE);
  let text: string;
  try {
    text = await fs.promises.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`No saved index in ${dir} (${METADATA_FILE} is missing): build one and call index.save("${dir}").`);
    throw err;
  }
  let meta: IndexMetadata;
  try {
    meta = JSON.parse(text) as IndexMetadata;
  } catch {
    throw new Error(`${file} is not valid JSON (damaged or hand-edited): ${REBUILD}.`);
  }
  if (meta.format !== FORMAT || meta.version !== 1 || (meta.kind !== "exact" && meta.kind !== "hnsw") || meta.space !== "cosine" || typeof meta.sha256 !== "string") {
    throw new Error(`${file} is not a version-1 ${FORMAT} metadata file for a cosine exact/hnsw index: ${REBUILD}.`);
  }
  return meta;
}

/**
 * Loads an index saved with `save(dir)`, refusing it (with the reason and the fix) when it was
 * built for another dimension, model or preprocessing than the caller expects, or when index.bin
 * does not match the checksum recorded at save time.
 */
export async function loadIndex(dir: string, expected: Provenance & { dim: number }): Promise<ExactIndex | HnswIndex> {
  const meta = await readIndexMetadata(dir);
  if (meta.dim !== expected.dim) {
    throw new Error(`The index in ${dir} holds vectors of dim ${meta.dim}, but you expect dim ${expected.dim}: it was built with another embedding model or layer (${meta.modelId}). Load the matching index, or ${REBUILD}.`);
  }
  if (meta.modelId !== expected.modelId) {
    throw new Error(`The index in ${dir} was built with model "${meta.modelId}", but your queries come from "${expected.modelId}": embeddings of different models are not comparable. Use the same model, or ${REBUILD}.`);
  }
  if (meta.preprocessingId !== expected.preprocessingId) {
    throw new Error(`The index in ${dir} was built with preprocessing "${meta.preprocessingId}", but your queries use "${expected.preprocessingId}": gallery and queries must be preprocessed identically. Fix the query pipeline, or ${REBUILD}.`);
  }
  const file = path.join(dir, INDEX_FILE);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing though ${METADATA_FILE} is there: ${REBUILD}.`);
  const bytes = meta.kind === "exact" ? await fs.promises.readFile(file) : undefined;
  const actual = bytes ? sha256Hex(bytes) : await sha256File(file);
  if (actual !== meta.sha256) {
    throw new Error(`${file} is corrupt or was changed after it was saved (sha256 ${actual.slice(0, 12)}… but ${METADATA_FILE} records ${meta.sha256.slice(0, 12)}…): ${REBUILD}.`);
  }
  return bytes ? ExactIndex.restore(meta, bytes) : HnswIndex.restore(meta, file);
}
