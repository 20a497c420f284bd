import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { cosineMatrix, cosineSimilarity, dot, dotMatrix, euclideanDistance, euclideanMatrix, l2Normalize } from "../lib/search/similarity";
import { topK } from "../lib/search/topk";

function randomRows(n: number, d: number, seed: number): number[][] {
  return tf.tidy(() => tf.randomNormal([n, d], 0, 1, "float32", seed).arraySync() as number[][]);
}

test("pairwise measures match hand computation, for plain and typed arrays", () => {
  // a = [1, 2, 2], b = [2, 0, 1]: a·b = 2 + 0 + 2 = 4; ‖a‖ = 3, ‖b‖ = √5; cos = 4 / (3√5);
  // a − b = [−1, 2, 1], so ‖a − b‖ = √6.
  const a = [1, 2, 2];
  const b = Float32Array.from([2, 0, 1]);
  assert.equal(dot(a, b), 4);
  assert.ok(Math.abs(cosineSimilarity(a, b) - 4 / (3 * Math.sqrt(5))) < 1e-12);
  assert.ok(Math.abs(euclideanDistance(a, b) - Math.sqrt(6)) < 1e-12);
});

test("pairwise bad input: zero vector, NaN element and length mismatch each say what is wrong", () => {
  assert.throws(() => cosineSimilarity([1, 2], [0, 0]), /second vector is all zeros.*cosine is undefined/);
  assert.throws(() => dot([1, NaN, 3], [1, 2, 3]), /Element 1 of the first vector is NaN/);
  assert.throws(() => euclideanDistance([1, 2], [1, 2, 3]), /different lengths \(2 and 3\)/);
});

test("batched matrices equal the pairwise functions and leak no tensors", async () => {
  await initBackend({ quiet: true });
  const q = randomRows(5, 16, 1);
  const g = randomRows(40, 16, 2);
  const before = tf.memory().numTensors;
  const cos = cosineMatrix(q, g);
  const dots = dotMatrix(q, g);
  const dist = euclideanMatrix(q, g);
  const [c, d, e] = [cos, dots, dist].map((t) => t.arraySync());
  assert.deepEqual(cos.shape, [5, 40]);
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 40; j++) {
      assert.ok(Math.abs(c[i][j] - cosineSimilarity(q[i], g[j])) < 1e-5);
      assert.ok(Math.abs(d[i][j] - dot(q[i], g[j])) < 1e-4);
      assert.ok(Math.abs(e[i][j] - euclideanDistance(q[i], g[j])) < 1e-3);
    }
  }
  tf.dispose([cos, dots, dist]);
  assert.equal(tf.memory().numTensors, before);
});

test("Euclidean of identical rows is clamped to ≥ 0 (never NaN from a negative rounding error)", async () => {
  await initBackend({ quiet: true });
  const rows = randomRows(20, 64, 3).map((r) => r.map((v) => v * 1000));
  const d = euclideanMatrix(rows, rows);
  const values = d.dataSync();
  d.dispose();
  for (let i = 0; i < 20; i++) {
    const self = values[i * 20 + i];
    assert.ok(self >= 0 && !Number.isNaN(self), `self distance ${self}`);
    assert.ok(self < 1, `self distance ${self} should be near 0 next to norms of ~8000`);
  }
});

test("l2Normalize gives unit rows; zero and NaN rows are named", async () => {
  await initBackend({ quiet: true });
  const n = l2Normalize([[3, 4], [0, 2]]);
  assert.deepEqual(Array.from(n.dataSync()), [0.6, 0.8, 0, 1].map(Math.fround));
  n.dispose();
  assert.throws(() => l2Normalize([[1, 1], [2, 2], [0, 0]]), /embeddings row 2 is all zeros/);
  assert.throws(() => cosineMatrix([[1, 1]], [[1, 2], [NaN, 1]]), /gallery row 1 contains NaN/);
});

test("a query/gallery dimension mismatch names both dimensions", async () => {
  await initBackend({ quiet: true });
  for (const f of [cosineMatrix, dotMatrix, euclideanMatrix]) {
    assert.throws(() => f([[1, 2, 3]], [[1, 2], [3, 4]]), /query embeddings have dim 3 but gallery embeddings have dim 2/);
  }
});

test("on unit vectors cosine (highest first) and Euclidean (lowest first) rank identically; on raw vectors they need not", async () => {
  await initBackend({ quiet: true });
  const q = l2Normalize(randomRows(8, 32, 4));
  const g = l2Normalize(randomRows(300, 32, 5));
  const [cos, dist] = [cosineMatrix(q, g), euclideanMatrix(q, g)];
  assert.deepEqual(topK(dist, 20, { order: "lower" }).indices, topK(cos, 20, { order: "higher" }).indices);
  tf.dispose([q, g, cos, dist]);
  // Raw vectors: [10, 0] points exactly along the query (cos 1) but lies 9 away; [0.9, 0.5] is
  // 0.51 away but at an angle (cos 0.87). The two measures disagree on which is nearest.
  const query = [[1, 0]];
  const gallery = [[10, 0], [0.9, 0.5]];
  assert.deepEqual(topK(cosineMatrix(query, gallery), 1).indices, [[0]]);
  assert.deepEqual(topK(euclideanMatrix(query, gallery), 1, { order: "lower" }).indices, [[1]]);
});
