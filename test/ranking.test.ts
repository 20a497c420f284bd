import { test } from "node:test";
import assert from "node:assert/strict";
import {
  annRecallAtK,
  averagePrecisionAtK,
  labelRetrievalMetrics,
  meanAveragePrecisionAtK,
  meanReciprocalRank,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  reciprocalRank,
} from "../lib/search/ranking";

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

// One query throughout: ranked = [7, 3, 9, 1, 5], relevant = {3, 1, 8}
//   position: 1  2  3  4  5
//   relevant: n  Y  n  Y  n      (8 is never retrieved)
const ranked = [7, 3, 9, 1, 5];
const relevant = new Set([3, 1, 8]);

test("Precision@k and Recall@k", () => {
  close(precisionAtK(ranked, relevant, 1), 0); // 0 of 1
  close(precisionAtK(ranked, relevant, 2), 1 / 2); // {3}
  close(precisionAtK(ranked, relevant, 5), 2 / 5); // {3, 1}
  close(precisionAtK(ranked.slice(0, 2), relevant, 4), 1 / 4); // missing positions count as misses
  close(recallAtK(ranked, relevant, 2), 1 / 3); // 1 of the 3 relevant
  close(recallAtK(ranked, [3, 1, 8], 5), 2 / 3); // arrays work as well as sets
  assert.throws(() => recallAtK(ranked, [], 3), /undefined for a query with no relevant items/);
  assert.throws(() => precisionAtK([1, 2, 1], relevant, 3), /id 1 more than once/);
});

test("AP@k and mAP@k", () => {
  // Hits at 2 and 4: P@2 = 1/2, P@4 = 2/4. AP@5 = (1/2 + 1/2) / min(5, 3) = 1/3.
  close(averagePrecisionAtK(ranked, relevant, 5), 1 / 3);
  // AP@3: one hit (at 2, P = 1/2) over min(3, 3) = 3 → 1/6.
  close(averagePrecisionAtK(ranked, relevant, 3), 1 / 6);
  // A perfect top 2 with 3 relevant: (1/1 + 2/2) / min(2, 3) = 1.
  close(averagePrecisionAtK([3, 1, 7], relevant, 2), 1);
  // mAP@5 over this query (1/3) and a second, [8, 2] with {8}: AP = 1 → (1/3 + 1) / 2 = 2/3.
  close(meanAveragePrecisionAtK([ranked, [8, 2]], [relevant, [8]], 5), 2 / 3);
  assert.throws(() => meanAveragePrecisionAtK([ranked], [relevant, relevant], 5), /1 rankings but 2 relevance lists/);
});

test("reciprocal rank and MRR", () => {
  close(reciprocalRank(ranked, relevant), 1 / 2); // first hit at 2
  close(reciprocalRank([7, 9, 5], relevant), 0); // no hit
  close(reciprocalRank(ranked, [1], 3), 0); // the hit at 4 is beyond k = 3
  // (1/2 + 1/1 + 0) / 3 = 1/2
  close(meanReciprocalRank([ranked, [1, 2], [4]], [relevant, relevant, relevant]), 1 / 2);
});

test("nDCG@k with graded and binary relevance", () => {
  // Grades: 3 → 3, 1 → 2, 8 → 1 (others 0). Ranked [7, 3, 9, 1, 5] has grades [0, 3, 0, 2, 0].
  // DCG@5 = 3/log2(3) + 2/log2(5) = 1.892789 + 0.861353 = 2.754142
  // Ideal [3, 2, 1]: IDCG@5 = 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.261860 + 0.5 = 4.761860
  const grades = new Map([[3, 3], [1, 2], [8, 1]]);
  close(ndcgAtK(ranked, grades, 5), (3 / Math.log2(3) + 2 / Math.log2(5)) / (3 + 2 / Math.log2(3) + 1 / 2));
  assert.ok(Math.abs(ndcgAtK(ranked, grades, 5) - 2.754142 / 4.76186) < 1e-6);
  // Exponential gain 2^g − 1: grades become 7, 3, 1. DCG = 7/log2(3) + 3/log2(5); IDCG = 7 + 3/log2(3) + 1/2.
  close(ndcgAtK(ranked, grades, 5, "exponential"), (7 / Math.log2(3) + 3 / Math.log2(5)) / (7 + 3 / Math.log2(3) + 0.5));
  // Binary (a set): DCG = 1/log2(3) + 1/log2(5); IDCG@5 over 3 relevant = 1 + 1/log2(3) + 1/2.
  close(ndcgAtK(ranked, relevant, 5), (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3) + 0.5));
  close(ndcgAtK([3, 1, 8], grades, 3), 1); // ideal order
  assert.throws(() => ndcgAtK(ranked, new Map([[3, 0]]), 5), /nDCG@k is undefined/);
});

test("ANN recall@k against exact results", () => {
  // Query 1: exact top-3 {1, 2, 3}, ANN found {1, 3, 9} → 2/3. Query 2: identical → 1. Mean 5/6.
  close(annRecallAtK([[1, 3, 9], [4, 5, 6]], [[1, 2, 3], [6, 5, 4]], 3), 5 / 6);
  // Only the first k of each list count: exact top-2 {1, 2}, ANN top-2 {2, 7} → 1/2.
  close(annRecallAtK([[2, 7, 1]], [[1, 2, 3]], 2), 1 / 2);
});

test("label-based retrieval metrics, with and without the query's own copy", () => {
  // Gallery labels [0, 0, 1, 0, 1]; query = gallery item 0 (label 0), ranked [0, 3, 2, 1, 4].
  // Without exclusion relevant = {0, 1, 3}: P@3 = 2/3 (0, 3), R@3 = 2/3, AP@3 = (1 + 1)/3 = 2/3, RR = 1.
  // Excluding itself (it should not be ranked either): ranked [3, 2, 1, 4], relevant {1, 3}:
  //   hits at 1 and 3 → P@3 = 2/3, R@3 = 1, AP@3 = (1/1 + 2/3)/2 = 5/6, RR = 1,
  //   nDCG@3 = (1 + 1/log2(4)) / (1 + 1/log2(3)).
  const labels = [0, 0, 1, 0, 1];
  const plain = labelRetrievalMetrics([[0, 3, 2, 1, 4]], [0], labels, 3);
  close(plain.precisionAtK, 2 / 3);
  close(plain.recallAtK, 2 / 3);
  close(plain.mapAtK, 2 / 3);
  const loo = labelRetrievalMetrics([[3, 2, 1, 4]], [0], labels, 3, { excludeSelf: true });
  close(loo.precisionAtK, 2 / 3);
  close(loo.recallAtK, 1);
  close(loo.mapAtK, 5 / 6);
  close(loo.mrr, 1);
  close(loo.ndcgAtK, (1 + 1 / 2) / (1 + 1 / Math.log2(3)));
});
