import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkCosine, checkFindTopK } from "../lib/exercises/week5";

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

/** The intended answer. */
function cosine(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new Error(`lengths ${a.length} and ${b.length} differ`);
  if (norm(a) === 0 || norm(b) === 0) throw new Error("a zero vector has no direction");
  return dot(a, b) / (norm(a) * norm(b));
}

const rejects = (check: () => void, pattern: RegExp) =>
  assert.throws(check, (err: Error) => err.name === "ExerciseError" && pattern.test(err.message), `expected an ExerciseError matching ${pattern}`);

describe("checkCosine", () => {
  test("accepts a cosine that throws on bad input", () => checkCosine(cosine));

  test("names the specific mistake", () => {
    rejects(() => checkCosine((a, b) => (a.length !== b.length || norm(a) * norm(b) === 0 ? cosine(a, b) : dot(a, b))), /a vector with itself it returned 14, expected 1/);
    rejects(() => checkCosine((a, b) => Math.abs(cosine(a, b))), /opposite directions .* absolute value/);
    rejects(() => checkCosine((a, b) => (norm(a) * norm(b) === 0 ? 0 : a.length !== b.length ? cosine(a, b) : dot(a, b) / (norm(a) * norm(b)))), /all-zero first vector it returned 0 \(0 is what week 4 returned/);
    rejects(() => checkCosine((a, b) => (a.length !== b.length ? cosine(a, b) : dot(a, b) / (norm(a) * norm(b)))), /all-zero first vector it returned NaN; throw new Error/);
    rejects(() => checkCosine((a, b) => (norm(a) === 0 || norm(b) === 0 ? cosine(a, b) : dot(a, b) / (norm(a) * norm(b)))), /lengths 3 and 2 it returned .*a\.length !== b\.length/);
    rejects(() => checkCosine((a, b) => { if (a.length !== b.length) throw "lengths differ"; return cosine(a, b); }), /not an Error/);
    rejects(() => checkCosine((a, b) => { if (a.length !== b.length) throw new Error("bad"); return cosine(a, b); }), /error message is "bad"/);
    rejects(() => checkCosine(() => { throw new Error("broken"); }), /a vector with itself it threw "broken"/);
  });
});

test("an unimplemented stub's own error reaches the learner unchanged", () => {
  assert.throws(() => checkCosine(() => { throw new Error("not implemented: cosine"); }), (err: Error) => err.name === "Error" && err.message === "not implemented: cosine");
  assert.throws(() => checkFindTopK(() => { throw new Error("not implemented: top-K"); }), (err: Error) => err.name === "Error" && err.message === "not implemented: top-K");
});

describe("checkFindTopK", () => {
  const byScore = (score: (q: number[], v: number[]) => number, descending = true) => (query: number[], database: number[][], k: number) =>
    database
      .map((v, id) => ({ id, score: score(query, v) }))
      .sort((a, b) => (descending ? b.score - a.score : a.score - b.score))
      .slice(0, k)
      .map((r) => r.id);
  const euclidean = (a: number[], b: number[]) => -Math.hypot(...a.map((x, i) => x - b[i]));

  test("accepts the guide's loop: score, sort descending, slice", () => checkFindTopK(byScore(cosine)));

  test("names the specific mistake", () => {
    rejects(() => checkFindTopK(byScore(cosine, false)), /LEAST similar/);
    rejects(() => checkFindTopK((q, db, k) => db.map((v) => cosine(q, v)).sort((a, b) => b - a).slice(0, k)), /not the scores/);
    rejects(() => checkFindTopK((q, db, k) => byScore(cosine)(q, db, k + 1)), /for k = 3 it returned 4 ids/);
    rejects(() => checkFindTopK(byScore(dot)), /dot-product ranking/);
    rejects(() => checkFindTopK(byScore(euclidean)), /nearest in Euclidean distance/);
    rejects(() => checkFindTopK((q, db, k) => byScore(cosine)(q, db, db.length).sort((a, b) => {
      const sa = cosine(q, db[a]);
      const sb = cosine(q, db[b]);
      return sb - sa || b - a; // ties: higher id first
    }).slice(0, k)), /expected \[1, 3\]/);
    rejects(() => checkFindTopK((q, db, k) => {
      for (const v of db) { const n = norm(v); v.forEach((x, i) => (v[i] = x / n)); }
      return byScore(dot)(q, db, k);
    }), /in place/);
    rejects(() => checkFindTopK((q, db, k) => byScore(cosine)(q, db, Math.min(k, 3))), /with k = 10 and 6 vectors it returned 3 ids/);
    rejects(() => checkFindTopK((() => undefined) as unknown as (q: number[], db: number[][], k: number) => number[]), /returned undefined/);
  });
});
