import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { checkIndexTopK, checkPrecisionAtK } from "../lib/exercises/week6";
import { initBackend } from "../lib/tf";

before(() => initBackend({ quiet: true }));

const rejects = (run: () => void, pattern: RegExp) => assert.throws(run, (err: Error) => err.name === "ExerciseError" && pattern.test(err.message));

describe("checkPrecisionAtK", () => {
  test("accepts a correct Precision@k", () => {
    checkPrecisionAtK((ranked, relevant, k) => ranked.slice(0, k).filter((id) => relevant.has(id)).length / k);
  });

  test("names the specific mistake", () => {
    rejects(() => checkPrecisionAtK((ranked, relevant, k) => ranked.slice(0, k).filter((id) => relevant.has(id)).length), /the count of relevant results: divide it by k/);
    rejects(() => checkPrecisionAtK((ranked, relevant) => ranked.filter((id) => relevant.has(id)).length / ranked.length), /k = 2 .* ranked\.slice\(0, k\)/);
    rejects(() => checkPrecisionAtK((ranked, relevant, k) => ranked.slice(0, k).filter((id) => relevant.has(id)).length / Math.min(k, ranked.length)), /divide by k, not by the list's length/);
    rejects(() => checkPrecisionAtK(() => "0.4" as unknown as number), /plain number/);
  });
});

describe("checkIndexTopK", () => {
  test("accepts a search that filters out the query's own id", () => {
    checkIndexTopK((index, query, k, selfId) => index.search(query, k, (id) => id !== selfId).ids);
  });

  test("names the specific mistake", () => {
    rejects(() => checkIndexTopK((index, query, k) => index.search(query, k).ids), /contains the query's own id 0: pass a filter/);
    rejects(() => checkIndexTopK((index, query, k, selfId) => index.search(query, k + 1).ids.filter((id) => id !== selfId).slice(0, k - 1)), /returned 2 ids/);
    rejects(() => checkIndexTopK((index, query, k, selfId) => index.search(query, k, (id) => id !== selfId).ids.reverse()), /expected \[1, 2, 3\]/);
    rejects(() => checkIndexTopK((index, _query, k) => index.search([1, 0], k, (id) => id !== 0).ids), /use the query, k and selfId/);
    rejects(() => checkIndexTopK((() => undefined) as unknown as () => number[]), /forget `return`/);
  });
});
