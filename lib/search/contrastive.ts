// Contrastive learning (guide §23.6) on frozen embeddings: a small projection head is trained so
// that two views of the same image land close together and views of different images far apart.
// The loss is InfoNCE with in-batch negatives (as in SimCLR/CLIP): for a batch of n pairs, anchor i
// must pick its own positive out of all n positives, a softmax over n cosine similarities scored
// with cross-entropy. No labels are needed: the "label" of anchor i is simply i.
import { batchIndices } from "../data/batches";
import { torchInit } from "../models/torch_init";
import { tf } from "../tf";
import { crossEntropy } from "../train/loss";
import type { Embeddings } from "../embeddings/extract";

/** Rows scaled to unit length; the epsilon keeps the gradient finite for an all-zero row. */
function unitRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12)));
}

/**
 * InfoNCE loss of a batch of pairs: row i of `anchors` and row i of `positives` are two views of
 * one item; every other row of `positives` is a negative for anchor i. Similarities are cosines
 * divided by `temperature` (lower: sharper softmax, harder negatives matter more). `symmetric`
 * (default) averages both directions, anchors → positives and positives → anchors.
 * Perfectly aligned, well-separated pairs give a loss near 0; unrelated pairs about ln(n) at
 * temperature 1 (more at lower temperatures, where random similarities get amplified).
 */
export function infoNceLoss(anchors: tf.Tensor2D, positives: tf.Tensor2D, options: { temperature?: number; symmetric?: boolean } = {}): tf.Scalar {
  const { temperature = 0.1, symmetric = true } = options;
  if (anchors.rank !== 2 || positives.rank !== 2) {
    throw new Error(`infoNceLoss needs two [batch, dim] matrices, got shapes [${anchors.shape.join(", ")}] and [${positives.shape.join(", ")}].`);
  }
  const [n, dim] = anchors.shape;
  if (positives.shape[0] !== n || positives.shape[1] !== dim) {
    throw new Error(`infoNceLoss: anchors are [${n}, ${dim}] but positives are [${positives.shape.join(", ")}]: give one positive per anchor, embedded the same way (row i pairs with row i).`);
  }
  if (n < 2) throw new Error(`infoNceLoss needs at least 2 pairs per batch (the other pairs are the negatives), got ${n}.`);
  if (!(temperature > 0)) throw new Error(`temperature must be > 0 (typical: 0.05–0.5), got ${temperature}.`);
  return tf.tidy(() => {
    const a = unitRows(anchors);
    const p = unitRows(positives);
    // An explicit transpose: matMul with transposeB is several times slower on wasm (similarity.ts).
    const logits = tf.div(tf.matMul(a, tf.transpose(p)), temperature) as tf.Tensor2D;
    const targets = tf.range(0, n, 1, "int32") as tf.Tensor1D;
    const forward = crossEntropy(logits, targets);
    if (!symmetric) return forward;
    return tf.div(tf.add(forward, crossEntropy(tf.transpose(logits), targets)), 2) as tf.Scalar;
  });
}

/**
 * The head trained on top of the frozen embeddings: dense → ReLU → dense to `outDim`, with a
 * PyTorch-style seeded initialisation. hidden 0 makes it a single linear projection.
 */
export function projectionHead(dim: number, options: { outDim?: number; hidden?: number; seed?: number } = {}): tf.Sequential {
  const { outDim = 128, hidden = 256, seed = 1 } = options;
  const layers: tf.layers.Layer[] = [];
  if (hidden > 0) layers.push(tf.layers.dense({ inputShape: [dim], units: hidden, activation: "relu", name: "proj_hidden", ...torchInit(dim, seed) }));
  layers.push(tf.layers.dense({ ...(hidden > 0 ? {} : { inputShape: [dim] }), units: outDim, name: "proj_out", ...torchInit(hidden > 0 ? hidden : dim, seed + 1) }));
  return tf.sequential({ name: "ProjectionHead", layers });
}

