import assert from "node:assert/strict";
import { before, test } from "node:test";
import { infoNceLoss, projectEmbeddings, projectionHead, trainContrastive } from "../lib/search/contrastive";
import { gaussian } from "../lib/random";
import { initBackend, tf } from "../lib/tf";

before(() => initBackend({ quiet: true }));

function randomMatrix(n: number, d: number, seed: number): Float32Array {
  const g = gaussian(seed);
  return Float32Array.from({ length: n * d }, g);
}

test("aligned pairs have a lower loss than random pairs, and near-zero when well separated", () => {
  const n = 16;
  const d = 32;
  const a = tf.tensor2d(randomMatrix(n, d, 1), [n, d]);
  const random = tf.tensor2d(randomMatrix(n, d, 2), [n, d]);
  const aligned = infoNceLoss(a, a.mul(3)).dataSync()[0]; // same directions, other length: cosine 1
  const unrelated = infoNceLoss(a, random).dataSync()[0];
  assert.ok(aligned < unrelated, `aligned ${aligned} should be < random ${unrelated}`);
  // Random pairs at temperature 1: about ln(n), the loss of guessing among n candidates.
  const guessing = infoNceLoss(a, random, { temperature: 1 }).dataSync()[0];
  assert.ok(Math.abs(guessing - Math.log(n)) < 0.3, `random-pair loss ${guessing} is far from ln(${n}) = ${Math.log(n).toFixed(2)}`);
  // One-hot rows: positives are exactly their anchors, negatives orthogonal.
  const eye = tf.eye(n, d) as tf.Tensor2D;
  const separated = infoNceLoss(eye, eye, { temperature: 0.05 }).dataSync()[0];
  assert.ok(separated < 1e-6, `orthogonal aligned pairs should give ~0 loss, got ${separated}`);
  // Swapping the positives of two anchors makes it worse than aligned.
  const swapped = tf.concat([eye.slice([1, 0], [1, d]), eye.slice([0, 0], [1, d]), eye.slice([2, 0], [n - 2, d])]) as tf.Tensor2D;
  assert.ok(infoNceLoss(eye, swapped).dataSync()[0] > separated + 1);
  tf.dispose([a, random, eye, swapped]);
});

test("gradients flow to every weight of the head, and are finite", () => {
  const head = projectionHead(8, { outDim: 4, hidden: 16, seed: 3 });
  const x = tf.tensor2d(randomMatrix(10, 8, 4), [10, 8]);
  const y = tf.tensor2d(randomMatrix(10, 8, 5), [10, 8]).mul(0.1).add(x) as tf.Tensor2D;
  const vars = head.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => infoNceLoss(head.apply(x) as tf.Tensor2D, head.apply(y) as tf.Tensor2D), vars);
  assert.equal(Object.keys(grads).length, 4); // two kernels, two biases
  for (const [name, g] of Object.entries(grads)) {
    const values = g.dataSync();
    assert.ok(values.every(Number.isFinite), `${name} has a non-finite gradient`);
    assert.ok(values.some((v) => v !== 0), `${name} gets no gradient`);
  }
  tf.dispose([x, y, ...Object.values(grads)]);
});

test("training on noisy pairs lowers the loss below chance and projects to the output size", async () => {
  const n = 256;
  const d = 16;
  const base = randomMatrix(n, d, 6);
  const noise = randomMatrix(n, d, 7);
  const anchors = { data: base, count: n, dim: d };
  const positives = { data: base.map((v, i) => v + 0.3 * noise[i]), count: n, dim: d };
  const head = projectionHead(d, { outDim: 8, hidden: 32, seed: 1 });
  const history = await trainContrastive(head, anchors, positives, { epochs: 15, batchSize: 64, learningRate: 3e-3, seed: 1 });
  assert.equal(history.losses.length, 15);
  assert.ok(history.losses[14] < history.losses[0], `loss did not fall: ${history.losses.map((l) => l.toFixed(3)).join(", ")}`);
  assert.ok(history.losses[14] < 0.5 * history.chanceLoss, `final loss ${history.losses[14]} vs chance ${history.chanceLoss}`);
  const projected = projectEmbeddings(head, anchors);
  assert.deepEqual([projected.count, projected.dim, projected.data.length], [n, 8, n * 8]);
});

test("bad input gets a clear error", async () => {
  const a = tf.zeros([4, 3]) as tf.Tensor2D;
  assert.throws(() => infoNceLoss(a, tf.zeros([4, 5]) as tf.Tensor2D), /one positive per anchor/);
  assert.throws(() => infoNceLoss(tf.zeros([1, 3]) as tf.Tensor2D, tf.zeros([1, 3]) as tf.Tensor2D), /at least 2 pairs/);
  assert.throws(() => infoNceLoss(a, a, { temperature: 0 }), /temperature must be > 0/);
  const head = projectionHead(8);
  const e = { data: new Float32Array(4 * 3), count: 4, dim: 3 };
  await assert.rejects(trainContrastive(head, e, e, { epochs: 1 }), /expects 8-d inputs but the embeddings are 3-d/);
  assert.throws(() => projectEmbeddings(head, e), /expects 8-d inputs/);
});
