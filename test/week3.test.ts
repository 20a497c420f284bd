import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { ImageSet } from "../lib/data/types";
import { checkAssignment5, checkCifar10CNN, checkPerClassAccuracy } from "../lib/exercises/week3";
import { cifar10CNN } from "../lib/models/cifar10_cnn";
import { initBackend, tf } from "../lib/tf";
import { train, trainStep } from "../lib/train/loop";

before(async () => {
  await initBackend({ backend: "cpu", quiet: true });
});

const CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

describe("cifar10CNN", () => {
  test("is the guide's model: 620,362 parameters, shapes 32 → 16 → 8 → 4, PyTorch-style init, seeded", () => {
    const model = cifar10CNN({ seed: 5 });
    assert.equal(model.countParams(), 620_362);
    assert.deepEqual(model.layers.map((l) => l.outputShape), [
      [null, 32, 32, 32], [null, 16, 16, 32], [null, 16, 16, 64], [null, 8, 8, 64],
      [null, 8, 8, 128], [null, 4, 4, 128], [null, 2048], [null, 256], [null, 10],
    ]);
    // conv2's fan-in is 3·3·32 = 288: weights and biases ~ U(±1/√288).
    const bound = 1 / Math.sqrt(288);
    for (const w of model.getLayer("conv2").getWeights()) {
      const max = Math.max(...Array.from(w.dataSync(), Math.abs));
      assert.ok(max <= bound && max > 0.9 * bound, `|w| max ${max} vs bound ${bound}`);
    }
    const again = cifar10CNN({ seed: 5 }).getLayer("fc1").getWeights()[0].dataSync().slice(0, 10);
    assert.deepEqual([...again], [...model.getLayer("fc1").getWeights()[0].dataSync().slice(0, 10)]);
    checkCifar10CNN(model); // the library's model passes the learner's check
  });

  test("dropout adds two dropout layers and no parameters, active only in training", () => {
    const model = cifar10CNN({ seed: 1, dropout: 0.5 });
    assert.equal(model.countParams(), 620_362);
    assert.deepEqual(model.layers.filter((l) => l.getClassName() === "Dropout").map((l) => l.name), ["dropout1", "dropout2"]);
    const x = tf.randomNormal([4, 32, 32, 3]);
    const a = model.apply(x, { training: false }) as tf.Tensor;
    const b = model.apply(x, { training: false }) as tf.Tensor;
    const c = model.apply(x, { training: true }) as tf.Tensor;
    assert.deepEqual(a.dataSync(), b.dataSync());
    assert.notDeepEqual(a.dataSync(), c.dataSync());
    assert.throws(() => cifar10CNN({ dropout: 1 }), /dropout must be in \[0, 1\), got 1/);
  });
});

describe("train() options for week 3", () => {
  const tiny = (): tf.Sequential =>
    tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.dense({ units: 3, kernelInitializer: "glorotUniform", biasInitializer: "ones" })] });

  test("weightDecay adds weightDecay·w to every gradient (PyTorch's coupled L2) and leaves the reported loss alone", () => {
    const x = tf.tensor4d([1, 2, 3, 4, -1, 0, 2, 1], [2, 2, 2, 1]);
    const y = tf.tensor1d([0, 2], "int32");
    const plain = tiny();
    const decayed = tiny();
    decayed.setWeights(plain.getWeights().map((w) => w.clone()));
    const start = plain.getWeights().map((w) => w.dataSync().slice());
    const sgd = () => tf.train.sgd(1);
    const a = trainStep(plain, sgd(), x, y);
    const b = trainStep(decayed, sgd(), x, y, { weightDecay: 0.1 });
    assert.ok(Math.abs(a.loss.dataSync()[0] - b.loss.dataSync()[0]) < 1e-6, "same data loss reported");
    // With lr 1: w_decayed − w_plain = −0.1·w_start for every weight, biases included.
    plain.getWeights().forEach((w, i) => {
      const d = decayed.getWeights()[i].dataSync();
      w.dataSync().forEach((p, k) => assert.ok(Math.abs(d[k] - p + 0.1 * start[i][k]) < 1e-5, `weight ${i}[${k}]`));
    });
  });

  const data: ImageSet = {
    images: Uint8Array.from({ length: 64 * 4 }, (_, k) => (k * 37) % 256),
    labels: Uint8Array.from({ length: 64 }, (_, n) => n % 3),
    count: 64, height: 2, width: 2, channels: 1, classNames: ["a", "b", "c"],
  };

  test("augment transforms every training batch, once per step, and nothing else", async () => {
    const seen: number[] = [];
    const history = await train(tiny(), data, {
      epochs: 2, batchSize: 24, seed: 1, progress: false, testSet: data, weightDecay: 1e-3,
      augment: (set, indices) => {
        seen.push(indices.length);
        // Black images: the model can only learn the label frequencies, so training accuracy is ≤ 22/64.
        return { ...set, images: new Uint8Array(indices.length * 4), labels: Uint8Array.from(indices, (i) => set.labels[i]), count: indices.length };
      },
    });
    assert.deepEqual(seen, [24, 24, 16, 24, 24, 16]);
    assert.ok(history.epochs.every((e) => e.accuracy <= 22 / 64 + 1e-9));
    await assert.rejects(train(tiny(), data, { epochs: 1, weightDecay: -1, progress: false }), /weightDecay must be a number ≥ 0/);
  });
});

