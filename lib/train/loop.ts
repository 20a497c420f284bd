// The guide's training loop (§8) and evaluation (§9), written out explicitly rather than hidden in
// model.fit: a manual tf.tidy + optimizer.minimize loop is also faster and leaner on wasm.
import { tf } from "../tf";
import type { ImageSet } from "../data/types";
import { batchIndices, makeBatch } from "../data/batches";
import type { BatchAugment } from "../data/augment";
import { countCorrect, crossEntropy } from "./loss";
import { EpochProgress, formatSeconds } from "./progress";

export interface TrainOptions {
  epochs: number;
  /** Images per step; the guide uses 64. */
  batchSize?: number;
  /** Adam's learning rate when no optimizer is given; the guide uses 0.001. */
  learningRate?: number;
  optimizer?: tf.Optimizer;
  /** Seeds the shuffling order, so two runs see the batches in the same order. */
  seed?: number;
  /** When given, evaluated after every epoch (the train-vs-test curves). */
  testSet?: ImageSet;
  /** Per-epoch progress lines; on by default. */
  progress?: boolean;
  onEpochEnd?: (record: EpochRecord) => void;
  /**
   * L2 weight decay as in PyTorch's Adam(weight_decay=…): every weight's gradient gets
   * weightDecay·w added (a penalty of weightDecay/2·Σw² on the loss). The reported loss excludes it.
   */
  weightDecay?: number;
  /** Changes each training batch's images before they are normalised (data augmentation). */
  augment?: BatchAugment;
}

export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's steps (what the guide prints). */
  loss: number;
  /** Training accuracy over the epoch, measured in train mode as the weights changed. */
  accuracy: number;
  testLoss?: number;
  testAccuracy?: number;
  seconds: number;
  imagesPerSecond: number;
}

export interface History {
  epochs: EpochRecord[];
  seconds: number;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** Predicted class per image, in dataset order. */
  predictions: Int32Array;
}

/** One optimisation step (the guide's zero_grad → forward → loss → backward → step). */
export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor,
  y: tf.Tensor1D,
  options: { weightDecay?: number } = {},
): { loss: tf.Scalar; correct: tf.Scalar } {
  const { weightDecay = 0 } = options;
  // Only this model's weights: the default var list is every trainable variable in the process,
  // which would include other models a notebook has built.
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let correct: tf.Scalar | undefined;
  let dataLoss: tf.Scalar | undefined;
  const total = optimizer.minimize(
    () => {
      const logits = model.apply(x, { training: true }) as tf.Tensor2D;
      correct = tf.keep(countCorrect(logits, y));
      if (weightDecay === 0) return crossEntropy(logits, y);
      dataLoss = tf.keep(crossEntropy(logits, y));
      const squares = tf.addN(vars.map((v) => tf.sum(tf.square(v))));
      return tf.add(dataLoss, tf.mul(weightDecay / 2, squares));
    },
    true,
    vars,
  ) as tf.Scalar;
  if (dataLoss === undefined) return { loss: total, correct: correct! };
  total.dispose();
  return { loss: dataLoss, correct: correct! };
}

