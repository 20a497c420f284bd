// Exact vs HNSW on the same vectors: build time, per-query latency, throughput and recall@k
// against the exact results, for a list of ef values. Queries run one at a time (as a search
// service answers them); ExactIndex's batched throughput is reported separately because a
// matMul over many queries at once is a different, much cheaper workload per query.
import { performance } from "node:perf_hooks";
import { gaussian } from "../random";
import { annRecallAtK } from "./ranking";
import { ExactIndex, HnswIndex, type HnswParams, type Provenance, type SearchHits, type Vectors, type VectorIndex } from "./vector_index";

export interface BenchmarkRow {
  method: "exact" | "hnsw";
  /** HNSW search ef; null for exact. */
  ef: number | null;
  /** Time to add all vectors (exact: normalise and copy; HNSW: build the graph). */
  buildSeconds: number;
  p50Ms: number;
  p95Ms: number;
  /** Queries per second, one query at a time on one thread. */
  qps: number;
  /** Share of the exact top-k that this method returned (1 for exact). */
  recall: number;
}

export interface BenchmarkResult {
  rows: BenchmarkRow[];
  /** Exact search of all queries in one batched call: queries per second. */
  exactBatchQps: number;
  k: number;
  /** The built indexes, for further use (e.g. showing results); dispose `exact` when done. */
  exact: ExactIndex;
  hnsw: HnswIndex;
}

export interface BenchmarkOptions extends Partial<Omit<HnswParams, "ef">>, Partial<Provenance> {
  dim: number;
  /** Search ef values to measure (each ≥ 1; hnswlib searches with max(ef, k)). */
  efValues: readonly number[];
  /** Neighbours per query (default 10). */
  k?: number;
  /** Untimed queries run first so caches and JIT are warm (default 20). */
  warmup?: number;
}

/** Builds an ExactIndex and an HnswIndex on `vectors` and times `queries` on both. */
export function benchmarkSearch(vectors: Vectors, queries: Vectors, options: BenchmarkOptions): BenchmarkResult {
  const { dim, efValues, k = 10, warmup = 20, M, efConstruction, seed } = options;
  if (efValues.length === 0) throw new Error("efValues is empty: give the HNSW ef values to measure, e.g. [10, 20, 40, 80, 160].");
  const provenance = { modelId: options.modelId ?? "benchmark", preprocessingId: options.preprocessingId ?? "benchmark" };
  const queryRows = rowsOf(queries, dim);
  if (queryRows.length === 0) throw new Error("No queries: give at least one query vector to time.");
  const count = vectors instanceof Float32Array ? vectors.length / dim : vectors.length;

  const exact = new ExactIndex({ dim, ...provenance });
  const exactBuild = timed(() => exact.add(vectors));
  const hnsw = new HnswIndex({ dim, ...provenance, M, efConstruction, seed, capacity: Math.max(1, count) });
  const hnswBuild = timed(() => hnsw.add(vectors));

  const truth = exact.searchBatch(queries, k).map((h) => h.ids);
  const rows: BenchmarkRow[] = [measure(exact, queryRows, k, warmup, truth, "exact", null, exactBuild.seconds)];
  // Timed after the first batch, which also uploaded the gallery to the backend.
  const batch = timed(() => exact.searchBatch(queries, k));
  for (const ef of efValues) {
    hnsw.ef = ef;
    rows.push(measure(hnsw, queryRows, k, warmup, truth, "hnsw", ef, hnswBuild.seconds));
  }
  return { rows, exactBatchQps: queryRows.length / batch.seconds, k, exact, hnsw };
}

function measure(index: VectorIndex, queries: readonly (Float32Array | readonly number[])[], k: number, warmup: number, truth: number[][], method: BenchmarkRow["method"], ef: number | null, buildSeconds: number): BenchmarkRow {
  for (let i = 0; i < Math.min(warmup, queries.length); i++) index.search(queries[i], k);
  const latencies = new Float64Array(queries.length);
  const found: SearchHits[] = [];
  for (let i = 0; i < queries.length; i++) {
    const start = performance.now();
    found.push(index.search(queries[i], k));
    latencies[i] = performance.now() - start;
  }
  const total = latencies.reduce((a, b) => a + b, 0);
  latencies.sort();
  return {
    method,
    ef,
    buildSeconds,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    qps: (1000 * queries.length) / total,
    recall: annRecallAtK(found.map((h) => h.ids), truth, k),
  };
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function timed<T>(fn: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = fn();
  return { value, seconds: (performance.now() - start) / 1000 };
}

function rowsOf(vectors: Vectors, dim: number): (Float32Array | readonly number[])[] {
  if (!(vectors instanceof Float32Array)) return Array.from(vectors);
  if (vectors.length % dim !== 0) throw new Error(`queries: a flat Float32Array must hold whole vectors of dim ${dim}, but its length ${vectors.length} is not a multiple of ${dim}.`);
  return Array.from({ length: vectors.length / dim }, (_, i) => vectors.subarray(i * dim, (i + 1) * dim));
}

/**
 * Synthetic embeddings with neighbourhood structure: `count` vectors around `centres` random
 * centres (Gaussian, `spread` relative to the unit-variance centres), as real embeddings cluster
 * by content. Benchmark ANN on data like this, not on i.i.d. random vectors, whose nearest
 * neighbours are barely nearer than anything else, so every ANN method looks bad on them.
 * Returns the flat [count × dim] vectors and each vector's centre.
 */
export function clusteredVectors(count: number, dim: number, centres: number, options: { seed?: number; spread?: number } = {}): { vectors: Float32Array; labels: Int32Array } {
  const { seed = 1, spread = 0.3 } = options;
  // In JS rather than tf.randomNormal, which took ~2 s for 5k × 128 on the wasm backend.
  const normal = gaussian(seed);
  const centre = Float32Array.from({ length: centres * dim }, normal);
  const labels = Int32Array.from({ length: count }, (_, i) => i % centres);
  const vectors = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) vectors[i * dim + j] = centre[labels[i] * dim + j] + spread * normal();
  }
  return { vectors, labels };
}
