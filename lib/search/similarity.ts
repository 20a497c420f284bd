// Similarity and distance between embeddings: one pair at a time (for reading and for the guide's
// plain loop) and whole query × gallery matrices at once on tensors (for real search).
//
// When do cosine and Euclidean agree? For unit-length vectors ‖a − b‖² = 2 − 2·cos(a, b), so
// ranking by cosine (highest first) and by Euclidean distance (lowest first) gives the same order.
// On raw, unnormalised embeddings they can disagree: a long vector pointing the same way as the
// query is "far" in Euclidean terms but a perfect match in cosine terms. Dot product equals cosine
// on unit vectors too, which is why search systems L2-normalise once and then use matMul.
import { tf } from "../tf";

/** One embedding: a plain array or a typed array (e.g. a row of `dataSync()`). */
export type Vector = ArrayLike<number>;
/** Many embeddings, one per row: a [n, d] tensor or an array of rows. */
export type Matrix = tf.Tensor2D | readonly Vector[];

/** Dot product a·b. */
export function dot(a: Vector, b: Vector): number {
  checkLengths(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return finite(sum, a, b);
}

/** cos(a, b) = a·b / (‖a‖‖b‖), in [−1, 1]; undefined (an error) when either vector is all zeros. */
export function cosineSimilarity(a: Vector, b: Vector): number {
  checkLengths(a, b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  finite(ab + aa + bb, a, b);
  if (aa === 0 || bb === 0) {
    throw new Error(`cosineSimilarity: the ${aa === 0 ? "first" : "second"} vector is all zeros, so it has no direction and cosine is undefined. Drop it, or use Euclidean distance.`);
  }
  return ab / Math.sqrt(aa * bb);
}

/** Euclidean (L2) distance ‖a − b‖. */
export function euclideanDistance(a: Vector, b: Vector): number {
  checkLengths(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = a[i] - b[i];
    sum += diff * diff;
  }
  return Math.sqrt(finite(sum, a, b));
}

function checkLengths(a: Vector, b: Vector): void {
  if (a.length !== b.length) throw new Error(`The vectors have different lengths (${a.length} and ${b.length}): both must come from the same embedding model.`);
}

/** A NaN/Infinity in either vector poisons the sum, so the element-by-element search runs only then. */
function finite(result: number, a: Vector, b: Vector): number {
  if (Number.isFinite(result)) return result;
  for (const [name, v] of [["first", a], ["second", b]] as const) {
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) throw new Error(`Element ${i} of the ${name} vector is ${v[i]}: that embedding is broken (check the image and the model that produced it).`);
    }
  }
  throw new Error(`The result overflowed to ${result}: the vectors' values are too large; normalise the embeddings.`);
}

/**
 * Squared L2 norm of every row, after checking each row is finite (and, with `nonZero`, not all
 * zeros). One reduction and one small download: cheap next to the matMul it protects.
 */
export function rowNormsSquared(x: tf.Tensor2D, what: string, options: { nonZero?: boolean } = {}): Float32Array {
  const norms = tf.tidy(() => tf.sum(tf.square(x), 1)).dataSync() as Float32Array;
  checkNorms(norms, what, options.nonZero ?? false);
  return norms;
}

/** Throws naming the first row whose squared norm shows a NaN/Infinity (or, with `nonZero`, a zero vector). */
export function checkNorms(normsSquared: ArrayLike<number>, what: string, nonZero: boolean): void {
  for (let i = 0; i < normsSquared.length; i++) {
    const n = normsSquared[i];
    if (!Number.isFinite(n)) {
      throw new Error(`${what} row ${i} contains NaN or Infinity (squared norm ${n}): that embedding is broken; check the image and the model that produced it.`);
    }
    if (nonZero && n === 0) {
      throw new Error(`${what} row ${i} is all zeros: it has no direction, so cosine similarity is undefined. Remove it (or use Euclidean distance).`);
    }
  }
}

