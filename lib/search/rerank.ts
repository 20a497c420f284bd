// Re-ranking: the stage after nearest-neighbour retrieval that turns "the most similar vectors" into
// the list a user sees: business filters (only in-stock items, only one category) and removal of
// near-duplicates (the same photo uploaded five times should take one slot, not five).
// Retrieval over-fetches so that enough results survive.
import { cosineSimilarity } from "./similarity";
import type { SearchHits, VectorIndex } from "./vector_index";

export interface Removed {
  id: number;
  /** The better-ranked result (or -1: the query itself) it duplicates. */
  duplicateOf: number;
  similarity: number;
}

/**
 * Keeps a result only if its cosine similarity to every result kept before it (and, with `query`,
 * to the query) is below `threshold`. Order and scores are unchanged otherwise.
 */
export function removeNearDuplicates(
  hits: SearchHits,
  vectorOf: (id: number) => ArrayLike<number>,
  options: { threshold?: number; query?: ArrayLike<number> } = {},
): SearchHits & { removed: Removed[] } {
  const { threshold = 0.95, query } = options;
  if (!(threshold > -1 && threshold <= 1)) throw new Error(`threshold is a cosine similarity in (−1, 1], got ${threshold} (0.95 is a usual start).`);
  const kept: SearchHits = { ids: [], scores: [] };
  const keptVectors: ArrayLike<number>[] = [];
  const removed: Removed[] = [];
  hits.ids.forEach((id, i) => {
    const v = vectorOf(id);
    const againstQuery = query ? cosineSimilarity(v, query) : -Infinity;
    if (againstQuery >= threshold) {
      removed.push({ id, duplicateOf: -1, similarity: againstQuery });
      return;
    }
    for (let j = 0; j < keptVectors.length; j++) {
      const s = cosineSimilarity(v, keptVectors[j]);
      if (s >= threshold) {
        removed.push({ id, duplicateOf: kept.ids[j], similarity: s });
        return;
      }
    }
    kept.ids.push(id);
    kept.scores.push(hits.scores[i]);
    keptVectors.push(v);
  });
  return { ...kept, removed };
}

export interface RerankOptions {
  /** Business rule: false drops the id (runs inside the index search, so it costs no extra results). */
  filter?: (id: number) => boolean;
  /** Near-duplicate removal: the vector of a gallery id and the cosine threshold. */
  dedupe?: { vectorOf: (id: number) => ArrayLike<number>; threshold?: number };
  /** Candidates fetched per result wanted, so k survive the de-duplication (default 3). */
  overFetch?: number;
}

/** Retrieval (with the filter), then near-duplicate removal, then the top k. */
export function searchAndRerank(index: VectorIndex, query: Float32Array | readonly number[], k: number, options: RerankOptions = {}): SearchHits & { removed: Removed[] } {
  const { filter, dedupe, overFetch = 3 } = options;
  if (!(Number.isInteger(overFetch) && overFetch >= 1)) throw new Error(`overFetch must be a whole number ≥ 1, got ${overFetch}.`);
  const candidates = index.search(query, dedupe ? k * overFetch : k, filter);
  const result = dedupe ? removeNearDuplicates(candidates, dedupe.vectorOf, { threshold: dedupe.threshold, query }) : { ...candidates, removed: [] };
  return { ids: result.ids.slice(0, k), scores: result.scores.slice(0, k), removed: result.removed };
}
