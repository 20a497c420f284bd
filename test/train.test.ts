import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { loadMnist } from "../lib/data/mnist";
import { subset } from "../lib/data/batches";
import { basicNN } from "../lib/models/basic_nn";
import { logisticRegression } from "../lib/models/logistic_regression";
import { layerTable } from "../lib/models/summary";
import { evaluate, train } from "../lib/train/loop";
import type { ImageSet } from "../lib/data/types";

test("BasicNN matches the guide: 109,386 parameters, PyTorch-style initial weights", async () => {
  await initBackend({ quiet: true });
  const model = basicNN({ seed: 3 });
  assert.equal(model.countParams(), 109_386);
  assert.match(layerTable(model), /fc1\s+Dense\s+\[batch, 128\]\s+100,480/);
  const [kernel, bias] = model.getLayer("fc1").getWeights();
  const bound = 1 / Math.sqrt(784);
  for (const t of [kernel, bias]) {
    const values = t.dataSync();
    let max = 0;
    for (const v of values) max = Math.max(max, Math.abs(v));
    assert.ok(max <= bound && max > 0.9 * bound, `|w| max ${max} should approach the bound ${bound}`);
  }
  const again = basicNN({ seed: 3 }).getLayer("fc1").getWeights()[0].dataSync();
  assert.deepEqual(Array.from(again.slice(0, 20)), Array.from(kernel.dataSync().slice(0, 20)), "same seed, same weights");
  model.dispose();
});

test("logistic regression is one linear layer of 7,850 weights that learns MNIST far above chance", async () => {
  await initBackend({ quiet: true });
  const mnist = await loadMnist();
  const model = logisticRegression({ seed: 1 });
  assert.equal(model.countParams(), 7_850);
  assert.deepEqual(model.layers.map((l) => l.getClassName()), ["Flatten", "Dense"]);
  assert.equal((model.getLayer("logits").getConfig() as { activation: string }).activation, "linear");
  await train(model, subset(mnist.train, 2048, { seed: 1 }), { epochs: 3, batchSize: 64, seed: 1, progress: false });
  const accuracy = evaluate(model, subset(mnist.test, 1000, { seed: 2 })).accuracy;
  assert.ok(accuracy > 0.8, `test accuracy ${accuracy} after 3 epochs on 2,048 images`);
  model.dispose();
});

test("training learns, keeps the tensor count flat across epochs, and evaluate agrees with predictions", async () => {
  await initBackend({ quiet: true });
  const mnist = await loadMnist();
  const small = subset(mnist.train, 2048, { seed: 1 });
  const testSmall = subset(mnist.test, 1000, { seed: 2 });
  const model = basicNN({ seed: 1 });
  const counts: number[] = [];
  const history = await train(model, small, {
    epochs: 3,
    batchSize: 64,
    seed: 1,
    testSet: testSmall,
    progress: false,
    onEpochEnd: () => counts.push(tf.memory().numTensors),
  });
  assert.equal(history.epochs.length, 3);
  assert.equal(new Set(counts).size, 1, `tensor count per epoch end: ${counts.join(", ")}`);
  const [first, last] = [history.epochs[0], history.epochs[2]];
  assert.ok(last.loss < first.loss, `loss should fall: ${first.loss} → ${last.loss}`);
  assert.ok(last.testAccuracy! > 0.8, `test accuracy after 3 small epochs: ${last.testAccuracy}`);

  const result = evaluate(model, testSmall);
  assert.equal(result.predictions.length, testSmall.count);
  let right = 0;
  for (let i = 0; i < testSmall.count; i++) if (result.predictions[i] === testSmall.labels[i]) right++;
  assert.equal(result.accuracy, right / testSmall.count);
  assert.ok(Math.abs(result.accuracy - last.testAccuracy!) < 1e-9);
  model.dispose();
});

test("a dataset that does not fit the model is refused before training, naming both shapes", async () => {
  await initBackend({ quiet: true });
  const rgb: ImageSet = {
    images: new Uint8Array(4 * 32 * 32 * 3),
    labels: new Uint8Array(4),
    count: 4,
    height: 32,
    width: 32,
    channels: 3,
    classNames: ["a"],
  };
  const model = basicNN();
  await assert.rejects(train(model, rgb, { epochs: 1, progress: false }), /expects images of shape \[28, 28, 1\] but the dataset has \[32, 32, 3\]/);
  assert.throws(() => evaluate(model, rgb), /inputShape \[32, 32, 3\]/);
  model.dispose();
});
