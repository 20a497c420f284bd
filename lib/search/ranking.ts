// Offline ranking metrics for retrieval: a ranked list of gallery ids per query, judged against the
// ids that are relevant to that query (binary) or against graded relevance (nDCG).
//
// Conventions (stated because libraries differ):
// - A list shorter than k counts the missing positions as irrelevant (Precision@k divides by k).
// - AP@k divides by min(k, number of relevant items), so a perfect top-k scores 1 even when
//   more than k items are relevant.
// - nDCG uses gain/log2(position + 1) with linear gain by default (rel), or 2^rel − 1.
// - A query with no relevant items has undefined recall/AP/nDCG: that is an error, not a 0.

/** The ids relevant to one query. */
export type Relevant = ReadonlySet<number> | readonly number[];
/** One query's ranked result ids, best first. */
export type Ranking = readonly number[];

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive whole number, got ${k}.`);
}

function asSet(relevant: Relevant): ReadonlySet<number> {
  return relevant instanceof Set ? relevant : new Set(relevant as readonly number[]);
}

/** The first k ids; a repeated id would be counted twice, so it is an error. */
function topOf(ranked: Ranking, k: number): Ranking {
  checkK(k);
  const top = ranked.slice(0, k);
  if (new Set(top).size !== top.length) {
    const seen = new Set<number>();
    const dup = top.find((id) => (seen.has(id) ? true : (seen.add(id), false)));
    throw new Error(`The ranked list contains id ${dup} more than once: each result must appear once (de-duplicate before scoring).`);
  }
  return top;
}

function needRelevant(count: number, metric: string): void {
  if (count === 0) throw new Error(`${metric} is undefined for a query with no relevant items: leave such queries out of the evaluation.`);
}

/** Fraction of the first k results that are relevant. */
export function precisionAtK(ranked: Ranking, relevant: Relevant, k: number): number {
  const rel = asSet(relevant);
  return topOf(ranked, k).filter((id) => rel.has(id)).length / k;
}

/** Fraction of all relevant items that appear in the first k results. */
export function recallAtK(ranked: Ranking, relevant: Relevant, k: number): number {
  const rel = asSet(relevant);
  needRelevant(rel.size, "Recall@k");
  return topOf(ranked, k).filter((id) => rel.has(id)).length / rel.size;
}

/** Mean of Precision@i over the positions i ≤ k that hold a relevant item, divided by min(k, #relevant). */
export function averagePrecisionAtK(ranked: Ranking, relevant: Relevant, k: number): number {
  const rel = asSet(relevant);
  needRelevant(rel.size, "AP@k");
  let hits = 0;
  let sum = 0;
  topOf(ranked, k).forEach((id, i) => {
    if (rel.has(id)) sum += ++hits / (i + 1);
  });
  return sum / Math.min(k, rel.size);
}

/** 1 / rank of the first relevant result (within the first k, if given); 0 when none. */
export function reciprocalRank(ranked: Ranking, relevant: Relevant, k: number = ranked.length): number {
  const rel = asSet(relevant);
  const top = ranked.length === 0 ? ranked : topOf(ranked, Math.max(1, k));
  const first = top.findIndex((id) => rel.has(id));
  return first < 0 ? 0 : 1 / (first + 1);
}

export type Gain = "linear" | "exponential";

/**
 * Normalised discounted cumulative gain at k with graded relevance: `gains` maps an id to its
 * relevance grade (missing = 0). The ideal ranking sorts all graded items by grade.
 */
export function ndcgAtK(ranked: Ranking, gains: ReadonlyMap<number, number> | Relevant, k: number, gain: Gain = "linear"): number {
  const grades = gains instanceof Map ? (gains as ReadonlyMap<number, number>) : new Map(Array.from(asSet(gains as Relevant), (id) => [id, 1] as const));
  const g = (grade: number): number => {
    if (!Number.isFinite(grade) || grade < 0) throw new Error(`Relevance grades must be finite and ≥ 0, got ${grade}.`);
    return gain === "linear" ? grade : 2 ** grade - 1;
  };
  const dcg = (values: readonly number[]): number => values.reduce((sum, v, i) => sum + g(v) / Math.log2(i + 2), 0);
  const ideal = dcg(Array.from(grades.values()).sort((a, b) => b - a).slice(0, k));
  needRelevant(ideal > 0 ? 1 : 0, "nDCG@k");
  return dcg(topOf(ranked, k).map((id) => grades.get(id) ?? 0)) / ideal;
}

/** Averages a per-query metric; rankings and relevance lists must line up. */
function meanOver<R>(rankings: readonly Ranking[], judgements: readonly R[], metric: (ranked: Ranking, judged: R) => number): number {
  if (rankings.length !== judgements.length) throw new Error(`Got ${rankings.length} rankings but ${judgements.length} relevance lists: give one per query.`);
  if (rankings.length === 0) throw new Error("No queries to average over.");
  return rankings.reduce((sum, ranked, i) => sum + metric(ranked, judgements[i]), 0) / rankings.length;
}

export function meanPrecisionAtK(rankings: readonly Ranking[], relevant: readonly Relevant[], k: number): number {
  return meanOver(rankings, relevant, (r, rel) => precisionAtK(r, rel, k));
}

export function meanRecallAtK(rankings: readonly Ranking[], relevant: readonly Relevant[], k: number): number {
  return meanOver(rankings, relevant, (r, rel) => recallAtK(r, rel, k));
}

/** mAP@k: AP@k averaged over queries. */
export function meanAveragePrecisionAtK(rankings: readonly Ranking[], relevant: readonly Relevant[], k: number): number {
  return meanOver(rankings, relevant, (r, rel) => averagePrecisionAtK(r, rel, k));
}

/** MRR: reciprocal rank averaged over queries. */
export function meanReciprocalRank(rankings: readonly Ranking[], relevant: readonly Relevant[], k?: number): number {
  return meanOver(rankings, relevant, (r, rel) => reciprocalRank(r, rel, k ?? r.length));
}

export function meanNdcgAtK(rankings: readonly Ranking[], gains: readonly (ReadonlyMap<number, number> | Relevant)[], k: number, gain: Gain = "linear"): number {
  return meanOver(rankings, gains, (r, g) => ndcgAtK(r, g, k, gain));
}

/**
 * ANN recall@k: the share of the exact top-k that the approximate search also returned, averaged
 * over queries. When several items tie at the k-th exact score, an ANN that returns another of
 * them is counted as a miss, so this can sit a hair below 1 on data with duplicates.
 */
export function annRecallAtK(approx: readonly Ranking[], exact: readonly Ranking[], k: number): number {
  checkK(k);
  return meanOver(approx, exact, (a, e) => {
    const truth = new Set(e.slice(0, k));
    needRelevant(truth.size, "ANN recall");
    return topOf(a, k).filter((id) => truth.has(id)).length / truth.size;
  });
}

export interface LabelRetrievalMetrics {
  precisionAtK: number;
  recallAtK: number;
  mapAtK: number;
  mrr: number;
  ndcgAtK: number;
}

/**
 * All the metrics above for "relevant = same class as the query", the usual offline evaluation of
 * an image search on a labelled gallery. `rankings` hold gallery indices. With `excludeSelf`
 * (query i is gallery item i, or each query's gallery index, −1 for none) the query's own copy is
 * not counted as a relevant item to find.
 */
export function labelRetrievalMetrics(
  rankings: readonly Ranking[],
  queryLabels: ArrayLike<number>,
  galleryLabels: ArrayLike<number>,
  k: number,
  options: { excludeSelf?: boolean | ArrayLike<number> } = {},
): LabelRetrievalMetrics {
  if (rankings.length !== queryLabels.length) throw new Error(`Got ${rankings.length} rankings but ${queryLabels.length} query labels: give one per query.`);
  const { excludeSelf } = options;
  const relevant = rankings.map((_, i) => {
    const self = excludeSelf === true ? i : excludeSelf ? excludeSelf[i] : -1;
    const rel = new Set<number>();
    for (let j = 0; j < galleryLabels.length; j++) if (galleryLabels[j] === queryLabels[i] && j !== self) rel.add(j);
    return rel;
  });
  return {
    precisionAtK: meanPrecisionAtK(rankings, relevant, k),
    recallAtK: meanRecallAtK(rankings, relevant, k),
    mapAtK: meanAveragePrecisionAtK(rankings, relevant, k),
    mrr: meanReciprocalRank(rankings, relevant, k),
    ndcgAtK: meanNdcgAtK(rankings, relevant, k),
  };
}
