// PCA for looking at embeddings in 2-D: centre, covariance (one d×d matMul), then the top
// eigenvectors by subspace iteration (power iteration on a block of vectors at once, with
// Rayleigh–Ritz to order them). A full eigendecomposition of a 1024×1024 matrix in JS would take
// minutes; the top few eigenvectors need a few dozen d×d × d×m matMuls.
import { tf } from "../tf";
import { asMatrix, matMulTransposeB, rowNormsSquared, type Matrix } from "./similarity";

export interface PcaOptions {
  /** Number of principal components (default 2). */
  components?: number;
  /** Stop when every component's residual ‖Cv − λv‖ is below tolerance·λ₁ (default 1e-5). */
  tolerance?: number;
  /** Give up refining after this many iterations (default 300); the result is then less exact, not wrong-shaped. */
  maxIterations?: number;
}

export interface PcaFit {
  /** Principal directions, one unit-length row of length d each, largest variance first. */
  components: number[][];
  /** Per-feature mean that was subtracted. */
  mean: number[];
  /** Variance along each component (eigenvalues of the covariance matrix). */
  explainedVariance: number[];
  /** Each component's share of the total variance (the covariance trace). */
  explainedVarianceRatio: number[];
  /** Iterations used; equal to maxIterations means it stopped before reaching the tolerance. */
  iterations: number;
}

export interface PcaResult extends PcaFit {
  /** The input rows in component coordinates: [n][components]. */
  projected: number[][];
}

// Extra vectors carried along: convergence speed depends on λ(k+extra+1)/λk, not λ(k+1)/λk,
// so nearly equal eigenvalues just after the k-th do not stall the iteration.
const OVERSAMPLE = 8;

/**
 * Principal component analysis of the rows of `x` ([n, d], d up to a few thousand).
 * Signs are made deterministic: in every component the entry with the largest magnitude is
 * positive (an eigenvector's sign is otherwise arbitrary, and plots would flip between runs).
 */
export function pca(x: Matrix, options: PcaOptions = {}): PcaResult {
  const { components: k = 2, tolerance = 1e-5, maxIterations = 300 } = options;
  const data = asMatrix(x, "PCA input");
  try {
    const [n, d] = data.shape;
    if (n < 2) throw new Error(`PCA needs at least 2 rows to measure variance, got ${n}.`);
    if (!Number.isInteger(k) || k < 1 || k > d) throw new Error(`components must be a whole number from 1 to the dimension ${d}, got ${k}.`);
    rowNormsSquared(data, "PCA input");
    const mean = tf.tidy(() => data.mean(0));
    const cov = tf.tidy(() => {
      const centred = data.sub(mean);
      // Explicit transpose: matMul's transpose flags are much slower on the wasm backend.
      return tf.matMul(tf.transpose(centred), centred).div<tf.Tensor2D>(n - 1);
    });
    try {
      const totalVariance = tf.tidy(() => tf.sum(tf.squaredDifference(data, mean)).div(n - 1)).dataSync()[0];
      if (!(totalVariance > 0)) throw new Error("PCA input has zero variance (every row is the same): there is no direction to find.");
      const eig = topEigen(cov, k, tolerance, maxIterations);
      const fit: PcaFit = {
        components: eig.vectors,
        mean: Array.from(mean.dataSync()),
        explainedVariance: eig.values,
        explainedVarianceRatio: eig.values.map((v) => v / totalVariance),
        iterations: eig.iterations,
      };
      return { ...fit, projected: projectPca(fit, data) };
    } finally {
      mean.dispose();
      cov.dispose();
    }
  } finally {
    if (data !== x) data.dispose();
  }
}

/** Coordinates of new rows (e.g. query embeddings) in an existing PCA's components. */
export function projectPca(fit: Pick<PcaFit, "components" | "mean">, x: Matrix): number[][] {
  return tf.tidy(() => {
    const data = asMatrix(x, "rows to project");
    if (data.shape[1] !== fit.mean.length) {
      throw new Error(`The PCA was fitted on dim ${fit.mean.length} but these rows have dim ${data.shape[1]}: project embeddings from the same model.`);
    }
    const basis = tf.tensor2d(fit.components);
    return matMulTransposeB(data.sub(tf.tensor1d(fit.mean)), basis).arraySync() as number[][];
  });
}

