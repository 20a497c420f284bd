import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { cosineMatrix } from "../lib/search/similarity";
import { cosineTopK, knnAccuracy, majorityVote, topK, topKLoop, topKRow } from "../lib/search/topk";

test("equal scores come back lower gallery index first, for similarities and distances", () => {
  const row = [0.5, 0.9, 0.5, 0.9, 0.1];
  assert.deepEqual(topKRow(row, 3, "higher"), { indices: [1, 3, 0], scores: [0.9, 0.9, 0.5] });
  assert.deepEqual(topKRow(row, 3, "lower").indices, [4, 0, 2]);
  assert.deepEqual(topKRow(new Float32Array(1000).fill(0.25), 5).indices, [0, 1, 2, 3, 4]);
  assert.deepEqual(topKRow(row, 2, "higher", (j) => j === 1).indices, [3, 0]);
});

test("topK equals a stable full sort on a tie-heavy random matrix", async () => {
  await initBackend({ quiet: true });
  // Scores rounded to 1 decimal: ~10 distinct values over 500 columns, so ties everywhere.
  const values = tf.tidy(() => tf.randomUniform([6, 500], 0, 1, "float32", 11).mul(10).round().div(10) as tf.Tensor2D);
  const rows = values.arraySync();
  for (const order of ["higher", "lower"] as const) {
    const got = topK(values, 37, { order });
    rows.forEach((row, i) => {
      const sorted = row.map((v, j) => [v, j]).sort((a, b) => (order === "higher" ? b[0] - a[0] : a[0] - b[0]) || a[1] - b[1]);
      assert.deepEqual(got.indices[i], sorted.slice(0, 37).map((p) => p[1]));
      assert.deepEqual(got.scores[i], sorted.slice(0, 37).map((p) => p[0]));
    });
  }
  values.dispose();
});

test("excludeSelf drops each query's own index (diagonal or given indices); bad k and NaN are refused", async () => {
  await initBackend({ quiet: true });
  const emb = tf.tidy(() => tf.randomNormal([30, 8], 0, 1, "float32", 5) as tf.Tensor2D);
  const self = cosineMatrix(emb, emb);
  const plain = topK(self, 1);
  assert.deepEqual(plain.indices.map((r) => r[0]), Array.from({ length: 30 }, (_, i) => i), "each row's best match is itself");
  const loo = topK(self, 29, { excludeSelf: true });
  loo.indices.forEach((r, i) => assert.ok(!r.includes(i) && r.length === 29));
  const some = cosineTopK(emb.slice([10, 0], [3, -1]), emb, 4, { excludeSelf: [10, 11, 12] });
  some.indices.forEach((r, i) => assert.ok(!r.includes(10 + i)));
  assert.throws(() => topK(self, 30, { excludeSelf: true }), /k = 30 but only 29 gallery items .*query itself is excluded/);
  assert.throws(() => topK(self, 0), /k must be a positive whole number/);
  assert.throws(() => topKRow([0.1, NaN], 1), /gallery index 1 is NaN/);
  tf.dispose([emb, self]);
});

test("topKLoop (the guide's §22 loop) agrees with the vectorised cosine top-K", async () => {
  await initBackend({ quiet: true });
  const [q, g] = tf.tidy(() => [tf.randomNormal([4, 24], 0, 1, "float32", 7), tf.randomNormal([400, 24], 0, 1, "float32", 8)].map((t) => t.arraySync() as number[][]));
  const fast = cosineTopK(q, g, 10);
  q.forEach((query, i) => {
    const slow = topKLoop(query, g, 10);
    assert.deepEqual(slow.ids, fast.indices[i]);
    slow.scores.forEach((s, j) => assert.ok(Math.abs(s - fast.scores[i][j]) < 1e-5));
  });
  // Stable ties in the loop too: duplicates of the best vector come back in index order.
  assert.deepEqual(topKLoop([1, 0], [[0, 1], [2, 0], [1, 1], [5, 0]], 2).ids, [1, 3]);
});

test("majorityVote: most common label; a tie goes to the label with the nearest neighbour", () => {
  assert.equal(majorityVote([3, 1, 1]), 1);
  assert.equal(majorityVote([1, 2, 2, 1]), 1); // 2 votes each; label 1 holds rank 1
  assert.equal(majorityVote([7, 8, 9]), 7); // all tied: 1-NN
  assert.throws(() => majorityVote([]), /at least one/);
});

test("knnAccuracy: leave-one-out exposes a mislabelled point that self-matching hides", async () => {
  await initBackend({ quiet: true });
  // Angles from the x axis: cluster A (label 0) at 0.05, 0.10, 0.15 rad; cluster B (label 1) at
  // 1.52, 1.47, 1.42, 1.37; the last point at 0.46 is nearer A but labelled 1. With itself as a
  // neighbour (k = 1) every point is "correct". Left out, its nearest is A's 0.15 → predicted 0,
  // while every other point's nearest (and 3 nearest) stay in its own cluster → 7 of 8 correct.
  const emb = [[1, 0.05], [1, 0.1], [1, 0.15], [0.05, 1], [0.1, 1], [0.15, 1], [0.2, 1], [1, 0.5]];
  const labels = [0, 0, 0, 1, 1, 1, 1, 1];
  assert.equal(knnAccuracy(emb, labels, emb, labels, 1).accuracy, 1);
  const loo = knnAccuracy(emb, labels, emb, labels, 1, { excludeSelf: true });
  assert.equal(loo.correct, 7);
  assert.equal(loo.predictions[7], 0);
  assert.equal(knnAccuracy(emb, labels, emb, labels, 3, { excludeSelf: true }).accuracy, 7 / 8);
  assert.throws(() => knnAccuracy(emb, labels.slice(1), emb, labels, 1), /8 query embeddings but 7 query labels/);
});