/** Rows as a float32 [n, d] tensor. A tensor is returned as is; arrays make a new one (free it inside tf.tidy). */
export function asMatrix(x: Matrix, what: string): tf.Tensor2D {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new Error(`${what} must be a [count, dim] tensor, got shape [${x.shape.join(", ")}]. Use .reshape([count, dim]) or .expandDims(0) for a single vector.`);
    return x.dtype === "float32" ? x : x.toFloat();
  }
  if (x.length === 0) throw new Error(`${what} is empty: it needs at least one embedding.`);
  const dim = x[0].length;
  const flat = new Float32Array(x.length * dim);
  x.forEach((row, i) => {
    if (row.length !== dim) throw new Error(`${what} row ${i} has ${row.length} values but row 0 has ${dim}: every embedding must have the same dimension.`);
    flat.set(row, i * dim);
  });
  return tf.tensor2d(flat, [x.length, dim]);
}

function checkDims(query: tf.Tensor2D, gallery: tf.Tensor2D): void {
  if (query.shape[1] !== gallery.shape[1]) {
    throw new Error(`Dimension mismatch: query embeddings have dim ${query.shape[1]} but gallery embeddings have dim ${gallery.shape[1]}. Embed both with the same model (and layer).`);
  }
}

/**
 * Divides each row by its L2 norm, so every row has length 1. Zero or NaN rows are an error that
 * names the row (a zero row has no direction to keep).
 */
export function l2Normalize(x: Matrix, what = "embeddings"): tf.Tensor2D {
  return tf.tidy(() => {
    const m = asMatrix(x, what);
    const norms = rowNormsSquared(m, what, { nonZero: true });
    const inv = tf.tensor2d(norms.map((n) => 1 / Math.sqrt(n)), [norms.length, 1]);
    return m.mul<tf.Tensor2D>(inv);
  });
}

/**
 * a · bᵀ with an explicit transpose: on the wasm backend matMul(a, b, false, true) measured ~10×
 * slower than transposing b first (a copy of n×d floats) and multiplying plainly.
 */
export function matMulTransposeB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(a, tf.transpose(b)));
}

/** Dot products of every query row with every gallery row: [q, d] × [n, d] → [q, n], one matMul. */
export function dotMatrix(query: Matrix, gallery: Matrix): tf.Tensor2D {
  return tf.tidy(() => {
    const q = asMatrix(query, "query");
    const g = asMatrix(gallery, "gallery");
    checkDims(q, g);
    rowNormsSquared(q, "query");
    rowNormsSquared(g, "gallery");
    return matMulTransposeB(q, g);
  });
}

/** Cosine similarity of every query row with every gallery row: normalise the rows, then one matMul. */
export function cosineMatrix(query: Matrix, gallery: Matrix): tf.Tensor2D {
  return tf.tidy(() => {
    const q = asMatrix(query, "query");
    const g = asMatrix(gallery, "gallery");
    checkDims(q, g);
    return matMulTransposeB(l2Normalize(q, "query"), l2Normalize(g, "gallery"));
  });
}

/**
 * Euclidean distances [q, n] via ‖a‖² + ‖b‖² − 2a·b: one matMul instead of q·n difference vectors.
 * Rounding can push the squared distance of (near-)identical rows slightly below zero, so it is
 * clamped at 0 before the square root; expect ~1e-3 rather than exactly 0 for identical float32 rows.
 */
export function euclideanMatrix(query: Matrix, gallery: Matrix, options: { squared?: boolean } = {}): tf.Tensor2D {
  return tf.tidy(() => {
    const q = asMatrix(query, "query");
    const g = asMatrix(gallery, "gallery");
    checkDims(q, g);
    const qq = tf.tensor2d(rowNormsSquared(q, "query"), [q.shape[0], 1]);
    const gg = tf.tensor2d(rowNormsSquared(g, "gallery"), [1, g.shape[0]]);
    const squared = tf.relu(qq.add(gg).sub(matMulTransposeB(q, g).mul(2))) as tf.Tensor2D;
    return options.squared ? squared : tf.sqrt(squared);
  });
}
