import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { pca, projectPca, symmetricEigen } from "../lib/search/pca";

/** n points = 5·a·u + 2·b·v + 0.1·noise, with u ⟂ v unit directions in d dimensions. */
function planted(n: number, d: number, seed: number): { x: tf.Tensor2D; u: number[]; v: number[] } {
  return tf.tidy(() => {
    const [u, v] = orthonormalPair(tf.randomNormal([2, d], 0, 1, "float32", seed).arraySync() as number[][]);
    const ab = tf.randomNormal([n, 2], 0, 1, "float32", seed + 1).mul(tf.tensor2d([[5, 2]]));
    const x = tf.matMul(ab, tf.tensor2d([u, v])).add(tf.randomNormal([n, d], 0, 0.1, "float32", seed + 2)).add(3) as tf.Tensor2D;
    return { x: tf.keep(x), u, v };
  });
}

function orthonormalPair([a, b]: number[][]): number[][] {
  const norm = (x: number[]) => x.map((e) => e / Math.hypot(...x));
  const u = norm(a);
  const p = b.reduce((s, e, i) => s + e * u[i], 0);
  return [u, norm(b.map((e, i) => e - p * u[i]))];
}

const absDot = (a: number[], b: number[]) => Math.abs(a.reduce((s, e, i) => s + e * b[i], 0));

test("PCA recovers planted directions and their share of the variance", async () => {
  await initBackend({ quiet: true });
  const { x, u, v } = planted(1000, 10, 1);
  const fit = pca(x);
  assert.ok(absDot(fit.components[0], u) > 0.999, `PC1·u = ${absDot(fit.components[0], u)}`);
  assert.ok(absDot(fit.components[1], v) > 0.999, `PC2·v = ${absDot(fit.components[1], v)}`);
  // Variances 25, 4 and 10 × 0.01 of noise: ratios ≈ 25/29.1 = 0.859 and 4/29.1 = 0.137 (sampling moves them a little).
  assert.ok(Math.abs(fit.explainedVarianceRatio[0] - 0.859) < 0.03, `${fit.explainedVarianceRatio}`);
  assert.ok(Math.abs(fit.explainedVarianceRatio[1] - 0.137) < 0.02, `${fit.explainedVarianceRatio}`);
  assert.ok(fit.mean.every((m) => Math.abs(m - 3) < 0.5));
  // The projected coordinates are centred, and their variance is the explained variance.
  assert.equal(fit.projected.length, 1000);
  const col = fit.projected.map((p) => p[0]);
  const mean = col.reduce((a, b) => a + b) / 1000;
  const variance = col.reduce((s, e) => s + (e - mean) ** 2, 0) / 999;
  assert.ok(Math.abs(mean) < 1e-3 && Math.abs(variance / fit.explainedVariance[0] - 1) < 1e-3);
  assert.deepEqual(projectPca(fit, x.slice([0, 0], [3, -1]))[2].map((e) => e.toFixed(3)), fit.projected[2].map((e) => e.toFixed(3)));
  x.dispose();
});

test("component signs are deterministic: largest entry positive, same for mirrored data", async () => {
  await initBackend({ quiet: true });
  const { x } = planted(400, 6, 2);
  const a = pca(x, { components: 3 });
  const mirrored = tf.neg(x) as tf.Tensor2D;
  const b = pca(mirrored, { components: 3 });
  for (let c = 0; c < 3; c++) {
    const comp = a.components[c];
    const big = comp.reduce((best, e, i) => (Math.abs(e) > Math.abs(comp[best]) ? i : best), 0);
    assert.ok(comp[big] > 0);
    comp.forEach((e, i) => assert.ok(Math.abs(e - b.components[c][i]) < 1e-4));
  }
  tf.dispose([x, mirrored]);
});

test("PCA at d = 1024 finds the planted direction quickly", async () => {
  await initBackend({ quiet: true });
  const { x, u } = planted(300, 1024, 3);
  const start = Date.now();
  const fit = pca(x);
  assert.ok(Date.now() - start < 5000, `took ${Date.now() - start} ms`);
  // 300 samples in 1024 dims: sampling noise alone tilts the sample's top direction by ~0.04 rad.
  assert.ok(absDot(fit.components[0], u) > 0.995, `PC1·u = ${absDot(fit.components[0], u)}`);
  assert.ok(fit.iterations < 300, `stopped at the iteration cap (${fit.iterations})`);
  // And each component is an eigenvector of the sample covariance: ‖Cv − λv‖ ≤ 1e-3·λ.
  const residuals = tf.tidy(() => {
    const centred = x.sub(x.mean(0));
    const cov = tf.matMul(centred.transpose(), centred).div(299);
    const v = tf.tensor2d(fit.components).transpose();
    return tf.matMul(cov, v).sub(v.mul(tf.tensor1d(fit.explainedVariance))).square().sum(0).sqrt().arraySync() as number[];
  });
  residuals.forEach((r, i) => assert.ok(r <= 1e-3 * fit.explainedVariance[i], `residual ${r} for λ = ${fit.explainedVariance[i]}`));
  x.dispose();
});

test("symmetricEigen: eigenpairs of a small matrix, values descending", () => {
  // [[2,1,0],[1,2,0],[0,0,1]]: eigenvalue 3 along (1,1,0)/√2, and 1 (twice).
  const { values, vectors } = symmetricEigen([2, 1, 0, 1, 2, 0, 0, 0, 1], 3);
  assert.deepEqual(Array.from(values, (v) => +v.toFixed(12)), [3, 1, 1]);
  assert.ok(Math.abs(Math.abs(vectors[0]) - Math.SQRT1_2) < 1e-12 && Math.abs(vectors[0] - vectors[3]) < 1e-12 && vectors[6] === 0);
});

test("PCA bad input is named", async () => {
  await initBackend({ quiet: true });
  assert.throws(() => pca([[1, 2]]), /at least 2 rows/);
  assert.throws(() => pca([[1, 2], [3, 4]], { components: 3 }), /from 1 to the dimension 2/);
  assert.throws(() => pca([[1, 2], [1, 2]]), /zero variance/);
  assert.throws(() => pca([[1, 2], [NaN, 4]]), /row 1 contains NaN/);
});
