// Transfer learning's cheap half: a small classifier trained on frozen embeddings. The
// pretrained network runs once per image (see extract.ts); each epoch here is only a few
// thousand multiply-adds per image, so it trains in seconds on a CPU.
import { batchIndices } from "../data/batches";
import { torchInit } from "../models/torch_init";
import { tf } from "../tf";
import { countCorrect, crossEntropy } from "../train/loss";
import { trainStep, type EpochRecord, type Evaluation, type History } from "../train/loop";
import type { Embeddings } from "./extract";

/** Embeddings with a class label per row. */
export interface FeatureSet extends Embeddings {
  labels: Uint8Array;
  classNames: readonly string[];
}

export function featureSet(embeddings: Embeddings, labels: ArrayLike<number>, classNames: readonly string[]): FeatureSet {
  if (labels.length !== embeddings.count) throw new Error(`featureSet: ${embeddings.count} embeddings but ${labels.length} labels.`);
  return { ...embeddings, labels: Uint8Array.from(labels), classNames };
}

/** The rows at `indices`, copied. */
export function selectFeatures(set: FeatureSet, indices: ArrayLike<number>): FeatureSet {
  const data = new Float32Array(indices.length * set.dim);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < set.count)) throw new Error(`selectFeatures: index ${i} is outside 0..${set.count - 1}.`);
    data.set(set.data.subarray(i * set.dim, (i + 1) * set.dim), k * set.dim);
    labels[k] = set.labels[i];
  }
  return { data, count: indices.length, dim: set.dim, labels, classNames: set.classNames };
}

/**
 * A seeded split that keeps every class's share: `testFraction` of each class (rounded) goes to
 * test. With 40 photos per class and 0.25, that is 30 train + 10 test per class.
 */
export function stratifiedSplit(labels: ArrayLike<number>, testFraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`stratifiedSplit: testFraction must be in (0, 1), got ${testFraction}.`);
  const [order] = batchIndices(labels.length, Math.max(labels.length, 1), { shuffle: true, seed });
  const byClass = new Map<number, number[]>();
  for (const i of order ?? []) byClass.set(labels[i], [...(byClass.get(labels[i]) ?? []), i]);
  const train: number[] = [];
  const test: number[] = [];
  for (const members of byClass.values()) {
    const nTest = Math.round(members.length * testFraction);
    test.push(...members.slice(0, nTest));
    train.push(...members.slice(nTest));
  }
  const sort = (a: number[]) => Int32Array.from(a).sort();
  return { train: sort(train), test: sort(test) };
}

/**
 * Dense head: optional hidden ReLU layer (with dropout), then `classes` logits. hidden 0 is
 * multinomial logistic regression on the embedding.
 */
export function denseHead(dim: number, classes: number, options: { hidden?: number; dropout?: number; seed?: number } = {}): tf.Sequential {
  const { hidden = 128, dropout = 0.2, seed = 1 } = options;
  const layers: tf.layers.Layer[] = [];
  if (hidden > 0) {
    layers.push(tf.layers.dense({ inputShape: [dim], units: hidden, activation: "relu", name: "hidden", ...torchInit(dim, seed) }));
    if (dropout > 0) layers.push(tf.layers.dropout({ rate: dropout, seed: seed + 1, name: "dropout" }));
  }
  layers.push(tf.layers.dense({ ...(hidden > 0 ? {} : { inputShape: [dim] }), units: classes, name: "logits", ...torchInit(hidden > 0 ? hidden : dim, seed + 2) }));
  return tf.sequential({ name: "TransferHead", layers });
}

export interface HeadTrainOptions {
  epochs: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  testSet?: FeatureSet;
}

/** The course's training loop (trainStep: Adam on cross-entropy) over feature rows instead of images. */
export async function trainHead(model: tf.LayersModel, data: FeatureSet, options: HeadTrainOptions): Promise<History> {
  const { epochs, batchSize = 32, learningRate = 0.001, seed = 0 } = options;
  checkDim(model, data);
  const optimizer = tf.train.adam(learningRate);
  const history: History = { epochs: [], seconds: 0 };
  const started = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const epochStart = performance.now();
    let lossSum = 0;
    let correct = 0;
    for (const indices of batchIndices(data.count, batchSize, { shuffle: true, seed: seed * 100_003 + epoch })) {
      const [loss, right] = tf.tidy(() => {
        const { x, y } = batchTensors(data, indices);
        const step = trainStep(model, optimizer, x, y);
        return [tf.mul(step.loss, indices.length), step.correct];
      });
      lossSum += (await loss.data())[0];
      correct += (await right.data())[0];
      tf.dispose([loss, right]);
    }
    const seconds = (performance.now() - epochStart) / 1000;
    const record: EpochRecord = { epoch, loss: lossSum / data.count, accuracy: correct / data.count, seconds, imagesPerSecond: data.count / seconds };
    if (options.testSet) {
      const test = evaluateHead(model, options.testSet);
      record.testLoss = test.loss;
      record.testAccuracy = test.accuracy;
    }
    history.epochs.push(record);
  }
  optimizer.dispose();
  history.seconds = (performance.now() - started) / 1000;
  return history;
}

export function evaluateHead(model: tf.LayersModel, data: FeatureSet): Evaluation {
  checkDim(model, data);
  const all = Int32Array.from({ length: data.count }, (_, i) => i);
  const [loss, right, predicted] = tf.tidy(() => {
    const { x, y } = batchTensors(data, all);
    const logits = model.apply(x, { training: false }) as tf.Tensor2D;
    return [crossEntropy(logits, y), countCorrect(logits, y), tf.argMax(logits, 1)];
  });
  const result = { loss: loss.dataSync()[0], accuracy: right.dataSync()[0] / data.count, predictions: predicted.dataSync() as Int32Array };
  tf.dispose([loss, right, predicted]);
  return result;
}

function batchTensors(data: FeatureSet, indices: Int32Array): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const rows = selectFeatures(data, indices);
  return { x: tf.tensor2d(rows.data, [indices.length, data.dim]), y: tf.tensor1d(Int32Array.from(rows.labels), "int32") };
}

function checkDim(model: tf.LayersModel, data: FeatureSet): void {
  const expected = model.inputs[0].shape[1];
  if (expected !== data.dim) {
    throw new Error(`The head expects ${expected}-d features but the embeddings are ${data.dim}-d: build it with inputShape [${data.dim}].`);
  }
  if (data.count === 0) throw new Error("The feature set is empty: nothing to train or evaluate on.");
}