export interface ContrastiveOptions {
  epochs: number;
  /** Pairs per batch = 1 positive + (batchSize − 1) negatives per anchor (default 128). */
  batchSize?: number;
  learningRate?: number;
  temperature?: number;
  /** Seeds the batch order. */
  seed?: number;
}

export interface ContrastiveHistory {
  /** Mean InfoNCE loss per epoch. */
  losses: number[];
  /** ln(batchSize): the loss of a head that cannot tell pairs apart, for reference. */
  chanceLoss: number;
  seconds: number;
}

/**
 * Trains `head` with InfoNCE on pairs of embeddings: row i of `anchors` and of `positives` are two
 * views (e.g. the original and an augmented copy) of image i. Adam; a partial last batch is
 * dropped when it would have fewer than 2 pairs.
 */
export async function trainContrastive(head: tf.LayersModel, anchors: Embeddings, positives: Embeddings, options: ContrastiveOptions): Promise<ContrastiveHistory> {
  const { epochs, batchSize = 128, learningRate = 1e-3, temperature = 0.1, seed = 0 } = options;
  if (anchors.count !== positives.count || anchors.dim !== positives.dim) {
    throw new Error(`trainContrastive: ${anchors.count} × ${anchors.dim} anchors but ${positives.count} × ${positives.dim} positives: give one positive per anchor, from the same embedding model.`);
  }
  const expected = head.inputs[0].shape[1];
  if (expected !== anchors.dim) throw new Error(`The head expects ${expected}-d inputs but the embeddings are ${anchors.dim}-d: build it with projectionHead(${anchors.dim}).`);
  if (anchors.count < 2) throw new Error(`trainContrastive needs at least 2 pairs, got ${anchors.count}.`);
  const optimizer = tf.train.adam(learningRate);
  const vars = head.trainableWeights.map((w) => w.read() as tf.Variable);
  const losses: number[] = [];
  const started = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let sum = 0;
    let batches = 0;
    for (const indices of batchIndices(anchors.count, batchSize, { shuffle: true, seed: seed * 100_003 + epoch })) {
      if (indices.length < 2) continue;
      const loss = tf.tidy(() => {
        const a = tf.tensor2d(gatherRows(anchors, indices), [indices.length, anchors.dim]);
        const p = tf.tensor2d(gatherRows(positives, indices), [indices.length, anchors.dim]);
        return optimizer.minimize(
          () => infoNceLoss(head.apply(a, { training: true }) as tf.Tensor2D, head.apply(p, { training: true }) as tf.Tensor2D, { temperature }),
          true,
          vars,
        ) as tf.Scalar;
      });
      sum += (await loss.data())[0];
      loss.dispose();
      batches++;
    }
    losses.push(sum / batches);
  }
  optimizer.dispose();
  return { losses, chanceLoss: Math.log(Math.min(batchSize, anchors.count)), seconds: (performance.now() - started) / 1000 };
}

/** Runs the head over every embedding (in blocks): the new, projected vectors to index. */
export function projectEmbeddings(head: tf.LayersModel, embeddings: Embeddings, options: { batchSize?: number } = {}): Embeddings {
  const { batchSize = 1024 } = options;
  const expected = head.inputs[0].shape[1];
  if (expected !== embeddings.dim) throw new Error(`The head expects ${expected}-d inputs but the embeddings are ${embeddings.dim}-d: project embeddings of the model the head was trained on.`);
  const outDim = head.outputs[0].shape[1] as number;
  const data = new Float32Array(embeddings.count * outDim);
  for (const indices of batchIndices(embeddings.count, batchSize)) {
    const out = tf.tidy(() => head.predict(tf.tensor2d(gatherRows(embeddings, indices), [indices.length, embeddings.dim])) as tf.Tensor2D);
    data.set(out.dataSync(), indices[0] * outDim);
    out.dispose();
  }
  return { data, count: embeddings.count, dim: outDim };
}

function gatherRows(e: Embeddings, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * e.dim);
  indices.forEach((i, k) => out.set(e.data.subarray(i * e.dim, (i + 1) * e.dim), k * e.dim));
  return out;
}
