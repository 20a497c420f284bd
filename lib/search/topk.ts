// Exact top-K over score matrices, with ties broken the same way every time (equal scores → the
// lower gallery index first), plus kNN classification on top of it.
//
// tf.topk would be faster to call but does not promise a tie order, and duplicate images give
// exactly equal scores, so rankings (and metrics) would wobble between runs or backends. A bounded
// heap over each row's Float32Array is O(n log k) and takes a few ms for n = 100k.
import { tf } from "../tf";
import { asMatrix, cosineSimilarity, l2Normalize, type Matrix, type Vector } from "./similarity";

/** "higher": similarities (cosine, dot), best first. "lower": distances (Euclidean), nearest first. */
export type ScoreOrder = "higher" | "lower";

export interface TopKOptions {
  /** Default "higher" (similarities). */
  order?: ScoreOrder;
  /**
   * Leave-one-out: `true` when query row i is gallery row i (the gallery searched with itself);
   * or each query's gallery index (−1 for none) when the queries are some of the gallery rows.
   */
  excludeSelf?: boolean | ArrayLike<number>;
}

export interface TopK {
  /** Per query: gallery indices, best first. */
  indices: number[][];
  /** Per query: the matching scores. */
  scores: number[][];
}

/**
 * The k best gallery indices of one row of scores. `skip(j)` drops candidate j (self-exclusion,
 * filters). Fewer than k come back only when fewer than k candidates survive `skip`.
 */
export function topKRow(row: ArrayLike<number>, k: number, order: ScoreOrder = "higher", skip?: (j: number) => boolean): { indices: number[]; scores: number[] } {
  checkK(k);
  // Sign flip makes "lower is better" the same problem; it keeps exact ties exact.
  const sign = order === "higher" ? 1 : -1;
  // heap[0] is the worst of the best k so far. Candidates arrive in index order, so one that merely
  // ties the worst has a higher index and loses: `<=` is the stable tie-break and the fast path.
  const heapIdx = new Int32Array(k);
  const heapVal = new Float64Array(k);
  let size = 0;
  for (let j = 0; j < row.length; j++) {
    const v = sign * row[j];
    if (Number.isNaN(v)) throw new Error(`Score at gallery index ${j} is NaN: an embedding is broken (NaN or a zero vector under cosine).`);
    if (size === k && v <= heapVal[0]) continue;
    if (skip && skip(j)) continue;
    if (size < k) {
      heapIdx[size] = j;
      heapVal[size] = v;
      siftUp(heapIdx, heapVal, size++);
    } else {
      heapIdx[0] = j;
      heapVal[0] = v;
      siftDown(heapIdx, heapVal, size);
    }
  }
  const order_ = Array.from({ length: size }, (_, i) => i).sort((a, b) => heapVal[b] - heapVal[a] || heapIdx[a] - heapIdx[b]);
  return { indices: order_.map((i) => heapIdx[i]), scores: order_.map((i) => sign * heapVal[i]) };
}

/** "a is worse than b": lower value, or the same value and a higher index. */
function worse(idx: Int32Array, val: Float64Array, a: number, b: number): boolean {
  return val[a] < val[b] || (val[a] === val[b] && idx[a] > idx[b]);
}

function swap(idx: Int32Array, val: Float64Array, a: number, b: number): void {
  const i = idx[a];
  idx[a] = idx[b];
  idx[b] = i;
  const v = val[a];
  val[a] = val[b];
  val[b] = v;
}

function siftUp(idx: Int32Array, val: Float64Array, i: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worse(idx, val, i, parent)) return;
    swap(idx, val, i, parent);
    i = parent;
  }
}

