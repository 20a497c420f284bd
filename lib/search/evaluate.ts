// Offline evaluation of an embedding for search, on a labelled gallery: (1) "same class = relevant"
// ranking metrics with leave-one-out queries, (2) the rank at which a known original comes back
// when the query is a changed view of it (crop, mirror, colours).
import type { Embeddings } from "../embeddings/extract";
import { tf } from "../tf";
import { labelRetrievalMetrics, type LabelRetrievalMetrics } from "./ranking";
import { l2Normalize } from "./similarity";
import { cosineTopK } from "./topk";

function asTensor(e: Embeddings, what: string): tf.Tensor2D {
  if (e.data.length !== e.count * e.dim) throw new Error(`${what}: ${e.data.length} values do not make ${e.count} rows of dim ${e.dim}.`);
  return tf.tensor2d(e.data, [e.count, e.dim]);
}

/**
 * Ranking metrics at k for `queries` (gallery indices), each searched against the whole gallery
 * except itself, with "same label" as relevance: how a search engine built on these embeddings
 * would score if users wanted images of the same class.
 */
export function evaluateRetrieval(gallery: Embeddings, labels: ArrayLike<number>, queries: ArrayLike<number>, k = 10): LabelRetrievalMetrics {
  if (labels.length !== gallery.count) throw new Error(`evaluateRetrieval: ${gallery.count} embeddings but ${labels.length} labels.`);
  const ids = Array.from(queries);
  for (const i of ids) if (!(Number.isInteger(i) && i >= 0 && i < gallery.count)) throw new Error(`evaluateRetrieval: query ${i} is not a gallery index 0..${gallery.count - 1}.`);
  const g = asTensor(gallery, "gallery");
  const q = tf.gather(g, ids) as tf.Tensor2D;
  let indices: number[][];
  try {
    indices = cosineTopK(q, g, k, { excludeSelf: ids }).indices;
  } finally {
    tf.dispose([g, q]);
  }
  return labelRetrievalMetrics(indices, ids.map((i) => labels[i]), labels, k, { excludeSelf: ids });
}

/**
 * For each query, the rank (1 = first) of its original `targets[i]` among all gallery items by
 * cosine similarity. A tie with another item counts against the original (pessimistic).
 */
export function rankOfTargets(queries: Embeddings, gallery: Embeddings, targets: ArrayLike<number>): Int32Array {
  if (queries.dim !== gallery.dim) throw new Error(`rankOfTargets: queries have dim ${queries.dim} but the gallery has dim ${gallery.dim}: embed both with the same model.`);
  if (targets.length !== queries.count) throw new Error(`rankOfTargets: ${queries.count} queries but ${targets.length} targets.`);
  const ranks = new Int32Array(queries.count);
  const n = gallery.count;
  const block = Math.max(1, Math.floor(4_000_000 / n));
  const g = tf.tidy(() => tf.transpose(l2Normalize(asTensor(gallery, "gallery"), "gallery")));
  const q = tf.tidy(() => l2Normalize(asTensor(queries, "queries"), "queries"));
  try {
    for (let start = 0; start < queries.count; start += block) {
      const size = Math.min(block, queries.count - start);
      const scores = tf.tidy(() => tf.matMul(q.slice([start, 0], [size, -1]), g));
      const values = scores.dataSync();
      scores.dispose();
      for (let i = 0; i < size; i++) {
        const target = targets[start + i];
        if (!(Number.isInteger(target) && target >= 0 && target < n)) throw new Error(`rankOfTargets: target ${target} is not a gallery index 0..${n - 1}.`);
        const row = values.subarray(i * n, (i + 1) * n);
        const own = row[target];
        let better = 0;
        for (let j = 0; j < n; j++) if (j !== target && row[j] >= own) better++;
        ranks[start + i] = better + 1;
      }
    }
  } finally {
    tf.dispose([g, q]);
  }
  return ranks;
}

export interface RankSummary {
  /** Share of queries whose original came back first. */
  top1: number;
  /** Share within the first 10. */
  top10: number;
  median: number;
  /** Mean of 1/rank. */
  mrr: number;
}

export function summarizeRanks(ranks: ArrayLike<number>): RankSummary {
  if (ranks.length === 0) throw new Error("summarizeRanks: no ranks to summarise.");
  const sorted = Float64Array.from(ranks).sort();
  const share = (limit: number) => sorted.filter((r) => r <= limit).length / sorted.length;
  const mid = sorted.length >> 1;
  return {
    top1: share(1),
    top10: share(10),
    median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    mrr: sorted.reduce((s, r) => s + 1 / r, 0) / sorted.length,
  };
}
