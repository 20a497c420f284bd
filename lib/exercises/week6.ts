import { ExactIndex, type VectorIndex } from "../search/vector_index";
import { ExerciseError, passed } from "./feedback";

const PRECISION = "Exercise 2 (Precision@k)";
const TOPK = "Exercise 1 (top-K with the index)";

/** Checks precisionAtK(ranked, relevant, k) on rankings with known answers. */
export function checkPrecisionAtK(precisionAtK: (ranked: number[], relevant: Set<number>, k: number) => number): void {
  const relevant = new Set([3, 1, 8]);
  const cases: { ranked: number[]; k: number; expected: number; what: string; hint: string }[] = [
    { ranked: [7, 3, 9, 1, 5], k: 5, expected: 2 / 5, what: "ranked [7, 3, 9, 1, 5], k = 5", hint: "count the relevant ids among the first k (3 and 1) and divide by k" },
    { ranked: [7, 3, 9, 1, 5], k: 2, expected: 1 / 2, what: "ranked [7, 3, 9, 1, 5], k = 2", hint: "look only at the first k results: ranked.slice(0, k)" },
    { ranked: [3, 1], k: 4, expected: 2 / 4, what: "a list of 2 results with k = 4", hint: "divide by k, not by the list's length: missing results count as misses" },
    { ranked: [7, 9, 5], k: 3, expected: 0, what: "no relevant result", hint: "0 relevant of 3 is 0" },
    { ranked: [8, 3, 1, 7], k: 3, expected: 1, what: "ranked [8, 3, 1, 7], k = 3", hint: "all of the first 3 are relevant" },
  ];
  for (const c of cases) {
    const got = precisionAtK([...c.ranked], new Set(relevant), c.k);
    if (typeof got !== "number") throw new ExerciseError(PRECISION, `precisionAtK returned ${typeof got}; return a plain number.`);
    if (!(Math.abs(got - c.expected) < 1e-9)) {
      if (Math.abs(got - c.expected * c.k) < 1e-9) throw new ExerciseError(PRECISION, `for ${c.what} it returned ${got}, the count of relevant results: divide it by k.`);
      throw new ExerciseError(PRECISION, `for ${c.what} it returned ${got}, expected ${c.expected}: ${c.hint}.`);
    }
  }
  passed(PRECISION, "the share of the first k results that are relevant, with missing results counted as misses.");
}

/**
 * Checks topKWithIndex(index, query, k, selfId): the k nearest gallery ids to `query`, best first,
 * never `selfId` (the query's own copy in the gallery).
 */
export function checkIndexTopK(topKWithIndex: (index: VectorIndex, query: Float32Array, k: number, selfId: number) => number[]): void {
  // Six 2-d points on the unit circle at known angles: the nearest to angle 0 are in id order 0, 1, 2…
  const angles = [0, 10, 25, 45, 70, 100];
  const index = new ExactIndex({ dim: 2, modelId: "exercise", preprocessingId: "exercise" });
  index.add(angles.map((a) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)]));
  const query = Float32Array.from([1, 0]);
  const got = topKWithIndex(index, query, 3, 0);
  if (!Array.isArray(got)) {
    throw new ExerciseError(TOPK, `it returned ${got === undefined ? "undefined (did you forget `return`?)" : typeof got}; return the ids as an array, e.g. hits.ids.`);
  }
  if (got.includes(0)) {
    throw new ExerciseError(TOPK, `the result [${got.join(", ")}] contains the query's own id 0: pass a filter to index.search, e.g. (id) => id !== selfId.`);
  }
  if (got.length !== 3) {
    throw new ExerciseError(TOPK, `asked for k = 3 it returned ${got.length} ids ([${got.join(", ")}]); return exactly k results.`);
  }
  if (got.join() !== "1,2,3") {
    throw new ExerciseError(TOPK, `it returned [${got.join(", ")}], expected [1, 2, 3] (most similar first): return index.search(...).ids in the order the index gives them.`);
  }
  const fromMiddle = topKWithIndex(index, Float32Array.from([Math.cos(Math.PI / 4), Math.sin(Math.PI / 4)]), 2, 3);
  if (!Array.isArray(fromMiddle) || fromMiddle.join() !== "2,4") {
    throw new ExerciseError(TOPK, `for the query at 45° (id 3) with k = 2 it returned [${String(fromMiddle)}], expected [2, 4]: use the query, k and selfId you are given, not fixed values.`);
  }
  passed(TOPK, "the index's k nearest ids, best first, without the query itself.");
}
