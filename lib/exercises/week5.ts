import { ExerciseError, passed } from "./feedback";

const COSINE = "Exercise 1 (cosine similarity that refuses bad input)";
const TOPK = "Exercise 2 (top-K search)";

type Cosine = (a: number[], b: number[]) => number;
type FindTopK = (query: number[], database: number[][], k: number) => number[];

/**
 * What calling `fn` did: returned `value` or threw `error`. (Not a discriminated union: tslab
 * compiles lib/ without strictNullChecks, where `threw: true | false` does not narrow.)
 */
function outcome<T>(fn: () => T): { threw: boolean; value: T | undefined; error: unknown } {
  try {
    return { threw: false, value: fn(), error: undefined };
  } catch (error) {
    // The learner copy's stub: let it through unchanged, it is the message the learner should see.
    if (error instanceof Error && error.message.startsWith("not implemented:")) throw error;
    return { threw: true, value: undefined, error };
  }
}

/**
 * Checks cosine(a, b): the right values, and an Error (not NaN, not 0) for vectors of different
 * lengths and for an all-zero vector.
 */
export function checkCosine(cosine: Cosine): void {
  const cases: { a: number[]; b: number[]; expected: number; what: string; hint: string }[] = [
    { a: [1, 2, 3], b: [1, 2, 3], expected: 1, what: "a vector with itself", hint: "divide the dot product by the product of the two lengths (L2 norms)" },
    { a: [1, 0], b: [0, 5], expected: 0, what: "perpendicular vectors", hint: "the dot product Σ a[i]·b[i] is 0 here" },
    { a: [1, 2, 3], b: [-2, -4, -6], expected: -1, what: "opposite directions", hint: "keep the sign: do not take an absolute value" },
    { a: [3, 4], b: [30, 40], expected: 1, what: "the same direction at 10× the length", hint: "cosine ignores length: divide by both norms, √Σa² · √Σb²" },
    { a: [1, 1, 0, 0], b: [1, 0, 1, 0], expected: 0.5, what: "[1,1,0,0] vs [1,0,1,0]", hint: "dot = 1, each norm = √2, so 1 / 2" },
  ];
  for (const c of cases) {
    const result = outcome(() => cosine(c.a, c.b));
    if (result.threw) throw new ExerciseError(COSINE, `for ${c.what} it threw "${String((result.error as Error)?.message ?? result.error)}"; only different lengths and all-zero vectors are errors.`);
    if (typeof result.value !== "number") throw new ExerciseError(COSINE, `cosine() returned ${typeof result.value}; return a plain number.`);
    if (!(Math.abs(result.value - c.expected) < 1e-6)) throw new ExerciseError(COSINE, `for ${c.what} it returned ${result.value}, expected ${c.expected}: ${c.hint}.`);
  }
  const bad: { a: number[]; b: number[]; what: string; why: string }[] = [
    { a: [1, 2, 3], b: [1, 2], what: "vectors of lengths 3 and 2", why: "they come from different models (or layers), so comparing them means nothing; check a.length !== b.length first" },
    { a: [0, 0, 0], b: [1, 2, 3], what: "an all-zero first vector", why: "a zero vector has no direction, so its cosine is undefined (0/0); check both norms before dividing" },
    { a: [1, 2, 3], b: [0, 0, 0], what: "an all-zero second vector", why: "check the second vector's norm too" },
  ];
  for (const c of bad) {
    const result = outcome(() => cosine(c.a, c.b));
    if (!result.threw) {
      const got = result.value;
      const extra = got === 0 ? " (0 is what week 4 returned — but in a search engine a broken, all-zero embedding would then quietly rank as 'unrelated' instead of being noticed)" : "";
      throw new ExerciseError(COSINE, `for ${c.what} it returned ${got}${extra}; throw new Error("…") instead: ${c.why}.`);
    }
    if (!(result.error instanceof Error)) {
      throw new ExerciseError(COSINE, `for ${c.what} it threw ${JSON.stringify(result.error)}, not an Error; write throw new Error("message") so callers get a message and a stack trace.`);
    }
    if (result.error.message.trim().length < 10) {
      throw new ExerciseError(COSINE, `for ${c.what} the error message is "${result.error.message}"; say what is wrong (e.g. "lengths 3 and 2 differ").`);
    }
  }
  passed(COSINE, "dot product over the norms, and a clear Error for mismatched lengths and zero vectors.");
}