export async function train(model: tf.LayersModel, data: ImageSet, options: TrainOptions): Promise<History> {
  const { epochs, batchSize = 64, learningRate = 0.001, seed = 0, progress = true, weightDecay = 0, augment } = options;
  if (!(weightDecay >= 0)) throw new Error(`weightDecay must be a number ≥ 0 (PyTorch-style, e.g. 5e-4), got ${weightDecay}.`);
  checkCompatible(model, data);
  const optimizer = options.optimizer ?? tf.train.adam(learningRate);
  const history: History = { epochs: [], seconds: 0 };
  const started = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const bar = new EpochProgress(epoch, epochs, data.count);
    // Running sums stay on the device; they are read only when a progress line is drawn.
    let lossSum: tf.Scalar = tf.scalar(0);
    let correctSum: tf.Scalar = tf.scalar(0, "int32");
    let steps = 0;
    let seen = 0;
    for (const indices of batchIndices(data.count, batchSize, { shuffle: true, seed: seed * 100_003 + epoch })) {
      tf.tidy(() => {
        const { x, y } = augment
          ? makeBatch(augment(data, indices), Int32Array.from(indices, (_, k) => k))
          : makeBatch(data, indices);
        const step = trainStep(model, optimizer, x, y, { weightDecay });
        const nextLoss = tf.keep(tf.add(lossSum, step.loss) as tf.Scalar);
        const nextCorrect = tf.keep(tf.add(correctSum, step.correct) as tf.Scalar);
        step.correct.dispose();
        lossSum.dispose();
        correctSum.dispose();
        lossSum = nextLoss;
        correctSum = nextCorrect;
      });
      steps++;
      seen += indices.length;
      if (progress && bar.due()) {
        await bar.draw(seen, lossSum.dataSync()[0] / steps, correctSum.dataSync()[0] / seen);
      }
    }
    const record: EpochRecord = {
      epoch,
      loss: lossSum.dataSync()[0] / steps,
      accuracy: correctSum.dataSync()[0] / seen,
      seconds: bar.elapsed(),
      imagesPerSecond: 0,
    };
    lossSum.dispose();
    correctSum.dispose();
    record.imagesPerSecond = seen / record.seconds;
    if (options.testSet) {
      const test = evaluate(model, options.testSet);
      record.testLoss = test.loss;
      record.testAccuracy = test.accuracy;
    }
    record.seconds = bar.elapsed();
    history.epochs.push(record);
    if (progress) await bar.finish(summarize(record));
    options.onEpochEnd?.(record);
    await yieldToEventLoop();
  }
  history.seconds = (performance.now() - started) / 1000;
  return history;
}

/**
 * Accuracy and mean loss on a dataset without touching the weights. tfjs records gradients only
 * inside tf.grad/minimize, so this is already the guide's `torch.no_grad()`; tidy frees each batch.
 */
export function evaluate(model: tf.LayersModel, data: ImageSet, options: { batchSize?: number } = {}): Evaluation {
  const { batchSize = 256 } = options;
  checkCompatible(model, data);
  const predictions = new Int32Array(data.count);
  let lossSum = 0;
  let correct = 0;
  let offset = 0;
  for (const indices of batchIndices(data.count, batchSize, { shuffle: false })) {
    const [loss, right, predicted] = tf.tidy(() => {
      const { x, y } = makeBatch(data, indices);
      const logits = model.apply(x, { training: false }) as tf.Tensor2D;
      return [tf.mul(crossEntropy(logits, y), indices.length), countCorrect(logits, y), tf.argMax(logits, 1)];
    });
    lossSum += loss.dataSync()[0];
    correct += right.dataSync()[0];
    predictions.set(predicted.dataSync() as Int32Array, offset);
    offset += indices.length;
    tf.dispose([loss, right, predicted]);
  }
  return { loss: lossSum / data.count, accuracy: correct / data.count, predictions };
}

function summarize(r: EpochRecord): string {
  const test = r.testAccuracy === undefined ? "" : `  test loss ${r.testLoss!.toFixed(4)}  test acc ${r.testAccuracy.toFixed(4)}`;
  return `loss ${r.loss.toFixed(4)}  acc ${r.accuracy.toFixed(4)}${test}  ${formatSeconds(r.seconds)} (${Math.round(r.imagesPerSecond)} img/s)`;
}

/** Fails before training starts when the data cannot go through the model, naming both shapes. */
function checkCompatible(model: tf.LayersModel, data: ImageSet): void {
  const expected = model.inputs[0].shape.slice(1);
  const actual = [data.height, data.width, data.channels];
  if (expected.length !== 3 || expected.some((d, i) => d !== null && d !== actual[i])) {
    throw new Error(
      `The model expects images of shape [${expected.join(", ")}] but the dataset has [${actual.join(", ")}] ` +
        `(height, width, channels). Build the model with inputShape [${actual.join(", ")}] or use the matching dataset.`,
    );
  }
  if (data.count === 0) throw new Error("The dataset is empty: nothing to train or evaluate on.");
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