function siftDown(idx: Int32Array, val: Float64Array, size: number): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let w = i;
    if (l < size && worse(idx, val, l, w)) w = l;
    if (r < size && worse(idx, val, r, w)) w = r;
    if (w === i) return;
    swap(idx, val, i, w);
    i = w;
  }
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive whole number, got ${k}.`);
}

function selfIndexOf(excludeSelf: TopKOptions["excludeSelf"], row: number): number {
  if (excludeSelf === true) return row;
  if (!excludeSelf) return -1;
  return excludeSelf[row];
}

/**
 * Exact top-K of every row of a [q, n] score matrix (e.g. from cosineMatrix or euclideanMatrix).
 * Equal scores keep the lower gallery index first, so results are reproducible.
 */
export function topK(scores: tf.Tensor2D, k: number, options: TopKOptions = {}): TopK {
  checkK(k);
  if (scores.rank !== 2) throw new Error(`topK needs a [queries, gallery] score matrix, got shape [${scores.shape.join(", ")}].`);
  const [q, n] = scores.shape;
  const { order = "higher", excludeSelf } = options;
  if (typeof excludeSelf === "object" && excludeSelf.length !== q) {
    throw new Error(`excludeSelf lists ${excludeSelf.length} gallery indices but there are ${q} queries: give one per query (−1 for none).`);
  }
  if (excludeSelf === true && q > n) throw new Error(`excludeSelf: true means query i is gallery item i, but there are ${q} queries and only ${n} gallery items.`);
  const excludes = excludeSelf === true || (typeof excludeSelf === "object" && Array.prototype.some.call(excludeSelf, (s: number) => s >= 0));
  const available = excludes ? n - 1 : n;
  if (k > available) throw new Error(`k = ${k} but only ${available} gallery items can be returned${excludes ? " (the query itself is excluded)" : ""}: use a smaller k.`);
  const values = scores.dataSync();
  const result: TopK = { indices: [], scores: [] };
  for (let i = 0; i < q; i++) {
    const self = selfIndexOf(excludeSelf, i);
    const best = topKRow(values.subarray(i * n, (i + 1) * n), k, order, self >= 0 ? (j) => j === self : undefined);
    result.indices.push(best.indices);
    result.scores.push(best.scores);
  }
  return result;
}

/**
 * The guide's §22 pseudocode, line by line: score every gallery embedding against the query with
 * cosine similarity in a plain loop, sort, keep the first k. Slow on purpose (it is the baseline
 * the vectorised search is compared with); Array.prototype.sort is stable, so ties keep the lower
 * index first, exactly as `topK` does.
 */
export function topKLoop(queryEmbedding: Vector, databaseEmbeddings: readonly Vector[], k: number): { ids: number[]; scores: number[] } {
  checkK(k);
  const scores: [number, number][] = [];
  for (let imageId = 0; imageId < databaseEmbeddings.length; imageId++) {
    const score = cosineSimilarity(queryEmbedding, databaseEmbeddings[imageId]);
    scores.push([imageId, score]);
  }
  const topResults = scores.sort((a, b) => b[1] - a[1]).slice(0, k);
  return { ids: topResults.map((r) => r[0]), scores: topResults.map((r) => r[1]) };
}

/** Cosine top-K of query rows against gallery rows, a block of queries at a time so memory stays flat. */
export function cosineTopK(query: Matrix, gallery: Matrix, k: number, options: { excludeSelf?: TopKOptions["excludeSelf"]; blockSize?: number } = {}): TopK {
  const { excludeSelf } = options;
  // Normalised once up front, so each block is a bare matMul.
  const [q, g] = tf.tidy(() => {
    const qm = asMatrix(query, "query");
    const gm = asMatrix(gallery, "gallery");
    if (qm.shape[1] !== gm.shape[1]) {
      throw new Error(`Dimension mismatch: query embeddings have dim ${qm.shape[1]} but gallery embeddings have dim ${gm.shape[1]}. Embed both with the same model (and layer).`);
    }
    // The gallery is kept transposed ([d, n]): see matMulTransposeB for why.
    return [l2Normalize(qm, "query"), tf.transpose(l2Normalize(gm, "gallery"))];
  });
  try {
    const count = q.shape[0];
    if (typeof excludeSelf === "object" && excludeSelf.length !== count) {
      throw new Error(`excludeSelf lists ${excludeSelf.length} gallery indices but there are ${count} queries: give one per query (−1 for none).`);
    }
    const n = g.shape[1];
    if (excludeSelf === true && count > n) {
      throw new Error(`excludeSelf: true means query i is gallery item i, but there are ${count} queries and only ${n} gallery items.`);
    }
    // ~4M scores per block (16 MB) whatever the gallery size.
    const block = options.blockSize ?? Math.max(1, Math.floor(4_000_000 / n));
    const result: TopK = { indices: [], scores: [] };
    for (let start = 0; start < count; start += block) {
      const size = Math.min(block, count - start);
      const selves = excludeSelf ? Array.from({ length: size }, (_, i) => selfIndexOf(excludeSelf, start + i)) : undefined;
      const scores = tf.tidy(() => tf.matMul(q.slice([start, 0], [size, -1]), g) as tf.Tensor2D);
      try {
        const part = topK(scores, k, { order: "higher", excludeSelf: selves });
        for (let i = 0; i < size; i++) {
          result.indices.push(part.indices[i]);
          result.scores.push(part.scores[i]);
        }
      } finally {
        scores.dispose();
      }
    }
    return result;
  } finally {
    q.dispose();
    g.dispose();
  }
}

/**
 * The most common label among `neighbourLabels` (ordered nearest first). A tie goes to the tied
 * label whose first vote came earliest, i.e. the one with the nearer neighbour: deterministic,
 * and it degrades gracefully to 1-NN.
 */
export function majorityVote(neighbourLabels: ArrayLike<number>): number {
  if (neighbourLabels.length === 0) throw new Error("majorityVote needs at least one neighbour label.");
  const counts = new Map<number, number>();
  let most = 0;
  for (let i = 0; i < neighbourLabels.length; i++) {
    const c = (counts.get(neighbourLabels[i]) ?? 0) + 1;
    counts.set(neighbourLabels[i], c);
    most = Math.max(most, c);
  }
  // Scanning nearest first, the first label with the top count is the tied label with the nearest neighbour.
  for (let i = 0; ; i++) if (counts.get(neighbourLabels[i]) === most) return neighbourLabels[i];
}

export interface KnnResult {
  /** Fraction of queries whose predicted label equals the true one. */
  accuracy: number;
  correct: number;
  /** The predicted label of each query. */
  predictions: number[];
}

/**
 * kNN classification by cosine similarity: each query takes the majority label of its k nearest
 * gallery embeddings (ties → see majorityVote). With `excludeSelf`, the query's own gallery entry
 * is not its own neighbour (leave-one-out, for a gallery evaluated against itself).
 */
export function knnAccuracy(
  queryEmb: Matrix,
  queryLabels: ArrayLike<number>,
  galleryEmb: Matrix,
  galleryLabels: ArrayLike<number>,
  k: number,
  options: { excludeSelf?: TopKOptions["excludeSelf"] } = {},
): KnnResult {
  const queries = queryEmb instanceof tf.Tensor ? queryEmb.shape[0] : queryEmb.length;
  const gallery = galleryEmb instanceof tf.Tensor ? galleryEmb.shape[0] : galleryEmb.length;
  if (queryLabels.length !== queries) throw new Error(`There are ${queries} query embeddings but ${queryLabels.length} query labels: they must line up one to one.`);
  if (galleryLabels.length !== gallery) throw new Error(`There are ${gallery} gallery embeddings but ${galleryLabels.length} gallery labels: they must line up one to one.`);
  const { indices } = cosineTopK(queryEmb, galleryEmb, k, { excludeSelf: options.excludeSelf });
  const predictions = indices.map((row) => majorityVote(row.map((j) => galleryLabels[j])));
  const correct = predictions.reduce((sum, p, i) => sum + (p === queryLabels[i] ? 1 : 0), 0);
  return { accuracy: correct / queries, correct, predictions };
}