/** Checks findTopK(query, database, k): ids of the k most cosine-similar vectors, best first, ties to the lower id. */
export function checkFindTopK(findTopK: FindTopK): void {
  const database = [
    [1, 0, 0], // 0
    [0.9, 0.1, 0], // 1
    [0, 1, 0], // 2
    [0.5, 0.5, 0], // 3
    [-1, 0, 0], // 4
    [0.8, 0, 0.6], // 5
  ];
  const run = (query: number[], db: number[][], k: number, what: string): number[] => {
    const before = JSON.stringify([query, db]);
    const result = outcome(() => findTopK(query, db, k));
    if (result.threw) throw new ExerciseError(TOPK, `for ${what} it threw "${String((result.error as Error)?.message ?? result.error)}".`);
    if (JSON.stringify([query, db]) !== before) {
      throw new ExerciseError(TOPK, "findTopK() changed the query or database vectors in place (e.g. normalised them); compute the norms separately and leave the inputs as they are.");
    }
    const ids = result.value;
    if (!Array.isArray(ids)) throw new ExerciseError(TOPK, `findTopK() returned ${typeof ids}; return an array of ids (numbers), best first.`);
    if (ids.some((id) => !Number.isInteger(id))) {
      throw new ExerciseError(TOPK, `for ${what} it returned [${ids.join(", ")}]; return the ids (positions in the database), not the scores: keep (id, score) pairs and map them to ids at the end.`);
    }
    return ids;
  };

  const query = [1, 0, 0];
  const expected = [0, 1, 5];
  const got = run(query, database, 3, "query [1, 0, 0], k = 3");
  if (got.length !== 3) throw new ExerciseError(TOPK, `for k = 3 it returned ${got.length} ids; return exactly k (slice(0, k) after sorting).`);
  if (JSON.stringify(got) === JSON.stringify([4, 2, 3])) {
    throw new ExerciseError(TOPK, "it returned the LEAST similar vectors first ([4, 2, 3]); sort by score in descending order: (a, b) => b.score − a.score.");
  }
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    throw new ExerciseError(TOPK, `for query [1, 0, 0] and k = 3 it returned [${got.join(", ")}], expected [${expected.join(", ")}] (cosines 1, 0.994, 0.8): score every vector with cosine, sort descending, keep the first k ids.`);
  }

  // A long vector pointing elsewhere wins on dot product; a short, nearby one wins on Euclidean distance.
  const lengths = [[10, 10, 0], [0.3, 0, 0.1], [2, 0.2, 0]];
  const byLength = run([1, 0, 0], lengths, 1, "vectors of very different lengths");
  if (byLength[0] === 0) throw new ExerciseError(TOPK, "with vectors of different lengths it picked [10, 10, 0], which has the largest dot product but points 45° away: that is dot-product ranking; divide by both norms (cosine).");
  if (byLength[0] === 1) throw new ExerciseError(TOPK, "with vectors of different lengths it picked [0.3, 0, 0.1], the nearest in Euclidean distance but 18° off; rank by cosine similarity instead.");
  if (byLength[0] !== 2) throw new ExerciseError(TOPK, `with vectors of different lengths it picked id ${byLength[0]}, expected 2 ([2, 0.2, 0], the smallest angle to [1, 0, 0]).`);

  const ties = run([1, 0], [[0, 1], [2, 0], [1, 1], [5, 0]], 2, "two vectors with equal scores");
  if (JSON.stringify(ties) !== JSON.stringify([1, 3])) {
    throw new ExerciseError(TOPK, `with two exact ties (ids 1 and 3 both have cosine 1) it returned [${ties.join(", ")}], expected [1, 3]: keep equal scores in id order (Array.prototype.sort is stable, so sort the (id, score) pairs by score only).`);
  }
  const all = run(query, database, 10, "k larger than the database");
  if (all.length !== database.length) throw new ExerciseError(TOPK, `with k = 10 and ${database.length} vectors it returned ${all.length} ids; return every id (there are only ${database.length}).`);
  passed(TOPK, "cosine-score every vector, sort descending (ties in id order), keep the first k ids.");
}