/** Top-k eigenpairs of the symmetric positive semi-definite matrix `c` by subspace iteration. */
function topEigen(c: tf.Tensor2D, k: number, tolerance: number, maxIterations: number): { values: number[]; vectors: number[][]; iterations: number } {
  const d = c.shape[0];
  const m = Math.min(d, k + OVERSAMPLE);
  // A fixed seed: the start only has to be "generic", and a fixed one makes the fit repeatable.
  const start = tf.tidy(() => tf.randomNormal([d, m], 0, 1, "float32", 7)).dataSync() as Float32Array;
  let basis = orthonormalColumns(Float64Array.from(start), d, m);
  let values: Float64Array = new Float64Array(m);
  let ritz: Float64Array = new Float64Array(d * m);
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    const w = Float64Array.from(tf.tidy(() => tf.matMul(c, tf.tensor2d(Float32Array.from(basis), [d, m]))).dataSync() as Float32Array);
    // Rayleigh–Ritz: the best approximations inside span(basis) are its rotation by the
    // eigenvectors of the small m×m matrix Vᵀ C V.
    const eig = symmetricEigen(multiplyTransposeA(basis, w, d, m), m);
    values = eig.values;
    ritz = multiply(basis, eig.vectors, d, m);
    const cRitz = multiply(w, eig.vectors, d, m);
    let worst = 0;
    for (let j = 0; j < k; j++) {
      let r = 0;
      for (let i = 0; i < d; i++) r += (cRitz[i * m + j] - values[j] * ritz[i * m + j]) ** 2;
      worst = Math.max(worst, Math.sqrt(r));
    }
    if (worst <= tolerance * Math.max(values[0], Number.MIN_VALUE)) break;
    basis = orthonormalColumns(cRitz, d, m);
  }
  const vectors: number[][] = [];
  for (let j = 0; j < k; j++) {
    const col = Array.from({ length: d }, (_, i) => ritz[i * m + j]);
    const norm = Math.hypot(...col);
    let big = 0;
    for (let i = 1; i < d; i++) if (Math.abs(col[i]) > Math.abs(col[big])) big = i;
    const sign = col[big] < 0 ? -1 : 1;
    vectors.push(col.map((e) => (sign * e) / norm));
  }
  return { values: Array.from(values.subarray(0, k), (e) => Math.max(0, e)), vectors, iterations };
}

/** Modified Gram–Schmidt, twice (one pass loses orthogonality in float arithmetic), on the columns of a row-major d×m matrix. */
function orthonormalColumns(a: Float64Array, d: number, m: number): Float64Array {
  const q = Float64Array.from(a);
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < m; j++) {
      for (let p = 0; p < j; p++) {
        let proj = 0;
        for (let i = 0; i < d; i++) proj += q[i * m + p] * q[i * m + j];
        for (let i = 0; i < d; i++) q[i * m + j] -= proj * q[i * m + p];
      }
      let norm = 0;
      for (let i = 0; i < d; i++) norm += q[i * m + j] ** 2;
      norm = Math.sqrt(norm);
      if (norm === 0) throw new Error("PCA: the covariance has fewer independent directions than requested components; ask for fewer components.");
      for (let i = 0; i < d; i++) q[i * m + j] /= norm;
    }
  }
  return q;
}

/** (d×m)ᵀ · (d×m) → m×m, row-major. */
function multiplyTransposeA(a: Float64Array, b: Float64Array, d: number, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < d; i++) {
    for (let p = 0; p < m; p++) {
      const aip = a[i * m + p];
      for (let q = 0; q < m; q++) out[p * m + q] += aip * b[i * m + q];
    }
  }
  return out;
}

/** (d×m) · (m×m) → d×m, row-major. */
function multiply(a: Float64Array, b: Float64Array, d: number, m: number): Float64Array {
  const out = new Float64Array(d * m);
  for (let i = 0; i < d; i++) {
    for (let p = 0; p < m; p++) {
      const aip = a[i * m + p];
      for (let q = 0; q < m; q++) out[i * m + q] += aip * b[p * m + q];
    }
  }
  return out;
}

/**
 * All eigenpairs of a small symmetric m×m matrix by cyclic Jacobi rotations, values in
 * descending order; `vectors` is row-major with eigenvector j in column j.
 */
export function symmetricEigen(matrix: ArrayLike<number>, m: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  // Vᵀ C V is symmetric only up to rounding; Jacobi assumes exact symmetry.
  for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) a[p * m + q] = a[q * m + p] = (a[p * m + q] + a[q * m + p]) / 2;
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  let scale = 0;
  for (let i = 0; i < m * m; i++) scale += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += a[p * m + q] ** 2;
    if (off <= 1e-30 * scale) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q];
        if (apq === 0) continue;
        const theta = (a[q * m + q] - a[p * m + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cos = 1 / Math.sqrt(t * t + 1);
        const sin = t * cos;
        for (let r = 0; r < m; r++) {
          const arp = a[r * m + p];
          const arq = a[r * m + q];
          a[r * m + p] = cos * arp - sin * arq;
          a[r * m + q] = sin * arp + cos * arq;
        }
        for (let r = 0; r < m; r++) {
          const apr = a[p * m + r];
          const aqr = a[q * m + r];
          a[p * m + r] = cos * apr - sin * aqr;
          a[q * m + r] = sin * apr + cos * aqr;
        }
        for (let r = 0; r < m; r++) {
          const vrp = v[r * m + p];
          const vrq = v[r * m + q];
          v[r * m + p] = cos * vrp - sin * vrq;
          v[r * m + q] = sin * vrp + cos * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => a[j * m + j] - a[i * m + i] || i - j);
  const values = Float64Array.from(order, (i) => a[i * m + i]);
  const vectors = new Float64Array(m * m);
  for (let r = 0; r < m; r++) order.forEach((src, dst) => (vectors[r * m + dst] = v[r * m + src]));
  return { values, vectors };
}