describe("week 3 exercise checks", () => {
  test("checkCifar10CNN names the mistake", () => {
    const build = (o: { channels?: number; padding?: "same" | "valid"; filters?: number[]; units?: number }) => {
      const { channels = 3, padding = "same", filters = [32, 64, 128], units = 256 } = o;
      return tf.sequential({
        layers: [
          ...filters.flatMap((f, i) => [
            tf.layers.conv2d({ ...(i === 0 ? { inputShape: [32, 32, channels] } : {}), filters: f, kernelSize: 3, padding, activation: "relu" }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
          ]),
          tf.layers.flatten(),
          tf.layers.dense({ units, activation: "relu" }),
          tf.layers.dense({ units: 10 }),
        ],
      });
    };
    assert.throws(() => checkCifar10CNN(build({ channels: 1 })), /\[batch, 32, 32, 1\].*One channel is MNIST's grey/);
    assert.throws(() => checkCifar10CNN(build({ padding: "valid" })), /padding is valid, valid, valid.*use padding: "same"/);
    assert.throws(() => checkCifar10CNN(build({ filters: [32, 64, 64] })), /32 → 64 → 64 filters/);
    assert.throws(() => checkCifar10CNN(build({ units: 128 })), /dense layer sizes are 128 → 10/);
    assert.throws(() => checkCifar10CNN(undefined as unknown as tf.Sequential), /must return a tf.Sequential/);
    checkCifar10CNN(build({}));
  });

  test("checkPerClassAccuracy accepts a right answer and explains wrong ones", () => {
    const right = (labels: ArrayLike<number>, predictions: ArrayLike<number>, classes: number) =>
      Array.from({ length: classes }, (_, k) => {
        let n = 0;
        let ok = 0;
        for (let i = 0; i < labels.length; i++) if (labels[i] === k) (n++, predictions[i] === k && ok++);
        return ok / n;
      });
    checkPerClassAccuracy(right);
    const overall = (l: ArrayLike<number>, p: ArrayLike<number>, classes: number) =>
      new Array(classes).fill(Array.from(l).filter((v, i) => v === p[i]).length / l.length);
    assert.throws(() => checkPerClassAccuracy(overall), /That is the overall accuracy/);
    const zeros = (l: ArrayLike<number>, p: ArrayLike<number>, classes: number) => right(l, p, classes).map((v) => (Number.isNaN(v) ? 0 : v));
    assert.throws(() => checkPerClassAccuracy(zeros), /return NaN \(0\/0\), not 0/);
    assert.throws(() => checkPerClassAccuracy(() => [1]), /return an array of 3 numbers/);
  });

  test("checkAssignment5 ties the answer to this run's evidence", () => {
    // 100 test images, 10 per class: 8 right except cat (5, the rest → dog), horse (3, one each to
    // seven classes) and ship (2, four each → truck and → airplane); other misses go to the next class.
    const misses: Record<number, number[]> = { 3: [5, 5, 5, 5, 5], 7: [4, 5, 2, 3, 0, 6, 9], 8: [9, 9, 9, 9, 0, 0, 0, 0] };
    const labels: number[] = [];
    const predictions: number[] = [];
    for (let c = 0; c < 10; c++) {
      const wrong = misses[c] ?? [(c + 1) % 10, (c + 1) % 10];
      for (let i = 0; i < 10; i++) {
        labels.push(c);
        predictions.push(i < wrong.length ? wrong[i] : c);
      }
    }
    const evidence = { labels, predictions, classNames: CLASSES };
    const accuracy = labels.filter((l, i) => l === predictions[i]).length / labels.length;
    const good = { cifarAccuracy: accuracy, mnistAccuracy: 0.97, hardestClasses: ["ship", "horse"], mostConfused: ["cat", "dog"] as [string, string] };
    checkAssignment5(good, evidence);
    assert.throws(() => checkAssignment5({ ...good, cifarAccuracy: 100 * accuracy }, evidence), /fractions \(0\.62\), not percentages/);
    assert.throws(() => checkAssignment5({ ...good, cifarAccuracy: 0.5 }, evidence), /this run's predictions give 0\.6600/);
    assert.throws(() => checkAssignment5({ ...good, mnistAccuracy: 0.4 }, evidence), /lower than any MNIST run/);
    assert.throws(() => checkAssignment5({ ...good, hardestClasses: ["cat", "ship"] }, evidence), /cat is not among the two worst classes .*ship 0\.200, horse 0\.300/);
    assert.throws(() => checkAssignment5({ ...good, hardestClasses: ["ship"] }, evidence), /hardestClasses must be two class names/);
    assert.throws(() => checkAssignment5({ ...good, mostConfused: ["dog", "cat"] }, evidence), /wrong way round/);
    assert.throws(() => checkAssignment5({ ...good, mostConfused: ["ship", "truck"] }, evidence), /ship predicted as truck happened 4 times, but the most frequent mistake happened 5 times\. Look for the largest/);
  });
});
